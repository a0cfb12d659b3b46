// Assembling the allocator's replica: the shared loop shell around an AllocatorReconciler.
import type { Clock, Timers } from '@shoal/clock';
import type { Logger } from '@shoal/logging';
import type { Metrics } from '@shoal/metrics';
import { ControlLoop, type LoopBatching, type LoopStore } from '@shoal/store-controller';
import { ALLOCATOR_LOOP_LIMITS } from '@shoal/limits';
import { AllocatorReconciler } from './allocator-reconciler';

/** AllocatorLoopOptions configure {@link createAllocatorLoop}. */
export interface AllocatorLoopOptions {
  readonly store: LoopStore;
  /** This replica's unique id in the lease, e.g. "<host>/<pid>". */
  readonly holder: string;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** Default ALLOCATOR_LOOP_LIMITS.leaseTtlMs. */
  readonly leaseTtlMs?: number;
  /** Overrides of the batching (tests); default ALLOCATOR_LOOP_LIMITS. */
  readonly batching?: Partial<LoopBatching>;
  /** Called with each term's reconciler when it is created (tests, metrics). */
  readonly onTerm?: (reconciler: AllocatorReconciler) => void;
}

/**
 * createAllocatorLoop returns an idle allocator replica (lease and writer "allocator"); call
 * `start()`, and `stop()` to leave. Exactly one replica allocates at a time.
 */
export function createAllocatorLoop(options: AllocatorLoopOptions): ControlLoop {
  const L = ALLOCATOR_LOOP_LIMITS;
  return new ControlLoop({
    name: 'allocator',
    store: options.store,
    holder: options.holder,
    leaseTtlMs: options.leaseTtlMs ?? L.leaseTtlMs,
    clock: options.clock,
    timers: options.timers,
    logger: options.logger,
    metrics: options.metrics,
    batching: {
      debounceGapMs: options.batching?.debounceGapMs ?? L.debounceGapMs,
      maxLatencyMs: options.batching?.maxLatencyMs ?? L.maxLatencyMs,
      maxBatchKeys: options.batching?.maxBatchKeys ?? L.maxBatchKeys,
    },
    reconciler: () => {
      const reconciler = new AllocatorReconciler();
      options.onTerm?.(reconciler);
      return reconciler;
    },
  });
}
