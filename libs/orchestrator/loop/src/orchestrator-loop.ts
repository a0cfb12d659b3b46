// Assembling the orchestrator's replica: the shared loop shell around an OrchestratorReconciler.
import type { Clock, Timers } from '@shoal/clock';
import type { Logger } from '@shoal/logging';
import type { Metrics } from '@shoal/metrics';
import type { IdSource, NodeMatcher } from '@shoal/orchestrator-core';
import { newRandomId } from '@shoal/runtime';
import { ControlLoop, type LoopBatching, type LoopStore } from '@shoal/store-controller';
import { ORCHESTRATOR_LOOP_LIMITS } from '@shoal/limits';
import { OrchestratorReconciler } from './orchestrator-reconciler';

/** OrchestratorLoopOptions configure {@link createOrchestratorLoop}. */
export interface OrchestratorLoopOptions {
  readonly store: LoopStore;
  /** This replica's unique id in the lease, e.g. "<host>/<pid>". */
  readonly holder: string;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** Default ORCHESTRATOR_LOOP_LIMITS.leaseTtlMs. */
  readonly leaseTtlMs?: number;
  /** Overrides of the batching (tests); default ORCHESTRATOR_LOOP_LIMITS. */
  readonly batching?: Partial<LoopBatching>;
  /** Ids of new tasks (default: crypto-random ids). */
  readonly ids?: IdSource;
  /** Placement-constraint matcher of global services (default: the core's small matcher). */
  readonly matchConstraints?: NodeMatcher;
  /** Called with each term's reconciler when it is created (tests, metrics). */
  readonly onTerm?: (reconciler: OrchestratorReconciler) => void;
}

/**
 * createOrchestratorLoop returns an idle orchestrator replica (lease and writer "orchestrator"); call
 * `start()`, and `stop()` to leave. Exactly one replica orchestrates at a time.
 */
export function createOrchestratorLoop(options: OrchestratorLoopOptions): ControlLoop {
  const L = ORCHESTRATOR_LOOP_LIMITS;
  return new ControlLoop({
    name: 'orchestrator',
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
      const reconciler = new OrchestratorReconciler(options.ids ?? newRandomId, options.matchConstraints);
      options.onTerm?.(reconciler);
      return reconciler;
    },
  });
}
