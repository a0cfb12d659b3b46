// The node side's calls to the CA: one client per channel, promise-returning calls with
// deadlines, and the status poll shared by joining and renewal.
import {
  Metadata,
  type ChannelCredentials,
  type ChannelOptions,
  type ServiceError,
} from '@grpc/grpc-js';
import type { Clock, Timers } from '@shoal/clock';
import { isShoalError, ShoalError } from '@shoal/errors';
import { createClient, fromGrpcError } from '@shoal/grpc';
import {
  IssuanceStatus_State,
  type NodeCertificateStatusRequest,
  type NodeCertificateStatusResponse,
} from '@shoal/proto';
import { CAClient } from '@shoal/proto-grpc';
import type { Random } from '@shoal/random';
import { NODE_CERTIFICATE_STATUS_WAIT_MS, STATUS_CALL_SLACK_MS } from '@shoal/limits';

/** STATUS_RETRY_MS is the mean wait before re-polling after the CA was UNAVAILABLE. */
const STATUS_RETRY_MS = 500;

/** openCaClient returns a CA client for `address` over `credentials`. Close it when done. */
export function openCaClient(
  address: string,
  credentials: ChannelCredentials,
  options: Partial<ChannelOptions>,
): CAClient {
  return createClient<CAClient>(CAClient, address, credentials, { options });
}

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: { deadline: number },
  callback: (err: ServiceError | null, response: Res) => void,
) => unknown;

/**
 * callCa makes one unary call with a deadline `deadlineMs` from now and resolves its response;
 * a failure rejects with the ShoalError the server sent (fromGrpcError).
 */
export function callCa<Req, Res>(
  method: UnaryMethod<Req, Res>,
  request: Req,
  deadlineMs: number,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request, new Metadata(), { deadline: Date.now() + deadlineMs }, (err, response) => {
      if (err !== null) reject(fromGrpcError(err));
      else resolve(response);
    });
  });
}

/** AwaitCertificateOptions parameterise {@link awaitCertificate}. */
export interface AwaitCertificateOptions {
  readonly client: CAClient;
  readonly nodeId: string;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly random: Random;
  /** Give up (DEADLINE_EXCEEDED) after this long. */
  readonly timeoutMs: number;
}

/**
 * awaitCertificate polls NodeCertificateStatus (each call waits server-side up to 5 s for a
 * change) until the certificate is ISSUED, and resolves its PEM.
 *
 * Contract: FAILED rejects FAILED_PRECONDITION with the CA's reason; an UNAVAILABLE CA is
 * re-polled after a jittered pause; passing `timeoutMs` rejects DEADLINE_EXCEEDED; any other
 * error rejects as the server sent it.
 */
export async function awaitCertificate(opts: AwaitCertificateOptions): Promise<string> {
  const deadline = opts.clock.now() + opts.timeoutMs;
  const status = opts.client.nodeCertificateStatus.bind(opts.client) as unknown as UnaryMethod<
    NodeCertificateStatusRequest,
    NodeCertificateStatusResponse
  >;
  for (;;) {
    let response: NodeCertificateStatusResponse | null = null;
    try {
      response = await callCa(status, { nodeId: opts.nodeId },
        NODE_CERTIFICATE_STATUS_WAIT_MS + STATUS_CALL_SLACK_MS);
    } catch (err) {
      if (!isShoalError(err) || err.code !== 'UNAVAILABLE') throw err;
      await pause(opts.timers, STATUS_RETRY_MS * (0.5 + opts.random.float()));
    }
    const state = response?.status?.state;
    if (state === IssuanceStatus_State.ISSUED) {
      return response?.certificate?.certificate.toString('utf8') ?? '';
    }
    if (state === IssuanceStatus_State.FAILED) {
      throw ShoalError.failedPrecondition(
        `certificate issuance failed: ${response?.status?.err ?? 'no reason given'}`,
      );
    }
    if (opts.clock.now() >= deadline) {
      throw ShoalError.deadlineExceeded(`certificate for node ${opts.nodeId} was not issued in time`);
    }
  }
}

/** pause resolves after `ms` on `timers`. */
export function pause(timers: Timers, ms: number): Promise<void> {
  return new Promise((resolve) => void timers.setTimeout(resolve, ms));
}
