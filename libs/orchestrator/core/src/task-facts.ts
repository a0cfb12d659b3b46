import {
  NodeSpec_Availability,
  NodeStatus_State,
  observedTaskStatus,
  TaskState,
  type Node,
  type Service,
  type Task,
  type Version,
} from '@shoal/proto';

/**
 * NodeIndex maps node ids to nodes. A task whose `nodeId` is absent from it is on a missing
 * (deleted) node.
 */
export type NodeIndex = ReadonlyMap<string, Node>;

/** indexNodes builds a {@link NodeIndex} from a node list (later duplicates win). */
export function indexNodes(nodes: readonly Node[]): NodeIndex {
  return new Map(nodes.map((n) => [n.id, n]));
}

/** observedState returns a task's effective observed state (greatest of its three statuses). */
export function observedState(task: Task): TaskState {
  return observedTaskStatus(task).state;
}

/**
 * isRunnable reports whether a task still occupies its slot: desired state at most RUNNING
 * (NEW..RUNNING, READY while held back). SwarmKit's "runnable" slot test.
 */
export function isRunnable(task: Task): boolean {
  return task.desiredState <= TaskState.RUNNING;
}

/** hasStopped reports whether a task's observed state is past RUNNING (it ran and ended). */
export function hasStopped(task: Task): boolean {
  return observedState(task) > TaskState.RUNNING;
}

/**
 * isUnassigned reports whether a task never reached a node (observed below ASSIGNED): it runs
 * nowhere, so nothing needs to stop before it is replaced or deleted.
 */
export function isUnassigned(task: Task): boolean {
  return observedState(task) < TaskState.ASSIGNED;
}

/** versionIndex returns a Version's index, or -1 for an unset version (never equal to a set one). */
export function versionIndex(version: Version | undefined): number {
  return version === undefined ? -1 : version.index;
}

/** metaVersion returns an object's stored `meta.version.index` (0 if not stored yet). */
export function metaVersion(obj: Pick<Task | Service, 'meta'>): number {
  return obj.meta?.version?.index ?? 0;
}

/**
 * createdAtMs returns when the store created a task (`meta.createdAt`), or `fallbackMs` for a
 * task not stored yet (one created earlier in the same plan).
 */
export function createdAtMs(task: Task, fallbackMs: number): number {
  return task.meta?.createdAt?.getTime() ?? fallbackMs;
}

/**
 * statusTimeMs returns when a task's observed state was reached: the winning status's
 * `appliedAt` (the manager's clock), else its `timestamp`, else the task's creation time.
 * SwarmKit `taskTimestamp`, used for history order, restart windows and update monitoring.
 */
export function statusTimeMs(task: Task, fallbackMs: number): number {
  const status = observedTaskStatus(task).status;
  const at = status?.appliedAt ?? status?.timestamp;
  return at?.getTime() ?? createdAtMs(task, fallbackMs);
}

/**
 * isInvalidNode reports whether tasks cannot run on `node`: missing, DOWN or DRAINED
 * (SwarmKit `InvalidNode`). Tasks there are replaced (replicated) or shut down (global).
 */
export function isInvalidNode(node: Node | undefined): boolean {
  if (node === undefined) return true;
  if (node.status?.state === NodeStatus_State.DOWN) return true;
  return node.spec?.availability === NodeSpec_Availability.DRAIN;
}

/** isDrained reports whether a node's availability is DRAIN. */
export function isDrained(node: Node | undefined): boolean {
  return node?.spec?.availability === NodeSpec_Availability.DRAIN;
}

/** isPaused reports whether a node's availability is PAUSE (no new tasks, no updates). */
export function isPaused(node: Node | undefined): boolean {
  return node?.spec?.availability === NodeSpec_Availability.PAUSE;
}

/** isDownOrMissing reports whether a node is gone or DOWN, so its tasks are not running. */
export function isDownOrMissing(node: Node | undefined): boolean {
  return node === undefined || node.status?.state === NodeStatus_State.DOWN;
}

/**
 * compareTasksByTime orders tasks oldest first by {@link statusTimeMs}, then by id, so every
 * planner breaks ties the same way.
 */
export function compareTasksByTime(a: Task, b: Task, fallbackMs: number): number {
  const d = statusTimeMs(a, fallbackMs) - statusTimeMs(b, fallbackMs);
  if (d !== 0) return d;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** compareTasksByCreation orders tasks oldest first by creation time, then by id. */
export function compareTasksByCreation(a: Task, b: Task, fallbackMs: number): number {
  const d = createdAtMs(a, fallbackMs) - createdAtMs(b, fallbackMs);
  if (d !== 0) return d;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
