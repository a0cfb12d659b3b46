// Public surface of @shoal/orchestrator-loop: the orchestrator's shell (informer, work queue,
// debounced passes, leader election, the transaction site) around @shoal/orchestrator-core.
// See docs/design/orchestrator.md.
export { applyPlan, type PlanOutcome, type PlanSource } from './apply-plan';
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
export { ORCHESTRATOR_LOOP_LIMITS, type OrchestratorLoopLimits } from '@shoal/limits';
export { createOrchestratorLoop, type OrchestratorLoopOptions } from './orchestrator-loop';
export { OrchestratorReconciler } from './orchestrator-reconciler';
