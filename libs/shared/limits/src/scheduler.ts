import { MINUTE_MS, SECOND_MS } from './units';

/**
 * SCHEDULER_LIMITS are the scheduler's batching and faulty-node settings. Source: SwarmKit
 * `manager/scheduler` (`../shared/reference/swarmkit.md` §4).
 */
export const SCHEDULER_LIMITS = Object.freeze({
  /** Ms a pass may be deferred by continuous commits (SwarmKit `maxLatency` 1 s). */
  maxLatencyMs: 1 * SECOND_MS,
  /** Recent failures of a service on a node that mark the node faulty (SwarmKit 5). */
  maxFailures: 5,
  /** Ms a task failure counts toward `maxFailures` (SwarmKit `monitorFailures` 5 min). */
  monitorFailuresMs: 5 * MINUTE_MS,
});

/** SchedulerLimits is the type of {@link SCHEDULER_LIMITS}. */
export type SchedulerLimits = typeof SCHEDULER_LIMITS;
