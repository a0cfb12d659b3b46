// Public surface of @shoal/orchestrator-core: the orchestrator's pure planners. Each takes
// stored facts (service, tasks, nodes, cluster), a time and an id source, and returns the
// actions the app shell applies in one store transaction.
export type {
  Action,
  ActionType,
  CreateTask,
  DeleteTask,
  RequeueAfter,
  TaskChanges,
  UpdateServiceStatus,
  UpdateTask,
} from './actions';
export { matchConstraints, type NodeMatcher } from './constraints';
export { isTaskDirty, placementOnlyChanged } from './dirty';
export { ORCHESTRATOR_CORE_LIMITS, type OrchestratorCoreLimits } from '@shoal/limits';
export { newTask, taskName, type IdSource, type NewTaskOptions } from './new-task';
export { planGlobal } from './global';
export { planJob, resolveJobIteration } from './jobs';
export type { Plan, PlanOptions } from './pass';
export { historyLimitOf, isRemovable, planReap, REAPER_KEY } from './reaper';
export { protoEqual } from './proto-equal';
export { planReplicated, rankForScaleDown } from './replicated';
export {
  attemptsLeft,
  EMPTY_RESTART_HISTORY,
  forgetService,
  rebuildRestartHistory,
  recordRestart,
  restartSlotKey,
  type RestartHistory,
  type SlotRestarts,
} from './restart-history';
export { type UpdateSlot } from './update';
export { UPDATE_MESSAGES, resolveUpdateTarget, type UpdateTarget } from './update-target';
