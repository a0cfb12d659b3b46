// Public surface of @shoal/scheduler-core: the scheduler's pure planner (filters, ranking,
// group placement with placement preferences) and its incremental node/task cache.
export {
  ENGINE_LABEL_PREFIX,
  NODE_LABEL_PREFIX,
  constraintsMatchNode,
  parseConstraints,
  type Constraint,
  type ConstraintKey,
  type ConstraintOperator,
  type PlainConstraintKey,
  type ParseConstraintsResult,
} from './constraint';
export { explainFailures, explainFilter, noSuitableNodeMessage } from './explain';
export { failureKey, failureTier, recentFailureCount, recordFailure } from './failures';
export {
  FILTER_ORDER,
  firstFailingFilter,
  nodeCapacity,
  passesFilter,
  taskRequirements,
  type FilterName,
  type PluginRequirements,
  type TaskRequirements,
} from './filters';
export { ipEqual, networkContains, parseCidr, parseIp, type IpAddress, type IpNetwork } from './ip';
export { SCHEDULER_CORE_LIMITS, type SchedulerCoreLimits } from '@shoal/limits';
export { NodeInfo, normalizeArchitecture, type TrackedTask } from './node-info';
export {
  claimToAssigned,
  taskReservations,
  type GenericClaim,
  type GenericDemand,
  type TaskReservations,
} from './resources';
export {
  ASSIGNED_MESSAGE,
  PREASSIGNED_MESSAGE,
  rollbackDecision,
  schedule,
  type ScheduleResult,
  type SchedulingDecision,
  type UnschedulableTask,
} from './schedule';
export {
  SchedulerState,
  isActiveDesiredState,
  type TaskDisposition,
} from './scheduler-state';
export { spreadValue, waterFill } from './spread-tree';
