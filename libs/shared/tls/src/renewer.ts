// A node or component renews its certificate over mutual TLS before it expires, with a new key, and its
// servers and clients pick the new one up without a restart (ReloadableCredentials).
import type { ChannelOptions } from '@grpc/grpc-js';
import { assert } from '@shoal/assert';
import type { Clock, Timers } from '@shoal/clock';
import { isShoalError, ShoalError } from '@shoal/errors';
import type { Logger } from '@shoal/logging';
import {
  createKeyAndCsr,
  parseIdentity,
  renewalDelayMs,
  writeCertBundle,
  type CertBundle,
  type ReloadableCredentials,
} from '@shoal/pki';
import type { IssueNodeCertificateRequest, IssueNodeCertificateResponse } from '@shoal/proto';
import type { Random } from '@shoal/random';
import { awaitCertificate, callCa, openCaClient } from './ca-client';
import { checkIssued } from './check-issued';
import {
  CA_CALL_DEADLINE_MS,
  CA_SERVER_NAME,
  CERT_BACKDATE_MS,
  JOIN_TIMEOUT_MS,
  RENEW_RETRY_BASE_MS,
  RENEW_RETRY_MAX_MS,
} from '@shoal/limits';

/** RenewCertificateOptions parameterise {@link renewCertificate}. */
export interface RenewCertificateOptions {
  /** `host:port` of a ca replica; the loop takes several and moves on after a failure. */
  readonly caAddress: string;
  /** The node's live credentials: presented to the CA, then updated with the new bundle. */
  readonly credentials: ReloadableCredentials;
  /** Where the bundle lives (`<stateDir>/certificates`); rewritten on success. */
  readonly certDir?: string;
  /**
   * Installs the new bundle instead of writing `certDir` and updating `credentials`
   * (TlsMaterial.replace: the process's own three files). One of the two is required.
   */
  readonly install?: (bundle: CertBundle) => Promise<void>;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly random: Random;
  /** Give up after this long; default JOIN_TIMEOUT_MS. */
  readonly timeoutMs?: number;
  readonly channelOptions?: Partial<ChannelOptions>;
  readonly logger?: Logger;
}

/**
 * renewCertificate renews the node's certificate once: a new key and CSR, IssueNodeCertificate
 * over mTLS with the current certificate (no token: the CA keeps the node's ID and role), poll
 * until ISSUED, check the result against the current root and ID, write the bundle to
 * `certDir`, then `credentials.update` so new connections use it.
 *
 * Contract: a removed or blacklisted node rejects PERMISSION_DENIED (permanent); other
 * failures reject as in joinCluster. On any rejection nothing on disk or in `credentials`
 * changed.
 */
export async function renewCertificate(opts: RenewCertificateOptions): Promise<CertBundle> {
  const current = opts.credentials.current();
  const identity = parseIdentity(current.certPem);
  const { keyPem, csrPem } = await createKeyAndCsr(identity);
  const channel = opts.credentials.channelCredentials({ serverName: CA_SERVER_NAME });
  const client = openCaClient(opts.caAddress, channel.credentials, {
    ...channel.options,
    ...opts.channelOptions,
  });
  try {
    const issue = client.issueNodeCertificate.bind(client) as unknown as Parameters<
      typeof callCa<IssueNodeCertificateRequest, IssueNodeCertificateResponse>
    >[0];
    const { nodeId } = await callCa(issue, { csr: Buffer.from(csrPem), token: '',
      availability: 0 }, CA_CALL_DEADLINE_MS);
    if (nodeId !== identity.id) {
      throw ShoalError.failedPrecondition(`the CA renewed ${nodeId}, not node ${identity.id}`);
    }
    const certPem = await awaitCertificate({
      client, nodeId, clock: opts.clock, timers: opts.timers, random: opts.random,
      timeoutMs: opts.timeoutMs ?? JOIN_TIMEOUT_MS,
    });
    checkIssued(certPem, current.caPem, nodeId, opts.clock.now());
    const bundle = { caPem: current.caPem, certPem, keyPem };
    await install(opts, bundle);
    opts.logger?.info({ nodeId, serial: parseIdentity(certPem).serial }, 'certificate renewed');
    return bundle;
  } finally {
    client.close();
  }
}

async function install(opts: RenewCertificateOptions, bundle: CertBundle): Promise<void> {
  if (opts.install !== undefined) {
    await opts.install(bundle);
    return;
  }
  assert(opts.certDir !== undefined, 'renewal has a certDir or an install function');
  await writeCertBundle(opts.certDir, bundle);
  opts.credentials.update(bundle);
}

/** RenewLoopOptions parameterise {@link renewLoop}. */
export interface RenewLoopOptions extends Omit<RenewCertificateOptions, 'caAddress'> {
  /** One ca replica, or several: after a failure the next one is tried. */
  readonly caAddress: string | readonly string[];
  /** Stops the loop; the loop resolves once it notices. */
  readonly signal: AbortSignal;
  /** Called after each successful renewal. */
  readonly onRenewed?: (bundle: CertBundle) => void;
  /** First retry wait after a failure; default RENEW_RETRY_BASE_MS (5 min). */
  readonly retryBaseMs?: number;
}

/**
 * renewLoop keeps the node's certificate fresh until `signal` aborts: it waits
 * renewalDelayMs (a random point in 50–80 % of the current certificate's life), renews, and
 * starts over with the new certificate. A failed renewal is retried after
 * `retryBaseMs`·2^(failures−1), capped at RENEW_RETRY_MAX_MS.
 *
 * Contract: resolves when `signal` aborts. Rejects PERMISSION_DENIED when the CA says the
 * node was removed (renewing again cannot help; the node must stop). Never rejects otherwise.
 */
export async function renewLoop(opts: RenewLoopOptions): Promise<void> {
  const retryBaseMs = opts.retryBaseMs ?? RENEW_RETRY_BASE_MS;
  assert(retryBaseMs > 0, 'renewal retry wait is positive');
  const addresses = typeof opts.caAddress === 'string' ? [opts.caAddress] : [...opts.caAddress];
  assert(addresses.length > 0, 'renewal has a ca address');
  let failures = 0;
  while (!opts.signal.aborted) {
    const waitMs = failures === 0
      ? nextRenewalMs(opts.credentials.current().certPem, opts.clock.now(), opts.random)
      : Math.min(retryBaseMs * 2 ** (failures - 1), Math.max(RENEW_RETRY_MAX_MS, retryBaseMs));
    if (!(await sleep(opts.timers, waitMs, opts.signal))) return;
    try {
      const caAddress = addresses[failures % addresses.length] as string;
      const bundle = await renewCertificate({ ...opts, caAddress });
      failures = 0;
      opts.onRenewed?.(bundle);
    } catch (err) {
      if (isShoalError(err) && err.code === 'PERMISSION_DENIED') throw err;
      failures++;
      opts.logger?.warn({ err, failures }, 'certificate renewal failed; will retry');
    }
  }
}

/**
 * nextRenewalMs is the wait before the next renewal: a random point in 50–80 % of the
 * certificate's life, counted from when it was issued. The CA backdates notBefore by
 * CERT_BACKDATE_MS (clock skew); counting from notBefore would put the whole window of a
 * short certificate (minutes, in tests) in the past and renew in a tight loop.
 */
export function nextRenewalMs(certPem: string, now: number, random: Random): number {
  const identity = parseIdentity(certPem);
  const issuedAt = identity.notBefore + CERT_BACKDATE_MS;
  const notBefore = issuedAt < identity.notAfter ? issuedAt : identity.notBefore;
  return renewalDelayMs({ notBefore, notAfter: identity.notAfter, now, random });
}

/** MAX_TIMER_MS is the longest delay setTimeout honours (a longer one fires after 1 ms). */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * sleep resolves true after `ms`, or false as soon as `signal` aborts. Waits longer than a
 * timer can hold (~24.8 days; a 90-day certificate renews ~45-72 days out) are chained.
 */
async function sleep(timers: Timers, ms: number, signal: AbortSignal): Promise<boolean> {
  let left = ms;
  while (left > MAX_TIMER_MS) {
    if (!(await sleepOnce(timers, MAX_TIMER_MS, signal))) return false;
    left -= MAX_TIMER_MS;
  }
  return sleepOnce(timers, left, signal);
}

function sleepOnce(timers: Timers, ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(false);
      return;
    }
    const onAbort = (): void => {
      timers.clearTimeout(handle);
      resolve(false);
    };
    const handle = timers.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
