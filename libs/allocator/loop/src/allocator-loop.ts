// Assembling the allocator's replica: the shared loop shell around an AllocatorReconciler.
import { ALLOCATOR_LOOP_LIMITS } from '@shoal/limits';
import { createLoopReplica, type ControlLoop, type LoopReplicaOptions } from '@shoal/store-controller';
import { AllocatorReconciler } from './allocator-reconciler';

/** AllocatorLoopOptions configure {@link createAllocatorLoop}; defaults are ALLOCATOR_LOOP_LIMITS. */
export type AllocatorLoopOptions = LoopReplicaOptions<AllocatorReconciler>;

/**
 * createAllocatorLoop returns an idle allocator replica (lease and writer "allocator"); call
 * `start()`, and `stop()` to leave. Exactly one replica allocates at a time.
 */
export function createAllocatorLoop(options: AllocatorLoopOptions): ControlLoop {
  return createLoopReplica('allocator', ALLOCATOR_LOOP_LIMITS, () => new AllocatorReconciler(), options);
}
