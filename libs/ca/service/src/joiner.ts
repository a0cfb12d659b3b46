// A new node joins the cluster: pin the root by the token's digest (TOFU), then ask for and
// receive its first certificate. Used by the node-agent.
import { join } from 'node:path';
import { credentials as grpcCredentials, type ChannelOptions } from '@grpc/grpc-js';
import type { Clock, Timers } from '@shoal/clock';
import { ShoalError } from '@shoal/errors';
import type { Logger } from '@shoal/logging';
import {
  createKeyAndCsr,
  parseJoinToken,
  serverNameOptions,
  verifyRootAgainstToken,
  writeCertBundle,
  type CertBundle,
  type Identity,
} from '@shoal/pki';
import {
  NodeSpec_Availability,
  type GetRootCACertificateRequest,
  type GetRootCACertificateResponse,
  type IssueNodeCertificateRequest,
  type IssueNodeCertificateResponse,
} from '@shoal/proto';
import type { CAClient } from '@shoal/proto-grpc';
import type { Random } from '@shoal/random';
import { systemClock, systemTimers } from '@shoal/runtime';
import { awaitCertificate, callCa, checkIssued, openCaClient } from '@shoal/tls';
import {
  CA_CALL_DEADLINE_MS,
  CA_SERVER_NAME,
  JOIN_TIMEOUT_MS,
  NODE_CERTIFICATES_DIR,
} from '@shoal/limits';

/** JoinClusterOptions parameterise {@link joinCluster}. */
export interface JoinClusterOptions {
  /** `host:port` of any ca replica. */
  readonly caAddress: string;
  /** The worker or manager join token, `SHLTKN-1-…`. */
  readonly token: string;
  /** The node's state directory; the bundle goes to `<stateDir>/certificates/`. */
  readonly stateDir: string;
  /** Jitter for retries. */
  readonly random: Random;
  readonly clock?: Clock;
  readonly timers?: Timers;
  readonly availability?: NodeSpec_Availability;
  /** Give up after this long; default JOIN_TIMEOUT_MS. */
  readonly timeoutMs?: number;
  /** Extra channel options (tests: a local subchannel pool). */
  readonly channelOptions?: Partial<ChannelOptions>;
  readonly logger?: Logger;
}

/** JoinedNode is what joining produced: the node's identity, bundle and where it is stored. */
export interface JoinedNode {
  readonly identity: Identity;
  readonly bundle: CertBundle;
  readonly certDir: string;
}

/**
 * joinCluster performs SwarmKit's join, in this order, and nothing is sent before step 2 holds:
 * 1. fetch the root with GetRootCACertificate over TLS without verification (the node trusts
 *    nothing yet);
 * 2. trust it only if its SHA-256 equals the digest in `token` (TOFU pinned by the token);
 * 3. make a key and CSR locally; over TLS verified against the pinned root (server name `ca`),
 *    send IssueNodeCertificate with the token;
 * 4. poll NodeCertificateStatus until ISSUED; check the certificate chains to the pinned root
 *    and names the node ID the CA returned;
 * 5. write ca.pem, cert.pem, key.pem to `<stateDir>/certificates/` (key 0600).
 *
 * Contract: a malformed token rejects INVALID_ARGUMENT before any connection; a root that
 * does not match the token rejects UNAUTHENTICATED and the token is never sent; a refused
 * token rejects as the CA answered (PERMISSION_DENIED); FAILED issuance rejects
 * FAILED_PRECONDITION; running out of time rejects DEADLINE_EXCEEDED.
 */
export async function joinCluster(opts: JoinClusterOptions): Promise<JoinedNode> {
  parseJoinToken(opts.token);
  const clock = opts.clock ?? systemClock;
  const rootPem = await fetchPinnedRoot(opts);
  const { keyPem, csrPem } = await createKeyAndCsr({
    // The CA ignores the CSR's subject (it decides ID, role and cluster); these are fillers.
    id: 'joining-node',
    role: 'worker',
    clusterId: 'joining',
  });
  const trusted = grpcCredentials.createSsl(Buffer.from(rootPem));
  const options = { ...serverNameOptions(CA_SERVER_NAME), ...opts.channelOptions };
  const client = openCaClient(opts.caAddress, trusted, options);
  try {
    const issue = client.issueNodeCertificate.bind(client) as unknown as Parameters<
      typeof callCa<IssueNodeCertificateRequest, IssueNodeCertificateResponse>
    >[0];
    const { nodeId } = await callCa(issue, {
      csr: Buffer.from(csrPem),
      token: opts.token,
      availability: opts.availability ?? NodeSpec_Availability.ACTIVE,
    }, CA_CALL_DEADLINE_MS);
    opts.logger?.info({ nodeId }, 'join accepted; waiting for the certificate');
    const certPem = await awaitCertificate({
      client, nodeId, clock, timers: opts.timers ?? systemTimers, random: opts.random,
      timeoutMs: opts.timeoutMs ?? JOIN_TIMEOUT_MS,
    });
    const identity = checkIssued(certPem, rootPem, nodeId, clock.now());
    const bundle = { caPem: rootPem, certPem, keyPem };
    const certDir = join(opts.stateDir, NODE_CERTIFICATES_DIR);
    await writeCertBundle(certDir, bundle);
    return { identity, bundle, certDir };
  } finally {
    client.close();
  }
}

/** fetchPinnedRoot downloads the root without trusting anyone and pins it by the token. */
async function fetchPinnedRoot(opts: JoinClusterOptions): Promise<string> {
  const blind = grpcCredentials.createSsl(null, null, null, { rejectUnauthorized: false });
  const options = { ...serverNameOptions(CA_SERVER_NAME), ...opts.channelOptions };
  const client: CAClient = openCaClient(opts.caAddress, blind, options);
  let response: GetRootCACertificateResponse;
  try {
    const get = client.getRootCaCertificate.bind(client) as unknown as Parameters<
      typeof callCa<GetRootCACertificateRequest, GetRootCACertificateResponse>
    >[0];
    response = await callCa(get, {}, CA_CALL_DEADLINE_MS);
  } finally {
    client.close();
  }
  const rootPem = response.certificate.toString('utf8');
  let verdict: ReturnType<typeof verifyRootAgainstToken>;
  try {
    verdict = verifyRootAgainstToken(rootPem, opts.token);
  } catch (err) {
    if (err instanceof ShoalError) throw err;
    throw ShoalError.unauthenticated('the CA sent a root that is not a certificate');
  }
  if (!verdict.ok) {
    opts.logger?.error({ expected: verdict.expected.hex, actual: verdict.actual.hex },
      'root CA does not match the join token; refusing to join');
    throw ShoalError.unauthenticated(
      `the CA's root certificate (sha256 ${verdict.actual.hex}) does not match the join ` +
        `token (sha256 ${verdict.expected.hex}); refusing to join`,
    );
  }
  return rootPem;
}
