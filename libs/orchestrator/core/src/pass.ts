import { assert } from '@shoal/assert';
import { TaskState, type Cluster, type Node, type Service, type Task, type Version } from '@shoal/proto';
import type { Action } from './actions';
import { matchConstraints, type NodeMatcher } from './constraints';
import type { PassContext } from './context';
import type { IdSource } from './new-task';
import { PlanBuilder } from './plan-builder';
import { isGlobalMode, serviceModeOf } from './policy';
import { rebuildRestartHistory, type RestartHistory } from './restart-history';
import { indexNodes } from './task-facts';

/** PlanOptions are a planner's optional inputs. */
export interface PlanOptions {
  /**
   * The restart history carried from earlier passes (the shell keeps the `history` of each
   * committed plan). Absent: rebuilt from the service's tasks, as at startup (taskinit).
   */
  readonly history?: RestartHistory;
  /** Placement-constraint matcher; default {@link matchConstraints}. */
  readonly matchConstraints?: NodeMatcher;
}

/**
 * Plan is a planner's result: the actions for the shell to apply in one transaction, and the
 * restart history to keep if (and only if) that transaction commits.
 */
export interface Plan {
  readonly actions: readonly Action[];
  readonly history: RestartHistory;
}

/** PassInputs are the facts one planner pass reads. */
export interface PassInputs {
  /** The stored service. */
  readonly service: Service;
  /** The service to converge to (the stored one, or its previous spec in a rollback). */
  readonly effective: Service;
  readonly tasks: readonly Task[];
  readonly nodes: readonly Node[];
  readonly cluster: Cluster | undefined;
  readonly nowMs: number;
  readonly ids: IdSource;
  readonly options: PlanOptions;
  readonly jobIteration?: Version;
}

/**
 * startPass builds the {@link PassContext} of one planner pass over one service: the working
 * view holds the service's tasks only, keyed for requeue by the service id.
 */
export function startPass(inputs: PassInputs): PassContext {
  const { service, nowMs } = inputs;
  assert(Number.isFinite(nowMs), 'now is a finite time');
  assert(service.id !== '', 'the service has an id');
  const own = inputs.tasks.filter((t) => t.serviceId === service.id);
  const mode = serviceModeOf(service.spec);
  const history = inputs.options.history ??
    rebuildRestartHistory(own, () => isGlobalMode(mode), nowMs);
  return {
    builder: new PlanBuilder(service.id, own, nowMs),
    service: inputs.effective,
    stored: service,
    mode,
    nodes: indexNodes(inputs.nodes),
    cluster: inputs.cluster,
    nowMs,
    ids: inputs.ids,
    matches: inputs.options.matchConstraints ?? matchConstraints,
    jobIteration: inputs.jobIteration,
    history,
  };
}

/** finishPass returns the pass's plan. */
export function finishPass(ctx: PassContext): Plan {
  return { actions: ctx.builder.finish(), history: ctx.history };
}

/**
 * removeServiceTasks sets desired REMOVE on every task of a service being deleted
 * (`pending_delete`); the reaper deletes them once they stopped (SwarmKit
 * `SetServiceTasksRemove`).
 */
export function removeServiceTasks(ctx: PassContext): void {
  for (const t of ctx.builder.view()) ctx.builder.raiseDesired(t.id, TaskState.REMOVE);
}
