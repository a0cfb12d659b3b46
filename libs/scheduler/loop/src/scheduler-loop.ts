// Assembling the scheduler's replica: the shared loop shell around a SchedulerReconciler.
import { SCHEDULER_LOOP_LIMITS } from '@shoal/limits';
import { createLoopReplica, type ControlLoop, type LoopReplicaOptions } from '@shoal/store-controller';
import { SchedulerReconciler } from './scheduler-reconciler';

/** SchedulerLoopOptions configure {@link createSchedulerLoop}; defaults are SCHEDULER_LOOP_LIMITS. */
export type SchedulerLoopOptions = LoopReplicaOptions<SchedulerReconciler>;

/**
 * createSchedulerLoop returns an idle scheduler replica (lease and writer "scheduler"); call
 * `start()`, and `stop()` to leave. Exactly one replica schedules at a time.
 */
export function createSchedulerLoop(options: SchedulerLoopOptions): ControlLoop {
  return createLoopReplica('scheduler', SCHEDULER_LOOP_LIMITS, () => new SchedulerReconciler(), options);
}
