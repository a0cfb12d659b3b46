import { assert } from '@shoal/assert';
import { TaskState, type GenericResource, type Task } from '@shoal/proto';
import { explainFailures, explainFilter, noSuitableNodeMessage } from './explain';
import { failureTier, recentFailureCount } from './failures';
import {
  FILTER_ORDER,
  firstFailingFilter,
  nodeCapacity,
  taskRequirements,
  type FilterName,
  type TaskRequirements,
} from './filters';
import type { NodeInfo, TrackedTask } from './node-info';
import { rankedPlacement, type Candidates } from './ranked-placement';
import { claimToAssigned, type GenericClaim } from './resources';
import type { SchedulerState } from './scheduler-state';
import { spreadPlacement } from './spread-tree';

/** ASSIGNED_MESSAGE is the scheduler status message of a task it placed (SwarmKit's). */
export const ASSIGNED_MESSAGE = 'scheduler assigned task to node';
/** PREASSIGNED_MESSAGE is the status message of a confirmed preassigned task (SwarmKit's). */
export const PREASSIGNED_MESSAGE = 'scheduler confirmed task can run on preassigned node';

/**
 * SchedulingDecision assigns one task to one node. The shell writes `node_id`,
 * `assigned_generic_resources` and `scheduler_status` {ASSIGNED, `message`} in a transaction
 * that first checks the node's stored `meta.version.index` still equals `nodeVersion`; if it
 * does not (or the task is gone), it calls {@link rollbackDecision} and re-queues the task.
 */
export interface SchedulingDecision {
  readonly taskId: string;
  readonly nodeId: string;
  readonly nodeVersion: number;
  readonly assignedGenericResources: GenericResource[];
  /** The orchestrator chose the node (global service); the scheduler only checked it. */
  readonly preassigned: boolean;
  readonly message: string;
}

/**
 * UnschedulableTask is a task no node can take now. The shell writes `scheduler_status`
 * {PENDING, err: `message`} and keeps the task queued: it is retried when nodes or resources
 * change, never dropped.
 */
export interface UnschedulableTask {
  readonly taskId: string;
  readonly message: string;
}

/**
 * ScheduleResult is the outcome of one scheduling pass. Every pending task appears in exactly
 * one list; `deferred` holds preassigned tasks whose node is not known (yet): retry later
 * without writing anything (SwarmKit leaves them pending silently).
 */
export interface ScheduleResult {
  readonly decisions: SchedulingDecision[];
  readonly unschedulable: UnschedulableTask[];
  readonly deferred: string[];
}

/** Groups by (service, spec version, active); tasks without a spec version go alone. */
function groupKey(task: Task): string {
  if (task.specVersion === undefined) return `\u0001${task.id}`;
  const active = task.desiredState <= TaskState.COMPLETE ? 'a' : 'i';
  return `${task.serviceId}\u0000${task.specVersion.index}\u0000${active}`;
}

const ASSIGNED = TaskState.ASSIGNED;

/** The accounting record of a decision, from the group's requirements (shared by its tasks). */
function trackedFor(task: Task, req: TaskRequirements, claim: GenericClaim, preassigned: boolean):
  TrackedTask {
  return {
    taskId: task.id,
    serviceId: req.serviceId,
    failureKey: req.failureKey,
    active: req.active,
    state: ASSIGNED,
    preassigned,
    nanoCpus: req.reservations.nanoCpus,
    memoryBytes: req.reservations.memoryBytes,
    claim,
    hostPorts: req.hostPorts,
  };
}

function decide(state: SchedulerState, task: Task, req: TaskRequirements, info: NodeInfo,
  preassigned: boolean): SchedulingDecision {
  const claim = info.claimGeneric(req.reservations.generic);
  state.place(info.id, trackedFor(task, req, claim, preassigned));
  return {
    taskId: task.id,
    nodeId: info.id,
    nodeVersion: info.version,
    assignedGenericResources: claimToAssigned(claim),
    preassigned,
    message: preassigned ? PREASSIGNED_MESSAGE : ASSIGNED_MESSAGE,
  };
}

function schedulePreassigned(state: SchedulerState, task: Task, result: ScheduleResult): void {
  const info = state.nodeInfo(task.nodeId);
  if (info === undefined) {
    result.deferred.push(task.id);
    return;
  }
  state.markPreassigned(task.id);
  const req = taskRequirements(task);
  const failed = firstFailingFilter(req, info);
  if (failed >= 0) {
    const message = explainFilter(FILTER_ORDER[failed] as FilterName, 1);
    result.unschedulable.push({ taskId: task.id, message });
    return;
  }
  result.decisions.push(decide(state, task, req, info, true));
}

/** Runs the filters on every node; returns the candidates and per-filter failure counts. */
function filterNodes(req: TaskRequirements, nodes: readonly NodeInfo[], nowMs: number):
  { readonly candidates: Candidates; readonly failures: Int32Array } {
  const failures = new Int32Array(FILTER_ORDER.length);
  const infos: NodeInfo[] = [];
  const units: number[] = [];
  const tiers: number[] = [];
  for (const info of nodes) {
    const failed = firstFailingFilter(req, info);
    if (failed >= 0) {
      failures[failed] = (failures[failed] as number) + 1;
      continue;
    }
    const capacity = nodeCapacity(req, info);
    assert(capacity >= 1, 'a node that passes every filter can take a task');
    infos.push(info);
    units.push(capacity);
    tiers.push(info.failures.size === 0 ? 0 : failureTier(recentFailureCount(info, req.failureKey, nowMs)));
  }
  return { candidates: { infos, units, tiers }, failures };
}

/** Explains why the remaining tasks fit nowhere, from the nodes as they are after placing. */
function explainGroup(req: TaskRequirements, nodes: readonly NodeInfo[]): string {
  const failures = new Int32Array(FILTER_ORDER.length);
  for (const info of nodes) {
    const failed = firstFailingFilter(req, info);
    if (failed >= 0) failures[failed] = (failures[failed] as number) + 1;
  }
  return explainFailures(failures);
}

function scheduleGroup(state: SchedulerState, tasks: readonly Task[], nowMs: number,
  result: ScheduleResult): void {
  const req = taskRequirements(tasks[0] as Task);
  const nodes = state.orderedNodes();
  const { candidates } = filterNodes(req, nodes, nowMs);
  const chosen: number[] = [];
  if (req.spreadDescriptors.length === 0) {
    const all = candidates.infos.map((_, i) => i);
    rankedPlacement(candidates, all, req.serviceId, tasks.length, req.active, chosen);
  } else {
    spreadPlacement(req.spreadDescriptors, nodes, candidates, req.serviceId, tasks.length,
      req.active, chosen);
  }
  assert(chosen.length <= tasks.length, 'never more placements than tasks');
  for (let k = 0; k < chosen.length; k++) {
    const info = candidates.infos[chosen[k] as number] as NodeInfo;
    result.decisions.push(decide(state, tasks[k] as Task, req, info, false));
  }
  if (chosen.length === tasks.length) return;
  const message = noSuitableNodeMessage(explainGroup(req, nodes));
  for (let k = chosen.length; k < tasks.length; k++) {
    result.unschedulable.push({ taskId: (tasks[k] as Task).id, message });
  }
}

/**
 * schedule runs one scheduling pass (SwarmKit's `tick`) over the queued tasks, deterministic
 * and without I/O. Preassigned tasks (node already set) only go through the filters on their
 * node. The others are grouped by (service, spec version) — tasks without a spec version are
 * scheduled alone — and each group is placed at once: the filters run once per node, then a
 * heap (or the spread tree) picks nodes, O((n + k) log n) for k tasks on n nodes. Groups go in
 * order of first appearance; tasks within a group in input order.
 *
 * Each decision is reserved in `state` as it is made, so later tasks see it; the shell must
 * call {@link rollbackDecision} for any decision it fails to commit. Tasks that fit nowhere get
 * "no suitable node (…)" explaining, per filter, how many nodes refused them after placement.
 * Precondition: no pending task is tracked on a node and no id repeats.
 */
export function schedule(state: SchedulerState, pendingTasks: readonly Task[], nowMs: number):
  ScheduleResult {
  const result: ScheduleResult = { decisions: [], unschedulable: [], deferred: [] };
  const groups = new Map<string, Task[]>();
  const seen = new Set<string>();
  for (const task of pendingTasks) {
    assert(!seen.has(task.id), 'a pending task is queued once');
    seen.add(task.id);
    assert(state.nodeOfTask(task.id) === undefined, 'a pending task is not tracked on a node');
    if (task.nodeId !== '') {
      schedulePreassigned(state, task, result);
      continue;
    }
    const key = groupKey(task);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [task]);
    else group.push(task);
  }
  for (const group of groups.values()) scheduleGroup(state, group, nowMs, result);
  return result;
}

/**
 * rollbackDecision releases what a decision reserved in `state` (SwarmKit rolls back the
 * nodeInfo of a failed commit). Call it once per decision whose transaction failed, then
 * re-queue the task. A no-op when the task has since left that node.
 */
export function rollbackDecision(state: SchedulerState, decision: SchedulingDecision): void {
  if (state.nodeOfTask(decision.taskId) !== decision.nodeId) return;
  state.untrack(decision.taskId);
}
