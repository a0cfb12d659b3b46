import { assert } from '@shoal/assert';
import { TaskState, observedTaskState, type Node, type Task } from '@shoal/proto';
import { failureKey, recordFailure } from './failures';
import { NodeInfo, type TrackedTask } from './node-info';
import {
  claimFromAssigned,
  taskHostPorts,
  taskReservations,
  type GenericClaim,
} from './resources';

/**
 * TaskDisposition says what the scheduler must do with a task it was shown:
 * - `unassigned`: observed PENDING without a node; queue it for {@link schedule}.
 * - `preassigned`: observed PENDING with a node set by the orchestrator (global services);
 *   queue it too: {@link schedule} only runs the filters on that node.
 * - `tracked`: assigned and not finished; it counts on its node and needs nothing.
 * - `ignored`: not yet PENDING, or past RUNNING; it holds nothing and needs nothing.
 */
export type TaskDisposition = 'unassigned' | 'preassigned' | 'tracked' | 'ignored';

/** isActiveDesiredState: desired ≤ COMPLETE counts towards a node's active tasks. */
export function isActiveDesiredState(desired: TaskState): boolean {
  return desired <= TaskState.COMPLETE;
}

function isFailure(state: TaskState): boolean {
  return state === TaskState.FAILED || state === TaskState.REJECTED;
}

/**
 * trackedTaskOf builds the accounting record of a task placed on a node, with `claim` as its
 * generic resources (the stored `assigned_generic_resources`, or a fresh claim).
 */
export function trackedTaskOf(task: Task, claim: GenericClaim, preassigned: boolean,
  state: TaskState): TrackedTask {
  const reservations = taskReservations(task);
  return {
    taskId: task.id,
    serviceId: task.serviceId,
    failureKey: failureKey(task),
    active: isActiveDesiredState(task.desiredState),
    state,
    preassigned,
    nanoCpus: reservations.nanoCpus,
    memoryBytes: reservations.memoryBytes,
    claim,
    hostPorts: taskHostPorts(task),
  };
}

/**
 * SchedulerState is the scheduler's private cache (SwarmKit's nodeSet plus the per-node task
 * accounting), fed by the shell from a list-then-watch of nodes and tasks. Every update is
 * O(1) expected in the number of nodes and tasks (hash maps), except `removeNode`, which is
 * O(tasks on the node). It never reads the store; its objects are never mutated.
 *
 * Invariant: `taskNode` maps exactly the tasks tracked on some NodeInfo or parked for a node
 * not seen yet; a task id is tracked on at most one node.
 */
export class SchedulerState {
  private readonly nodeInfos = new Map<string, NodeInfo>();
  /** Tasks assigned to a node this state has not seen yet, attached when it appears. */
  private readonly parked = new Map<string, Map<string, TrackedTask>>();
  private readonly taskNode = new Map<string, string>();
  /** Tasks once seen preassigned (global): their failures never mark a node. */
  private readonly preassigned = new Set<string>();
  private ordered: NodeInfo[] | undefined = undefined;

  /** nodeCount is the number of known nodes. */
  get nodeCount(): number {
    return this.nodeInfos.size;
  }

  /** trackedTaskCount is the number of tasks accounted on nodes (parked ones included). */
  get trackedTaskCount(): number {
    return this.taskNode.size;
  }

  /** nodeInfo returns the accounting of a node, or undefined when unknown. */
  nodeInfo(nodeId: string): NodeInfo | undefined {
    return this.nodeInfos.get(nodeId);
  }

  /** nodeOfTask returns the node a task is tracked on, or undefined. */
  nodeOfTask(taskId: string): string | undefined {
    return this.taskNode.get(taskId);
  }

  /**
   * orderedNodes returns every NodeInfo sorted by node id (code-unit order) and sets each
   * one's `ordinal`. Cached until a node is added or removed; the caller must not modify it.
   */
  orderedNodes(): readonly NodeInfo[] {
    if (this.ordered === undefined) {
      const nodes = [...this.nodeInfos.values()];
      nodes.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      for (let i = 0; i < nodes.length; i++) (nodes[i] as NodeInfo).ordinal = i;
      this.ordered = nodes;
    }
    return this.ordered;
  }

  /** upsertNode adds a node or replaces its object (created or updated in the store). */
  upsertNode(node: Node): void {
    const existing = this.nodeInfos.get(node.id);
    if (existing !== undefined) {
      existing.setNode(node);
      return;
    }
    const info = new NodeInfo(node);
    this.nodeInfos.set(node.id, info);
    this.ordered = undefined;
    const waiting = this.parked.get(node.id);
    if (waiting === undefined) return;
    this.parked.delete(node.id);
    for (const task of waiting.values()) info.addTask(task);
  }

  /** removeNode forgets a node (deleted from the store) and the accounting of its tasks. */
  removeNode(nodeId: string): void {
    const info = this.nodeInfos.get(nodeId);
    if (info === undefined) return;
    for (const taskId of info.tasks.keys()) this.taskNode.delete(taskId);
    this.nodeInfos.delete(nodeId);
    this.ordered = undefined;
  }

  /** removeTask forgets a task (deleted from the store), releasing what it held. */
  removeTask(taskId: string): void {
    this.untrack(taskId);
    this.preassigned.delete(taskId);
  }

  /**
   * upsertTask applies a created or updated task (SwarmKit's createTask/updateTask) and says
   * what the scheduler must do with it. `nowMs` stamps a failure: a tracked task whose observed
   * state becomes FAILED or REJECTED counts against its node for its service version, unless
   * it was preassigned. A task past RUNNING releases its node's resources.
   */
  upsertTask(task: Task, nowMs: number): TaskDisposition {
    const state = observedTaskState(task);
    if (state < TaskState.PENDING) {
      this.untrack(task.id);
      return 'ignored';
    }
    if (state > TaskState.RUNNING) {
      this.finish(task.id, state, nowMs);
      return 'ignored';
    }
    if (task.nodeId === '') {
      this.untrack(task.id);
      return 'unassigned';
    }
    if (state === TaskState.PENDING) {
      this.untrack(task.id);
      this.preassigned.add(task.id);
      return 'preassigned';
    }
    this.track(task, state);
    return 'tracked';
  }

  private finish(taskId: string, state: TaskState, nowMs: number): void {
    const nodeId = this.taskNode.get(taskId);
    const info = nodeId === undefined ? undefined : this.nodeInfos.get(nodeId);
    const tracked = info?.tasks.get(taskId);
    if (info !== undefined && tracked !== undefined && isFailure(state) &&
      !isFailure(tracked.state) && !tracked.preassigned) {
      recordFailure(info, tracked.failureKey, nowMs);
    }
    this.untrack(taskId);
    this.preassigned.delete(taskId);
  }

  private track(task: Task, state: TaskState): void {
    const currentNode = this.taskNode.get(task.id);
    if (currentNode === task.nodeId) {
      const tracked = this.trackedTask(task.id, currentNode);
      if (tracked !== undefined) {
        tracked.state = state;
        const info = this.nodeInfos.get(currentNode);
        const active = isActiveDesiredState(task.desiredState);
        if (info !== undefined) info.setTaskActive(tracked, active);
        else tracked.active = active;
        return;
      }
    }
    this.untrack(task.id);
    const info = this.nodeInfos.get(task.nodeId);
    const claim = task.assignedGenericResources.length > 0 || info === undefined
      ? claimFromAssigned(task.assignedGenericResources)
      : info.claimGeneric(taskReservations(task).generic);
    const tracked = trackedTaskOf(task, claim, this.preassigned.has(task.id), state);
    this.place(task.nodeId, tracked);
  }

  private trackedTask(taskId: string, nodeId: string): TrackedTask | undefined {
    return this.nodeInfos.get(nodeId)?.tasks.get(taskId) ?? this.parked.get(nodeId)?.get(taskId);
  }

  /**
   * place starts accounting for `tracked` on `nodeId` (parked if the node is not known yet).
   * Used by upsertTask and by {@link schedule} for its own decisions.
   */
  place(nodeId: string, tracked: TrackedTask): void {
    assert(!this.taskNode.has(tracked.taskId), 'place: task is not tracked elsewhere');
    this.taskNode.set(tracked.taskId, nodeId);
    const info = this.nodeInfos.get(nodeId);
    if (info !== undefined) {
      info.addTask(tracked);
      return;
    }
    const waiting = this.parked.get(nodeId) ?? new Map<string, TrackedTask>();
    waiting.set(tracked.taskId, tracked);
    this.parked.set(nodeId, waiting);
  }

  /** untrack releases whatever a task holds on its node; a no-op for an untracked task. */
  untrack(taskId: string): TrackedTask | undefined {
    const nodeId = this.taskNode.get(taskId);
    if (nodeId === undefined) return undefined;
    this.taskNode.delete(taskId);
    const info = this.nodeInfos.get(nodeId);
    if (info !== undefined) return info.removeTask(taskId);
    const waiting = this.parked.get(nodeId);
    const tracked = waiting?.get(taskId);
    waiting?.delete(taskId);
    if (waiting !== undefined && waiting.size === 0) this.parked.delete(nodeId);
    return tracked;
  }

  /** markPreassigned remembers that a task's node was chosen by the orchestrator. */
  markPreassigned(taskId: string): void {
    this.preassigned.add(taskId);
  }
}
