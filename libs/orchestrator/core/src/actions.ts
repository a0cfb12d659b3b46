import type { JobStatus, Task, TaskState, UpdateStatus } from '@shoal/proto';

/**
 * CreateTask asks the shell to create `task` (a complete Task, id from the planner's id
 * source, no `meta`: the store stamps it). The shell creates it in the plan's transaction.
 */
export interface CreateTask {
  readonly type: 'CreateTask';
  readonly task: Task;
}

/**
 * TaskChanges are the orchestrator-owned task fields a plan may change. Only `desiredState`
 * changes after creation today; it only ever increases (asserted by the planners).
 */
export interface TaskChanges {
  readonly desiredState?: TaskState;
}

/**
 * UpdateTask asks the shell to apply `changes` to task `taskId`, provided the stored task's
 * `meta.version.index` still equals `expectedVersion`; a mismatch is a conflict: the shell
 * drops the plan and requeues the key (the planner reran on fresher facts).
 */
export interface UpdateTask {
  readonly type: 'UpdateTask';
  readonly taskId: string;
  readonly expectedVersion: number;
  readonly changes: TaskChanges;
}

/** DeleteTask asks the shell to delete task `taskId` if it is still at `expectedVersion`. */
export interface DeleteTask {
  readonly type: 'DeleteTask';
  readonly taskId: string;
  readonly expectedVersion: number;
}

/**
 * UpdateServiceStatus asks the shell to write the orchestrator-owned status fields of service
 * `serviceId` at `expectedVersion`: `updateStatus` (a value replaces it, `null` clears it,
 * absent leaves it) and `jobStatus` (a value replaces it, absent leaves it).
 */
export interface UpdateServiceStatus {
  readonly type: 'UpdateServiceStatus';
  readonly serviceId: string;
  readonly expectedVersion: number;
  readonly updateStatus?: UpdateStatus | null;
  readonly jobStatus?: JobStatus;
}

/**
 * RequeueAfter asks the shell to arm a timer that enqueues `key` after `ms` milliseconds (a
 * restart delay, an old-task timeout, an update delay or monitor window ends then). Nothing
 * is lost if the timer is dropped: a later pass recomputes it from stored facts.
 */
export interface RequeueAfter {
  readonly type: 'RequeueAfter';
  readonly key: string;
  readonly ms: number;
}

/** Action is one step of a plan: data the app shell applies in one store transaction. */
export type Action = CreateTask | UpdateTask | DeleteTask | UpdateServiceStatus | RequeueAfter;

/** ActionType names the kinds of {@link Action}. */
export type ActionType = Action['type'];
