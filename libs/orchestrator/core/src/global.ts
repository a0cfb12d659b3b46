import { assert } from '@shoal/assert';
import { TaskState, type Cluster, type Node, type Service, type Task } from '@shoal/proto';
import type { PassContext } from './context';
import { newTask, type IdSource } from './new-task';
import { finishPass, removeServiceTasks, startPass, type Plan, type PlanOptions } from './pass';
import { serviceModeOf } from './policy';
import { promoteHeldTasks, restartTask } from './restart';
import { splitSlots } from './slots';
import { hasStopped, isInvalidNode, isPaused, isRunnable } from './task-facts';
import { planUpdate, type UpdateSlot } from './update';
import { resolveUpdateTarget } from './update-target';

/** constraintsOf returns the effective service's placement constraints. */
function constraintsOf(ctx: PassContext): readonly string[] {
  return ctx.service.spec?.task?.placement?.constraints ?? [];
}

/**
 * isEligible reports whether a global service keeps a task on `node`: not DOWN, not DRAINED
 * and satisfying the service's constraints. PAUSED nodes are eligible (their tasks stay) but
 * get no new or updated tasks.
 */
export function isEligible(ctx: PassContext, node: Node | undefined): node is Node {
  if (node === undefined || isInvalidNode(node)) return false;
  return ctx.matches(node, constraintsOf(ctx));
}

/**
 * settleGlobalTasks shuts down runnable tasks whose node is gone, DOWN, DRAINED or no longer
 * satisfies the constraints, and tasks that stopped on a PAUSED node; other stopped tasks go
 * to the restart supervisor, which replaces them on the same node (SwarmKit global `FixTask`
 * and `tickTasks`).
 */
function settleGlobalTasks(ctx: PassContext): void {
  for (const task of ctx.builder.view()) {
    if (!isRunnable(task)) continue;
    const node = task.nodeId === '' ? undefined : ctx.nodes.get(task.nodeId);
    if (!isEligible(ctx, node) || (hasStopped(task) && isPaused(node))) {
      ctx.builder.raiseDesired(task.id, TaskState.SHUTDOWN);
    } else if (hasStopped(task)) {
      restartTask(ctx, task);
    }
  }
}

/**
 * placeGlobalTasks creates a task on every eligible, non-paused node without a kept slot and
 * returns the kept slots of those nodes for the updater; kept slots on other nodes are shut
 * down (paused nodes keep theirs untouched).
 */
function placeGlobalTasks(ctx: PassContext, kept: ReadonlyMap<string, Task[]>, start: TaskState): UpdateSlot[] {
  const slots: UpdateSlot[] = [];
  const byNode = new Map<string, Task[]>();
  for (const slot of kept.values()) byNode.set((slot[0] as Task).nodeId, slot);
  const nodeIds = [...ctx.nodes.keys()].sort();
  for (const nodeId of nodeIds) {
    const node = ctx.nodes.get(nodeId);
    const slot = byNode.get(nodeId);
    byNode.delete(nodeId);
    if (!isEligible(ctx, node)) {
      for (const t of slot ?? []) ctx.builder.raiseDesired(t.id, TaskState.SHUTDOWN);
      continue;
    }
    if (isPaused(node)) continue;
    if (slot !== undefined) {
      slots.push(slot);
      continue;
    }
    const jobIteration = ctx.jobIteration;
    ctx.builder.create(newTask(ctx.service, ctx.cluster, ctx.ids, { slot: 0, nodeId, desiredState: start, jobIteration }));
  }
  for (const slot of byNode.values()) {
    for (const t of slot) ctx.builder.raiseDesired(t.id, TaskState.SHUTDOWN);
  }
  return slots;
}

/**
 * planGlobal is one reconcile pass of a global service (SwarmKit `global.reconcileServices`
 * plus its node and task events): one task per eligible node (not DRAINED, not DOWN,
 * constraints satisfied via `options.matchConstraints`), created with `node_id` pre-filled;
 * PAUSED nodes neither get new tasks nor updates; tasks on drained, down, deleted or no longer
 * matching nodes are shut down (desired SHUTDOWN, no replacement); stopped tasks elsewhere are
 * restarted on their node; then the rolling updater goes node by node over the kept tasks and
 * held tasks whose delay ended start. `pending_delete` sets every task to REMOVE.
 *
 * Contract: as {@link planReplicated}; `nodes` must be every node (a node absent from it is
 * treated as deleted).
 */
export function planGlobal(
  service: Service,
  tasks: readonly Task[],
  nodes: readonly Node[],
  cluster: Cluster | undefined,
  nowMs: number,
  ids: IdSource,
  options: PlanOptions = {},
): Plan {
  assert(serviceModeOf(service.spec) === 'global', 'planGlobal takes global services');
  const own = tasks.filter((t) => t.serviceId === service.id);
  const target = resolveUpdateTarget(service, own, nowMs);
  const ctx = startPass({ service, effective: target.effective, tasks: own, nodes, cluster, nowMs, ids, options });
  if (service.pendingDelete) {
    removeServiceTasks(ctx);
    return finishPass(ctx);
  }
  settleGlobalTasks(ctx);
  const { kept } = splitSlots(ctx, target);
  const slots = placeGlobalTasks(ctx, kept, TaskState.RUNNING);
  planUpdate(ctx, target, slots);
  promoteHeldTasks(ctx);
  return finishPass(ctx);
}
