// Public surface of @shoal/scheduler-loop: the scheduler's shell (informer, work queue,
// debounced passes, leader election, the batched transaction site) around
// @shoal/scheduler-core. See docs/design/scheduler.md.
export {
  assignedTask,
  commitDecisions,
  unschedulableChanges,
  type CommitResult,
  type CommitSource,
} from './commit-decisions';
export {
  ControlLoop,
  type CacheEvent,
  type ControlLoopOptions,
  type KeyOutcome,
  type LoopBatching,
  type LoopStats,
  type LoopStore,
  type PassContext,
  type Reconciler,
} from '@shoal/store-controller';
export { SCHEDULER_LOOP_LIMITS, type SchedulerLoopLimits } from '@shoal/limits';
export { createSchedulerLoop, type SchedulerLoopOptions } from './scheduler-loop';
export { SchedulerReconciler, type PassReport } from './scheduler-reconciler';
