// Limits of the store client library that @shoal/limits does not name yet. Each is a named
// maximum or default, with its relationships asserted at module load.
import { assert } from '@shoal/assert';
import { GRPC_LIMITS } from './grpc';
import { MINUTE_MS, SECOND_MS } from './units';
import { STORE_LIMITS } from './store';
import { WORKQUEUE_LIMITS } from './workqueue';

/**
 * STORE_CLIENT_LIMITS bound what @shoal/store-client retries, waits for and caches.
 *
 * TODO(store): move into `@shoal/limits` once the owner of libs/shared agrees.
 */
export const STORE_CLIENT_LIMITS = Object.freeze({
  /** Ms deadline of one unary attempt unless the caller sets one (GRPC_LIMITS, 5 s). */
  unaryDeadlineMs: GRPC_LIMITS.unaryDeadlineMs,
  /**
   * Ms deadline of one write attempt: a write waits for its raft entry to apply, so it gets
   * the proposal timeout (SwarmKit reqTimeout) rather than the unary default.
   */
  writeDeadlineMs: STORE_LIMITS.proposalTimeoutMs,
  /** Ms deadline of a whole List or Find stream (finite streams get deadlines too). */
  listDeadlineMs: 60 * SECOND_MS,
  /** Attempts of one call (first try included) when each failure is retry-safe (Shoal). */
  callAttemptsMax: 5,
  /** Ms before the first retry; doubles per attempt, with full jitter (Shoal). */
  retryBaseDelayMs: 50,
  /** Ms cap of one retry delay (Shoal). */
  retryMaxDelayMs: 2 * SECOND_MS,
  /** Read-modify-write rounds `update` makes on SEQUENCE_CONFLICT (client-go RetryOnConflict). */
  updateConflictRetriesMax: 5,
  /** Ms before a watch is re-established after a failure; doubles per failure (Shoal). */
  watchRetryBaseDelayMs: 100,
  /** Ms cap of the watch re-establishment delay (Shoal). */
  watchRetryMaxDelayMs: 10 * SECOND_MS,
  /** Ms between watch progress events the client asks the server for (Shoal). */
  watchProgressIntervalMs: 5 * SECOND_MS,
  /** Ms between informer resyncs that re-deliver the cache (0 = none; client-go default 0). */
  informerResyncMs: 5 * MINUTE_MS,
  /** Ms before an informer relists after a failure; doubles per failure (client-go 800 ms). */
  informerRelistBaseDelayMs: 800,
  /** Ms cap of the informer's relist delay (client-go 30 s). */
  informerRelistMaxDelayMs: 30 * SECOND_MS,
  /** Fraction of the lease ttl between keep-alives (etcd: ttl / 3). */
  leaseRenewFraction: 1 / 3,
  /** Fraction of the lease ttl between campaigns of a candidate that is not leading. */
  leaseRetryFraction: 1 / 3,
});

/** StoreClientLimits is the type of {@link STORE_CLIENT_LIMITS}. */
export type StoreClientLimits = typeof STORE_CLIENT_LIMITS;

const L = STORE_CLIENT_LIMITS;
assert(L.callAttemptsMax >= 1, 'a call is tried at least once');
assert(L.retryBaseDelayMs > 0 && L.retryBaseDelayMs <= L.retryMaxDelayMs, 'retry backoff grows');
assert(L.updateConflictRetriesMax >= 1, 'update retries a conflict at least once');
assert(L.watchRetryBaseDelayMs <= L.watchRetryMaxDelayMs, 'watch backoff grows');
assert(L.informerRelistBaseDelayMs <= L.informerRelistMaxDelayMs, 'relist backoff grows');
assert(L.leaseRenewFraction > 0 && L.leaseRenewFraction < 0.5, 'two renewals fit a ttl');
assert(L.leaseRetryFraction > 0 && L.leaseRetryFraction <= 1, 'a loser retries within a ttl');
assert(L.writeDeadlineMs >= L.unaryDeadlineMs, 'writes get at least a unary deadline');
assert(WORKQUEUE_LIMITS.maxDepth > 0, 'work queues hold keys');
