// Limits of the allocator's shell that @shoal/limits does not name yet.
import { assert } from '@shoal/assert';
import { MINUTE_MS, SECOND_MS } from './units';
import { STORE_LIMITS } from './store';
import { WORKQUEUE_LIMITS } from './workqueue';

/**
 * ALLOCATOR_LOOP_LIMITS bound the allocator's shell.
 *
 * TODO(allocator): move into `@shoal/limits` once the owner of libs/shared agrees.
 */
export const ALLOCATOR_LOOP_LIMITS = Object.freeze({
  /**
   * Ms of quiet before a pass (Shoal): a `service create --replicas N` still lands in one pass,
   * since the orchestrator writes the service's tasks in one transaction.
   */
  debounceGapMs: 10,
  /** Ms a pass may be deferred by continuous events (Shoal, as the scheduler's maxLatency). */
  maxLatencyMs: 1 * SECOND_MS,
  /** Keys one pass takes at most (Shoal). */
  maxBatchKeys: 10_000,
  /** Changes per commit: the store's limit. */
  changesPerCommitMax: STORE_LIMITS.maxChangesPerTransaction,
  /** Ms before a failed allocation is tried again (SwarmKit allocator `retryInterval`). */
  allocationRetryMs: 5 * MINUTE_MS,
  /** Ms ttl of the allocator's lease: a successor acts within 2 × this (Shoal). */
  leaseTtlMs: 10 * SECOND_MS,
});

/** AllocatorLoopLimits is the type of {@link ALLOCATOR_LOOP_LIMITS}. */
export type AllocatorLoopLimits = typeof ALLOCATOR_LOOP_LIMITS;

const L = ALLOCATOR_LOOP_LIMITS;
assert(L.debounceGapMs < L.maxLatencyMs, 'debounce gap < max latency');
assert(L.maxBatchKeys <= WORKQUEUE_LIMITS.maxDepth, 'a batch fits the queue');
assert(L.changesPerCommitMax >= 2, 'a commit holds a service and a task');
