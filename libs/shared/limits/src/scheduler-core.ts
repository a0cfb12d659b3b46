// Limits of the scheduler core that @shoal/limits does not name yet (see the report that added
// this file). Each is a named maximum, with its relationships asserted at module load.
import { assert } from '@shoal/assert';
import { SCHEDULER_LIMITS } from './scheduler';

/**
 * SCHEDULER_CORE_LIMITS bound the scheduler's in-memory bookkeeping.
 *
 * TODO(scheduler): move into `@shoal/limits` (SCHEDULER_LIMITS) once the owner of libs/shared
 * agrees.
 */
export const SCHEDULER_CORE_LIMITS = Object.freeze({
  /**
   * Failure timestamps kept per (node, service, spec version). SwarmKit keeps every failure of
   * the last `monitorFailures` window; we keep the newest ones only, which is enough to rank
   * faulty nodes (a node with this many recent failures ranks as having exactly this many).
   */
  recentFailuresKeptMax: 64,
  /** Placement-preference levels honoured per service; deeper levels are ignored (Shoal). */
  placementPreferencesMax: 8,
});

/** SchedulerCoreLimits is the type of {@link SCHEDULER_CORE_LIMITS}. */
export type SchedulerCoreLimits = typeof SCHEDULER_CORE_LIMITS;

assert(
  SCHEDULER_CORE_LIMITS.recentFailuresKeptMax > SCHEDULER_LIMITS.maxFailures,
  'kept failures exceed the faulty-node threshold, so faulty nodes can still be ordered',
);
assert(SCHEDULER_CORE_LIMITS.placementPreferencesMax >= 1, 'at least one spread level');
