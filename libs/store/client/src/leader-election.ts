// Lease-based leader election of a control loop: campaign, keep alive at ttl/3, and stop the
// loop the moment the lease is lost or cannot be renewed within its ttl (client-go
// leaderelection, over the store's replicated leases).
import { assert } from '@shoal/assert';
import type { TimerHandle, Timers } from '@shoal/clock';
import { isShoalError } from '@shoal/errors';
import { silentLogger, type Logger } from '@shoal/logging';
import type { LeaseGuard } from '@shoal/proto';
import { systemTimers } from '@shoal/runtime';
import { STORE_CLIENT_LIMITS } from '@shoal/limits';
import type { CallOptions, LeaseInfo } from './store-client';

/** LeaseSource is the part of StoreClient an elector uses. */
export interface LeaseSource {
  campaign(
    request: { name: string; candidate: string; ttlMs: number },
    options?: CallOptions,
  ): Promise<{ elected: boolean; lease: LeaseInfo | undefined }>;
  keepAlive(lease: LeaseGuard, options?: CallOptions): Promise<LeaseInfo>;
  resign(lease: LeaseGuard, options?: CallOptions): Promise<void>;
}

/** LeaderElectionOptions configure {@link runLeaderElection}. */
export interface LeaderElectionOptions {
  readonly client: LeaseSource;
  /** The lease's name: one per leader-only loop, e.g. "scheduler". */
  readonly name: string;
  /** This instance's unique id, e.g. "<node id>/<pid>". */
  readonly holder: string;
  readonly ttlMs: number;
  /**
   * Runs while this instance leads; `signal` aborts the moment leadership ends, and the
   * loop must stop acting then (writes should carry the `guard` as LeaseGuard, so a stale
   * leader is fenced by the store as well).
   */
  onStartedLeading(signal: AbortSignal, guard: LeaseGuard): void | Promise<void>;
  /** Called once after each leadership ends (after `signal` aborted). */
  onStoppedLeading(): void;
  /** Aborting it stops the elector: leadership ends and the lease is resigned. */
  readonly signal?: AbortSignal;
  readonly timers?: Timers;
  /** Monotonic ms clock for the local view of the lease (default performance.now). */
  readonly now?: () => number;
  readonly logger?: Logger;
}

interface Sleeper {
  sleep(ms: number): Promise<void>;
}

function sleeper(timers: Timers, signal: AbortSignal): Sleeper {
  return {
    sleep: (ms) => new Promise((resolve) => {
      if (signal.aborted) {
        resolve();
        return;
      }
      const handle = timers.setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        timers.clearTimeout(handle);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
    }),
  };
}

/**
 * runLeaderElection campaigns for the lease `name` until `signal` aborts, and runs
 * `onStartedLeading` while it holds it. Contract:
 * - a candidate that is not leading campaigns every ttl·leaseRetryFraction, so it takes over
 *   within ttl + ttl/3 (+ one RPC) of the holder's last renewal: under 2 × ttl;
 * - the leader renews every ttl·leaseRenewFraction; its local view of the lease ends at the
 *   send time of the last successful renewal + ttl (never later than the store's, whose
 *   expiry counts from when the leader proposed the renewal), and leadership ends the moment
 *   that passes, or a renewal says FAILED_PRECONDITION (lost): the leading signal aborts at
 *   once, even while a renewal is still in flight;
 * - on `signal` abort the leader stops leading and resigns (best effort, one deadline);
 * - resolves once stopped; never rejects (failures are logged and retried).
 */
export async function runLeaderElection(options: LeaderElectionOptions): Promise<void> {
  assert(options.ttlMs > 0, 'a lease has a ttl');
  const stop = options.signal ?? new AbortController().signal;
  const timers = options.timers ?? systemTimers;
  const logger = options.logger ?? silentLogger();
  const { sleep } = sleeper(timers, stop);
  const retryMs = options.ttlMs * STORE_CLIENT_LIMITS.leaseRetryFraction;
  while (!stop.aborted) {
    const now = options.now ?? (() => performance.now());
    const sentAt = now();
    let lease: LeaseInfo | undefined;
    try {
      const result = await options.client.campaign(
        { name: options.name, candidate: options.holder, ttlMs: options.ttlMs },
        { deadlineMs: retryMs, signal: stop });
      if (result.elected) lease = result.lease;
    } catch (err) {
      logger.warn({ err, lease: options.name }, 'campaign failed');
    }
    if (lease !== undefined && !stop.aborted) {
      await lead(options, lease, sentAt, { timers, logger, stop, now });
    } else {
      await sleep(retryMs);
    }
  }
}

interface LeadContext {
  readonly timers: Timers;
  readonly logger: Logger;
  readonly stop: AbortSignal;
  readonly now: () => number;
}

/** lead holds the lease until it is lost, cannot be renewed in time, or `stop` aborts. */
async function lead(
  options: LeaderElectionOptions,
  lease: LeaseInfo,
  sentAt: number,
  context: LeadContext,
): Promise<void> {
  const { timers, logger, stop, now } = context;
  const guard: LeaseGuard = { name: lease.name, holder: lease.holder, term: lease.term };
  const leading = new AbortController();
  let expiry: TimerHandle | undefined;
  const lose = (why: string): void => {
    if (leading.signal.aborted) return;
    logger.warn({ lease: guard.name, term: guard.term, why }, 'leadership lost');
    leading.abort();
  };
  const arm = (validUntil: number): void => {
    if (expiry !== undefined) timers.clearTimeout(expiry);
    expiry = timers.setTimeout(() => lose('not renewed within the ttl'), validUntil - now());
  };
  const onStop = (): void => leading.abort();
  stop.addEventListener('abort', onStop, { once: true });
  arm(sentAt + options.ttlMs);
  logger.info({ lease: guard.name, term: guard.term }, 'started leading');
  Promise.resolve()
    .then(() => options.onStartedLeading(leading.signal, guard))
    .catch((err: unknown) => logger.error({ err }, 'onStartedLeading failed'));
  await renewWhileLeading(options, guard, leading.signal, { ...context, arm, lose });
  if (expiry !== undefined) timers.clearTimeout(expiry);
  stop.removeEventListener('abort', onStop);
  options.onStoppedLeading();
  if (stop.aborted) {
    await options.client.resign(guard, { deadlineMs: options.ttlMs / 3 })
      .catch((err: unknown) => logger.warn({ err }, 'resign failed'));
  }
}

async function renewWhileLeading(
  options: LeaderElectionOptions,
  guard: LeaseGuard,
  leading: AbortSignal,
  context: LeadContext & { arm(validUntil: number): void; lose(why: string): void },
): Promise<void> {
  const renewMs = options.ttlMs * STORE_CLIENT_LIMITS.leaseRenewFraction;
  const { sleep } = sleeper(context.timers, leading);
  while (!leading.aborted) {
    await sleep(renewMs);
    if (leading.aborted) return;
    const sentAt = context.now();
    try {
      await options.client.keepAlive(guard, { deadlineMs: renewMs, signal: leading });
      if (!leading.aborted) context.arm(sentAt + options.ttlMs);
    } catch (err) {
      if (isShoalError(err, 'FAILED_PRECONDITION')) context.lose('the store says the lease is lost');
      else context.logger.warn({ err, lease: guard.name }, 'keep-alive failed; retrying');
    }
  }
}
