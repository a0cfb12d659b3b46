import type { Task } from './gen/shoal/v1/objects';
import { TaskState, type TaskStatus } from './gen/shoal/v1/types';

/**
 * TASK_STATES lists every TaskState in lifecycle order, which is also numeric order: states are
 * gapped by 64 (SwarmKit's numbers) and only ever increase, so comparing two states is comparing
 * two numbers. UNRECOGNIZED (ts-proto's stand-in for unknown wire values) is not a state.
 */
export const TASK_STATES: readonly TaskState[] = Object.freeze([
  TaskState.NEW,
  TaskState.PENDING,
  TaskState.ASSIGNED,
  TaskState.ACCEPTED,
  TaskState.PREPARING,
  TaskState.READY,
  TaskState.STARTING,
  TaskState.RUNNING,
  TaskState.COMPLETE,
  TaskState.SHUTDOWN,
  TaskState.FAILED,
  TaskState.REJECTED,
  TaskState.REMOVE,
  TaskState.ORPHANED,
]);

/** TaskStatusWriter names the component that wrote one of a task's three statuses. */
export type TaskStatusWriter = 'allocator' | 'scheduler' | 'dispatcher';

/** ObservedTaskStatus is the status that decides a task's observed state, and its writer. */
export interface ObservedTaskStatus {
  readonly state: TaskState;
  /** The winning status; undefined when the task has no status yet (state NEW). */
  readonly status: TaskStatus | undefined;
  /** Who wrote the winning status; undefined when the task has no status yet. */
  readonly writer: TaskStatusWriter | undefined;
}

type StatusField = 'allocatorStatus' | 'schedulerStatus' | 'status';

/** The statuses of a task, in the order that breaks ties (later wins). */
const WRITERS: ReadonlyArray<readonly [TaskStatusWriter, StatusField]> = [
  ['allocator', 'allocatorStatus'],
  ['scheduler', 'schedulerStatus'],
  ['dispatcher', 'status'],
];

/**
 * observedTaskStatus returns the status that decides a task's effective observed state: the one
 * with the greatest state among `allocatorStatus`, `schedulerStatus` and `status` (TaskState is
 * a Lamport-like clock). Ties go to the later writer in the hand-off (dispatcher over scheduler
 * over allocator). An unset status does not take part; with none set the state is NEW.
 */
export function observedTaskStatus(
  task: Pick<Task, StatusField>,
): ObservedTaskStatus {
  let best: ObservedTaskStatus = { state: TaskState.NEW, status: undefined, writer: undefined };
  for (const [writer, field] of WRITERS) {
    const status = task[field];
    if (status === undefined) continue;
    if (best.status === undefined || status.state >= best.state) {
      best = { state: status.state, status, writer };
    }
  }
  return best;
}

/** observedTaskState returns a task's effective observed state (see observedTaskStatus). */
export function observedTaskState(
  task: Pick<Task, StatusField>,
): TaskState {
  return observedTaskStatus(task).state;
}
