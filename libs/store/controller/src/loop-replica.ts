// One replica of a control loop, assembled the same way for the orchestrator, scheduler and
// allocator: the shared ControlLoop shell around that loop's reconciler, its limits as defaults.
import type { Clock, Timers } from '@shoal/clock';
import type { Logger } from '@shoal/logging';
import type { Metrics } from '@shoal/metrics';
import type { OwnerName } from '@shoal/proto';
import { ControlLoop, type LoopBatching, type LoopStore, type Reconciler } from './control-loop';

/** LoopReplicaOptions configure one replica of a control loop. */
export interface LoopReplicaOptions<R extends Reconciler> {
  readonly store: LoopStore;
  /** This replica's unique id in the lease, e.g. "<host>/<pid>". */
  readonly holder: string;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** Default the loop's limits' leaseTtlMs. */
  readonly leaseTtlMs?: number;
  /** Overrides of the batching (tests); default the loop's limits. */
  readonly batching?: Partial<LoopBatching>;
  /** Called with each term's reconciler when it is created (tests, metrics). */
  readonly onTerm?: (reconciler: R) => void;
}

/** LoopDefaults are a loop's named limits that a replica falls back on. */
export interface LoopDefaults extends LoopBatching {
  readonly leaseTtlMs: number;
}

/**
 * createLoopReplica returns an idle replica of loop `name` (its lease and writer identity);
 * call `start()`, and `stop()` to leave. `reconciler` makes each term's reconciler; exactly
 * one replica acts at a time.
 */
export function createLoopReplica<R extends Reconciler>(
  name: OwnerName,
  defaults: LoopDefaults,
  reconciler: () => R,
  options: LoopReplicaOptions<R>,
): ControlLoop {
  return new ControlLoop({
    name,
    store: options.store,
    holder: options.holder,
    leaseTtlMs: options.leaseTtlMs ?? defaults.leaseTtlMs,
    clock: options.clock,
    timers: options.timers,
    logger: options.logger,
    metrics: options.metrics,
    batching: {
      debounceGapMs: options.batching?.debounceGapMs ?? defaults.debounceGapMs,
      maxLatencyMs: options.batching?.maxLatencyMs ?? defaults.maxLatencyMs,
      maxBatchKeys: options.batching?.maxBatchKeys ?? defaults.maxBatchKeys,
    },
    reconciler: () => {
      const made = reconciler();
      options.onTerm?.(made);
      return made;
    },
  });
}
