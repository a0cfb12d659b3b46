import { assert } from '@shoal/assert';
import { TaskState, type Cluster, type Node, type Service, type Task } from '@shoal/proto';
import { ORCHESTRATOR_CORE_LIMITS } from '@shoal/limits';
import type { PassContext } from './context';
import { newTask, type IdSource } from './new-task';
import { finishPass, removeServiceTasks, startPass, type Plan, type PlanOptions } from './pass';
import { serviceModeOf } from './policy';
import { promoteHeldTasks, isStillRunning } from './restart';
import { restartStrandedTasks, splitSlots, type SlotSplit } from './slots';
import { observedState } from './task-facts';
import { planUpdate } from './update';
import { resolveUpdateTarget } from './update-target';

interface RankedSlot {
  readonly slot: Task[];
  readonly number: number;
  readonly running: boolean;
  /** nth copy of the service on the slot's node (1, 2, …); -1 when unassigned or shared. */
  index: number;
}

/**
 * rankForScaleDown orders kept slots best-to-keep first (SwarmKit `reconcile`): slots with a
 * RUNNING task before others, lower slot numbers first; then by how many copies of the
 * service precede them on their node, so the extras come off the most loaded nodes.
 */
export function rankForScaleDown(slots: ReadonlyMap<string, Task[]>): Task[][] {
  const ranked: RankedSlot[] = [...slots.values()].map((slot) => ({
    slot,
    number: (slot[0] as Task).slot,
    running: slot.some((t) => observedState(t) === TaskState.RUNNING),
    index: -1,
  }));
  ranked.sort((a, b) => (a.running !== b.running ? (a.running ? -1 : 1) : a.number - b.number));
  const perNode = new Map<string, number>();
  for (const r of ranked) {
    const only = r.slot.length === 1 ? r.slot[0] : undefined;
    if (only === undefined || only.nodeId === '') continue;
    const n = (perNode.get(only.nodeId) ?? 0) + 1;
    perNode.set(only.nodeId, n);
    r.index = n;
  }
  ranked.sort((a, b) => {
    if (a.index < 0 !== b.index < 0) return a.index < 0 ? 1 : -1;
    return a.index - b.index;
  });
  return ranked.map((r) => r.slot);
}

/**
 * scaleUp creates `count` tasks in the lowest slot numbers without a kept slot (reusing dead
 * slot numbers, whose old tasks then stay as history); returns the slot keys it reused. A
 * dead slot whose task may still run (e.g. scaled down to REMOVE, not yet stopped) is not
 * reused, so a slot number never runs twice (SwarmKit would reuse it at once).
 */
function scaleUp(ctx: PassContext, slots: SlotSplit, count: number): Set<string> {
  const taken = new Set([...slots.kept.values()].map((s) => (s[0] as Task).slot));
  for (const slot of slots.dead.values()) {
    if (slot.some((t) => isStillRunning(ctx, t))) taken.add((slot[0] as Task).slot);
  }
  const reused = new Set<string>();
  const batch = Math.min(count, ORCHESTRATOR_CORE_LIMITS.maxCreatesPerPass);
  if (batch < count) ctx.builder.requeueAfter(0);
  let slot = ORCHESTRATOR_CORE_LIMITS.firstServiceSlot - 1;
  for (let created = 0; created < batch; created++) {
    do slot++;
    while (taken.has(slot));
    const task = newTask(ctx.service, ctx.cluster, ctx.ids, { slot, nodeId: '', desiredState: TaskState.RUNNING });
    ctx.builder.create(task);
    reused.add(`${ctx.stored.id}/${slot}`);
  }
  return reused;
}

/**
 * planReplicated is one reconcile pass of a replicated service (SwarmKit
 * `replicated.reconcile` plus its task-event restarts and delayed starts):
 * 1. tasks that stopped, or sit on DOWN, DRAINED or deleted nodes, go to the restart
 *    supervisor (old task desired SHUTDOWN, replacement in the same slot);
 * 2. slots split into kept (updatable tasks) and dead ones;
 * 3. fewer kept slots than replicas: new tasks (desired RUNNING, observed NEW, name
 *    `<service>.<slot>`) fill the lowest free slot numbers; more: the extras, taken from
 *    the nodes with the most copies and non-running first, get desired REMOVE;
 * 4. dead slots not reused lose their tasks that no longer run (the reaper takes the rest);
 * 5. the rolling updater runs over the kept slots; 6. held tasks whose delay ended start.
 * A service with `pending_delete` only gets its tasks set to desired REMOVE.
 *
 * Contract: `tasks` may hold other services' tasks (ignored); `nodes` are all nodes; `ids`
 * yields fresh task ids; nothing is mutated. Same inputs, same plan.
 */
export function planReplicated(
  service: Service,
  tasks: readonly Task[],
  nodes: readonly Node[],
  cluster: Cluster | undefined,
  nowMs: number,
  ids: IdSource,
  options: PlanOptions = {},
): Plan {
  const mode = service.spec?.mode;
  assert(serviceModeOf(service.spec) === 'replicated', 'planReplicated takes replicated services');
  const own = tasks.filter((t) => t.serviceId === service.id);
  const target = resolveUpdateTarget(service, own, nowMs);
  const ctx = startPass({ service, effective: target.effective, tasks: own, nodes, cluster, nowMs, ids, options });
  if (service.pendingDelete) {
    removeServiceTasks(ctx);
    return finishPass(ctx);
  }
  restartStrandedTasks(ctx);
  const slots = splitSlots(ctx, target);
  const { kept, dead } = slots;
  const replicas = mode?.$case === 'replicated' ? mode.replicated.replicas : 0;
  let updateSlots = [...kept.values()];
  let reused = new Set<string>();
  if (replicas > kept.size) {
    reused = scaleUp(ctx, slots, replicas - kept.size);
  } else if (replicas < kept.size) {
    const ranked = rankForScaleDown(kept);
    updateSlots = ranked.slice(0, replicas);
    for (const slot of ranked.slice(replicas)) {
      for (const t of slot) ctx.builder.raiseDesired(t.id, TaskState.REMOVE);
    }
  }
  for (const [key, slot] of dead) {
    if (reused.has(key)) continue;
    for (const t of slot) if (!isStillRunning(ctx, t)) ctx.builder.delete(t.id);
  }
  planUpdate(ctx, target, updateSlots);
  promoteHeldTasks(ctx);
  return finishPass(ctx);
}
