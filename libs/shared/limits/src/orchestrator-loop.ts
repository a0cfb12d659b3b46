// Limits of the orchestrator's shell that @shoal/limits does not name yet.
import { assert } from '@shoal/assert';
import { ORCHESTRATOR_LIMITS } from './orchestrator';
import { SECOND_MS } from './units';
import { STORE_LIMITS } from './store';
import { WORKQUEUE_LIMITS } from './workqueue';

/**
 * ORCHESTRATOR_LOOP_LIMITS bound the orchestrator's shell.
 *
 * TODO(orchestrator): move into `@shoal/limits` once the owner of libs/shared agrees.
 */
export const ORCHESTRATOR_LOOP_LIMITS = Object.freeze({
  /** Ms of quiet before a pass (Shoal, as the scheduler's: a transaction's events arrive together). */
  debounceGapMs: 10,
  /** Ms a pass may be deferred by continuous events (SwarmKit reaper `reaperBatchingInterval` 250 ms). */
  maxLatencyMs: ORCHESTRATOR_LIMITS.reaperBatchIntervalMs,
  /** Keys one pass takes at most (SwarmKit reaper `maxDirty`). */
  maxBatchKeys: ORCHESTRATOR_LIMITS.reaperMaxDirty,
  /** Changes per commit: the store's limit; a larger plan is split (each chunk replans safely). */
  changesPerCommitMax: STORE_LIMITS.maxChangesPerTransaction,
  /** Ms ttl of the orchestrator's lease: a successor acts within 2 × this (Shoal). */
  leaseTtlMs: 10 * SECOND_MS,
});

/** OrchestratorLoopLimits is the type of {@link ORCHESTRATOR_LOOP_LIMITS}. */
export type OrchestratorLoopLimits = typeof ORCHESTRATOR_LOOP_LIMITS;

const L = ORCHESTRATOR_LOOP_LIMITS;
assert(L.debounceGapMs < L.maxLatencyMs, 'debounce gap < max latency');
assert(L.maxBatchKeys <= WORKQUEUE_LIMITS.maxDepth, 'a batch fits the queue');
assert(L.changesPerCommitMax > 0, 'a commit holds changes');
