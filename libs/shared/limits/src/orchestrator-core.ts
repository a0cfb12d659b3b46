import { assert } from '@shoal/assert';
import { MINUTE_MS, SECOND_MS } from './units';
import { ORCHESTRATOR_LIMITS } from './orchestrator';

/**
 * ORCHESTRATOR_CORE_LIMITS are the orchestrator planners' own constants, beyond the shared
 * defaults in `ORCHESTRATOR_LIMITS` (@shoal/limits). Source: SwarmKit `restart/restart.go`
 * (`defaultOldTaskTimeout`), `update/updater.go` (monitor extension), `replicated` (slots).
 *
 * Invariant: every value is a positive integer; the old-task timeout outlasts the default
 * restart delay (otherwise a delayed start would never wait for the old task).
 */
export const ORCHESTRATOR_CORE_LIMITS = Object.freeze({
  /**
   * Ms a held replacement waits for the task it replaces to stop before it starts anyway
   * (SwarmKit `defaultOldTaskTimeout` 1 min).
   */
  oldTaskTimeoutMs: MINUTE_MS,
  /**
   * Ms added to an update's `delay` to get its final monitoring period when `delay ≥ monitor`
   * (SwarmKit `updateConfig.Delay + 1*time.Second`).
   */
  updateMonitorExtensionMs: SECOND_MS,
  /** The first slot number of a replicated service (SwarmKit slots start at 1). */
  firstServiceSlot: 1,
  /** The first slot number of a replicated job (SwarmKit job slots start at 0). */
  firstJobSlot: 0,
  /**
   * Tasks a planner may create in one pass; larger scale-ups continue on the next pass
   * (requeued at once). Keeps one plan within a few store transactions.
   */
  maxCreatesPerPass: 1000,
});

/** OrchestratorCoreLimits is the type of {@link ORCHESTRATOR_CORE_LIMITS}. */
export type OrchestratorCoreLimits = typeof ORCHESTRATOR_CORE_LIMITS;

assert(
  ORCHESTRATOR_CORE_LIMITS.oldTaskTimeoutMs > ORCHESTRATOR_LIMITS.restartDelayMs,
  'old-task timeout outlasts the default restart delay',
);
assert(ORCHESTRATOR_CORE_LIMITS.updateMonitorExtensionMs > 0, 'monitor extension is positive');
assert(ORCHESTRATOR_CORE_LIMITS.maxCreatesPerPass > 0, 'a pass may create tasks');
