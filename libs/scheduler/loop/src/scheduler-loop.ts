// Assembling the scheduler's replica: the shared loop shell around a SchedulerReconciler.
import type { Clock, Timers } from '@shoal/clock';
import type { Logger } from '@shoal/logging';
import type { Metrics } from '@shoal/metrics';
import { ControlLoop, type LoopBatching, type LoopStore } from '@shoal/store-controller';
import { SCHEDULER_LOOP_LIMITS } from '@shoal/limits';
import { SchedulerReconciler } from './scheduler-reconciler';

/** SchedulerLoopOptions configure {@link createSchedulerLoop}. */
export interface SchedulerLoopOptions {
  readonly store: LoopStore;
  /** This replica's unique id in the lease, e.g. "<host>/<pid>". */
  readonly holder: string;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** Default SCHEDULER_LOOP_LIMITS.leaseTtlMs. */
  readonly leaseTtlMs?: number;
  /** Overrides of the batching (tests); default SwarmKit's 50 ms / 1 s. */
  readonly batching?: Partial<LoopBatching>;
  /** Called with each term's reconciler when it is created (tests, metrics). */
  readonly onTerm?: (reconciler: SchedulerReconciler) => void;
}

/**
 * createSchedulerLoop returns an idle scheduler replica (lease and writer "scheduler"); call
 * `start()`, and `stop()` to leave. Exactly one replica schedules at a time.
 */
export function createSchedulerLoop(options: SchedulerLoopOptions): ControlLoop {
  const L = SCHEDULER_LOOP_LIMITS;
  return new ControlLoop({
    name: 'scheduler',
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
      const reconciler = new SchedulerReconciler();
      options.onTerm?.(reconciler);
      return reconciler;
    },
  });
}
