// Limits of the scheduler's shell that @shoal/limits does not name yet.
import { assert } from '@shoal/assert';
import { SCHEDULER_LIMITS } from './scheduler';
import { SECOND_MS } from './units';
import { STORE_LIMITS } from './store';
import { WORKQUEUE_LIMITS } from './workqueue';

/**
 * SCHEDULER_LOOP_LIMITS bound the scheduler's shell: its batching (SwarmKit's debounce) and
 * its commits.
 *
 * TODO(scheduler): move into `@shoal/limits` once the owner of libs/shared agrees.
 */
export const SCHEDULER_LOOP_LIMITS = Object.freeze({
  /**
   * Ms of quiet before a pass (SwarmKit `commitDebounceGap` 50 ms; Shoal 10 ms: the store
   * delivers a transaction's events together and keys pile up while a pass runs, so a short
   * gap loses no batching and every hop of a task's way to a node gets 40 ms shorter).
   */
  debounceGapMs: 10,
  /** Ms a pass may be deferred by continuous events (SwarmKit `maxLatency`). */
  maxLatencyMs: SCHEDULER_LIMITS.maxLatencyMs,
  /** Keys one pass takes from the queue at most (every pending task is scheduled anyway). */
  maxBatchKeys: WORKQUEUE_LIMITS.maxDepth,
  /** Changes per commit: the store's limit (SwarmKit `MaxChangesPerTransaction`). */
  changesPerCommitMax: STORE_LIMITS.maxChangesPerTransaction,
  /**
   * Transactions of one pass in flight at once (Shoal): chunks touch disjoint nodes, so they
   * commit independently, and the raft-store batches concurrent proposals into one append.
   */
  commitConcurrency: 8,
  /** Attempts of one chunk, each dropping the decisions the store refused (Shoal). */
  commitAttemptsMax: 3,
  /** Ms ttl of the scheduler's lease: a successor acts within 2 × this (Shoal). */
  leaseTtlMs: 10 * SECOND_MS,
  /** The key that asks for a pass without naming a task (nodes or resources changed). */
  tickKey: 'scheduler/tick',
});

/** SchedulerLoopLimits is the type of {@link SCHEDULER_LOOP_LIMITS}. */
export type SchedulerLoopLimits = typeof SCHEDULER_LOOP_LIMITS;

const L = SCHEDULER_LOOP_LIMITS;
assert(L.debounceGapMs < L.maxLatencyMs, 'debounce gap < max latency');
assert(L.changesPerCommitMax >= 2, 'a commit holds a node fence and a task');
assert(L.commitAttemptsMax >= 1, 'a chunk is tried once');
assert(L.commitConcurrency >= 1, 'a pass commits');
