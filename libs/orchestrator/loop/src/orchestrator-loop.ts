// Assembling the orchestrator's replica: the shared loop shell around an OrchestratorReconciler.
import type { IdSource, NodeMatcher } from '@shoal/orchestrator-core';
import { newRandomId } from '@shoal/runtime';
import { createLoopReplica, type ControlLoop, type LoopReplicaOptions } from '@shoal/store-controller';
import { ORCHESTRATOR_LOOP_LIMITS } from '@shoal/limits';
import { OrchestratorReconciler } from './orchestrator-reconciler';

/** OrchestratorLoopOptions configure {@link createOrchestratorLoop}; defaults are ORCHESTRATOR_LOOP_LIMITS. */
export interface OrchestratorLoopOptions extends LoopReplicaOptions<OrchestratorReconciler> {
  /** Ids of new tasks (default: crypto-random ids). */
  readonly ids?: IdSource;
  /** Placement-constraint matcher of global services (default: the core's small matcher). */
  readonly matchConstraints?: NodeMatcher;
}

/**
 * createOrchestratorLoop returns an idle orchestrator replica (lease and writer "orchestrator"); call
 * `start()`, and `stop()` to leave. Exactly one replica orchestrates at a time.
 */
export function createOrchestratorLoop(options: OrchestratorLoopOptions): ControlLoop {
  return createLoopReplica('orchestrator', ORCHESTRATOR_LOOP_LIMITS,
    () => new OrchestratorReconciler(options.ids ?? newRandomId, options.matchConstraints), options);
}
