import { SECOND_MS } from './units';

/**
 * ORCHESTRATOR_LIMITS are the orchestrators' defaults and the task reaper's batching.
 * Source: SwarmKit `api/defaults`, `manager.go`, `orchestrator/taskreaper`
 * (`../shared/reference/swarmkit.md` §2, §3).
 */
export const ORCHESTRATOR_LIMITS = Object.freeze({
  /** Terminal tasks kept per slot (or per node for global services) (SwarmKit default 5). */
  taskHistoryRetentionLimit: 5,
  /** Ms between a task ending and its replacement starting (SwarmKit restart `delay` 5 s). */
  restartDelayMs: 5 * SECOND_MS,
  /** Restart attempts allowed; 0 means unlimited (SwarmKit restart `max_attempts`). */
  restartMaxAttempts: 0,
  /** Ms a container gets between stop signal and kill (SwarmKit `stop_grace_period` 10 s). */
  stopGracePeriodMs: 10 * SECOND_MS,
  /** Tasks updated at once in a rolling update (SwarmKit update `parallelism` 1). */
  updateParallelism: 1,
  /** Ms between rolling-update batches (SwarmKit update `delay` 0). */
  updateDelayMs: 0,
  /** Ms an updated task is watched for failure after it runs (SwarmKit update `monitor` 5 s). */
  updateMonitorMs: 5 * SECOND_MS,
  /** Dirty slots the task reaper collects before it flushes (SwarmKit `maxDirty` 1000). */
  reaperMaxDirty: 1000,
  /** Ms between task-reaper flushes (SwarmKit `reaperBatchingInterval` 250 ms). */
  reaperBatchIntervalMs: 250,
});

/** OrchestratorLimits is the type of {@link ORCHESTRATOR_LIMITS}. */
export type OrchestratorLimits = typeof ORCHESTRATOR_LIMITS;
