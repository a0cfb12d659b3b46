// Public surface of @shoal/allocator-loop: the allocator's shell (informer, work queue,
// debounced passes, leader election, the transaction site) around @shoal/allocator-core.
// See docs/design/allocator.md.
export { createAllocatorLoop, type AllocatorLoopOptions } from './allocator-loop';
export { AllocatorReconciler } from './allocator-reconciler';
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
export { ALLOCATOR_LOOP_LIMITS, type AllocatorLoopLimits } from '@shoal/limits';
