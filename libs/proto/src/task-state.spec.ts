// Goal: TaskState is a Lamport-like clock and a task's effective observed state is the greatest
// of its three per-writer statuses, ties going to the later writer. Method: table-driven cases
// over observedTaskStatus with hand-built statuses, plus a check of TASK_STATES' order.
import { TaskState, TaskStatus } from './gen';
import { TASK_STATES, observedTaskState, observedTaskStatus } from './task-state';

type Statuses = Partial<Record<'allocatorStatus' | 'schedulerStatus' | 'status', TaskStatus>>;

function at(state: TaskState, message = ''): TaskStatus {
  return TaskStatus.fromPartial({ state, message });
}

describe('TASK_STATES', () => {
  it('lists every state once, in strictly increasing numeric order', () => {
    const numeric = Object.values(TaskState).filter(
      (v): v is TaskState => typeof v === 'number' && v !== TaskState.UNRECOGNIZED,
    );
    expect([...TASK_STATES].sort((a, b) => a - b)).toEqual([...numeric].sort((a, b) => a - b));
    for (let i = 1; i < TASK_STATES.length; i++) {
      expect(TASK_STATES[i]).toBeGreaterThan(TASK_STATES[i - 1] ?? Infinity);
    }
  });
});

describe('observedTaskStatus', () => {
  it('is NEW with no writer when no status is set', () => {
    const none = { state: TaskState.NEW, status: undefined, writer: undefined };
    expect(observedTaskStatus({})).toEqual(none);
  });

  it.each<[string, Statuses, TaskState, string]>([
    ['allocator hand-off only', {
      allocatorStatus: at(TaskState.PENDING),
    }, TaskState.PENDING, 'allocator'],
    ['scheduler assigned', {
      allocatorStatus: at(TaskState.PENDING), schedulerStatus: at(TaskState.ASSIGNED),
    }, TaskState.ASSIGNED, 'scheduler'],
    ['agent running', {
      allocatorStatus: at(TaskState.PENDING), schedulerStatus: at(TaskState.ASSIGNED),
      status: at(TaskState.RUNNING),
    }, TaskState.RUNNING, 'dispatcher'],
    ['constraint enforcer rejects a running task', {
      schedulerStatus: at(TaskState.REJECTED), status: at(TaskState.RUNNING),
    }, TaskState.REJECTED, 'scheduler'],
    ['a stale lower status never wins', {
      allocatorStatus: at(TaskState.PENDING), status: at(TaskState.ACCEPTED),
      schedulerStatus: at(TaskState.ASSIGNED),
    }, TaskState.ACCEPTED, 'dispatcher'],
    ['dispatcher orphans a task', {
      schedulerStatus: at(TaskState.ASSIGNED), status: at(TaskState.ORPHANED),
    }, TaskState.ORPHANED, 'dispatcher'],
  ])('%s', (_name, task, state, writer) => {
    const observed = observedTaskStatus(task);
    expect(observed.state).toBe(state);
    expect(observed.writer).toBe(writer);
    expect(observedTaskState(task)).toBe(state);
  });

  it('breaks ties towards the later writer: scheduler PENDING over allocator PENDING', () => {
    const task = {
      allocatorStatus: at(TaskState.PENDING, 'pending task scheduling'),
      schedulerStatus: { ...at(TaskState.PENDING), err: 'no suitable node (1 node not available)' },
    };
    const observed = observedTaskStatus(task);
    expect(observed.writer).toBe('scheduler');
    expect(observed.status?.err).toMatch(/^no suitable node/);
  });

  it('counts an explicit NEW status (allocation failed) as a status', () => {
    const failed = { ...at(TaskState.NEW), err: 'could not find an available IP' };
    const task = { allocatorStatus: failed };
    expect(observedTaskStatus(task).writer).toBe('allocator');
    expect(observedTaskState(task)).toBe(TaskState.NEW);
  });
});
