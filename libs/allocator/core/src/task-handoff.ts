// The allocator's vote on a task: NEW → PENDING "pending task scheduling", with the service's
// endpoint copied; or NEW with an error while allocation fails.
import { TaskState, type Endpoint, type Task } from '@shoal/proto';

/** PENDING_MESSAGE is SwarmKit's allocator_status message of an allocated task. */
export const PENDING_MESSAGE = 'pending task scheduling';

/**
 * isAwaitingAllocation reports whether the allocator still has to vote on `task`: nothing
 * moved it past NEW (no status of any writer) and it is still wanted (desired ≤ COMPLETE).
 */
export function isAwaitingAllocation(task: Task): boolean {
  const states = [task.allocatorStatus?.state, task.schedulerStatus?.state, task.status?.state];
  if (states.some((s) => s !== undefined && s > TaskState.NEW)) return false;
  return task.desiredState <= TaskState.COMPLETE;
}

/** allocatedTask is `task` moved to PENDING with the service's endpoint (a copy). */
export function allocatedTask(task: Task, endpoint: Endpoint | undefined, nowMs: number): Task {
  return {
    ...task,
    endpoint: endpoint === undefined ? undefined
      : { spec: endpoint.spec, ports: endpoint.ports.map((p) => ({ ...p })), virtualIps: [...endpoint.virtualIps] },
    allocatorStatus: { timestamp: new Date(nowMs), state: TaskState.PENDING, message: PENDING_MESSAGE,
      err: '', appliedBy: '' },
  };
}

/**
 * failedTask is `task` left NEW with the allocation error, or undefined when its stored
 * status already says so (no churn).
 */
export function failedTask(task: Task, error: string, nowMs: number): Task | undefined {
  const s = task.allocatorStatus;
  if (s !== undefined && s.state === TaskState.NEW && s.err === error) return undefined;
  return {
    ...task,
    allocatorStatus: { timestamp: new Date(nowMs), state: TaskState.NEW, message: '', err: error,
      appliedBy: '' },
  };
}
