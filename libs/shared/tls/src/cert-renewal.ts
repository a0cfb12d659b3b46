// A running process keeps its certificate fresh through the ca, without restarting.
import type { Clock, Timers } from '@shoal/clock';
import { isShoalError } from '@shoal/errors';
import type { Logger } from '@shoal/logging';
import type { Random } from '@shoal/random';
import { cryptoRandom, systemClock, systemTimers } from '@shoal/runtime';
import type { TlsMaterial } from './material';
import { renewLoop } from './renewer';

/** CertRenewalOptions parameterise {@link startCertRenewal}. */
export interface CertRenewalOptions {
  /** `host:port` of the ca replicas (`--ca-endpoints`); tried in turn after failures. */
  readonly caEndpoints: readonly string[];
  readonly logger: Logger;
  /** Default: the system clock, timers and a CSPRNG. Tests pass a ManualClock to compress time. */
  readonly clock?: Clock;
  readonly timers?: Timers;
  readonly random?: Random;
  /** First retry wait after a failed renewal; default 5 min (SwarmKit). */
  readonly retryBaseMs?: number;
  /** Called when the ca refuses for good (the node or component was removed). */
  readonly onRefused?: (err: Error) => void;
}

/** CertRenewal is a running renewal loop. */
export interface CertRenewal {
  /** stop ends the loop (an in-flight renewal is abandoned at its next wait). */
  stop(): Promise<void>;
  /** done settles when the loop ends: after stop, or after the ca refused for good. */
  readonly done: Promise<void>;
}

/**
 * startCertRenewal renews `material`'s certificate through the ca at a random point between
 * 50 % and 80 % of its validity (counted from issuance), with a new key each time: a CSR over
 * mutual TLS with the current certificate (IssueNodeCertificate without a token), the status
 * polled until ISSUED, the result checked against the current root and ID, the three files
 * rewritten and the live credentials updated. Every server and client built from the material
 * then uses the new certificate for new connections; open connections and their RPCs are not
 * touched, so no RPC is dropped. Failures are retried with backoff, moving to the next ca.
 *
 * Contract: never throws; a PERMISSION_DENIED from the ca (removed, blacklisted) is logged at
 * error, reported to `onRefused`, and ends the loop. With no endpoints it does nothing.
 */
export function startCertRenewal(material: TlsMaterial, options: CertRenewalOptions): CertRenewal {
  const abort = new AbortController();
  const logger = options.logger.child({ component: 'cert-renewal' });
  if (options.caEndpoints.length === 0) {
    return { stop: () => Promise.resolve(), done: Promise.resolve() };
  }
  const done = renewLoop({
    caAddress: options.caEndpoints,
    credentials: material.credentials,
    install: (bundle) => material.replace(bundle),
    clock: options.clock ?? systemClock,
    timers: options.timers ?? systemTimers,
    random: options.random ?? cryptoRandom(),
    retryBaseMs: options.retryBaseMs,
    signal: abort.signal,
    logger,
  }).catch((err: unknown) => {
    const error = err instanceof Error ? err : new Error(String(err));
    if (isShoalError(err)) logger.error({ err: err.message, code: err.code }, 'the ca refused to renew this certificate; renewal stopped');
    else logger.error({ err }, 'certificate renewal stopped');
    options.onRefused?.(error);
  });
  logger.info({ caEndpoints: options.caEndpoints, id: material.identity().id }, 'certificate renewal started');
  return {
    stop: async () => {
      abort.abort();
      await done;
    },
    done,
  };
}
