// Public surface of @shoal/dispatcher-core: the pure logic of the worker-facing API —
// heartbeat expiry, the registration rate limit, assignment set diffing with sequence
// numbers, task status validation and the last-write-wins batcher. See
// docs/design/dispatcher.md.
export {
  HeartbeatTracker,
  type HeartbeatSettings,
  type TrackedNode,
} from './heartbeat-tracker';
export { RegistrationLimiter, type RegistrationLimits } from './registration-limiter';
export {
  AssignmentSet,
  taskDependencies,
  tasksEqualStable,
  type AssignmentBatchLimits,
  type DependencySource,
} from './assignment-set';
export { sameObservation, validateStatus, type StatusVerdict } from './status-update';
export { LastWriteBatcher, type BatchLimits, type Queued } from './batcher';
