// Goal: SchedulerState keeps each node's accounting (active tasks, tasks per service,
// reserved resources, host ports, generic claims, recent failures) exact under incremental
// task and node events, and classifies tasks as SwarmKit's createTask/updateTask do.
// Method: scripted event sequences on a small state, asserting the NodeInfo after each step.
import { SCHEDULER_LIMITS } from '@shoal/limits';
import { TaskState } from '@shoal/proto';
import { recentFailureCount } from './failures';
import { SchedulerState } from './scheduler-state';
import { discrete, makeNode, makeTask, must, named } from './testdata/fixtures';

const MINUTE = 60_000;

function stateWith(...nodeIds: string[]): SchedulerState {
  const state = new SchedulerState();
  for (const id of nodeIds) state.upsertNode(makeNode(id, { nanoCpus: 4e9, memoryBytes: 4e9 }));
  return state;
}

describe('task dispositions', () => {
  it.each([
    ['NEW is ignored', makeTask('t', { state: TaskState.NEW }), 'ignored'],
    ['PENDING without node is unassigned', makeTask('t'), 'unassigned'],
    ['PENDING with node is preassigned', makeTask('t', { nodeId: 'n' }), 'preassigned'],
    ['ASSIGNED with node is tracked', makeTask('t', { nodeId: 'n', state: TaskState.ASSIGNED }), 'tracked'],
    ['RUNNING with node is tracked', makeTask('t', { nodeId: 'n', state: TaskState.RUNNING }), 'tracked'],
    ['COMPLETE is ignored', makeTask('t', { nodeId: 'n', state: TaskState.COMPLETE }), 'ignored'],
    ['FAILED is ignored', makeTask('t', { nodeId: 'n', state: TaskState.FAILED }), 'ignored'],
  ] as const)('%s', (_name, task, disposition) => {
    expect(stateWith('n').upsertTask(task, 0)).toBe(disposition);
  });
});

describe('node accounting', () => {
  it('adds, updates and removes tasks incrementally', () => {
    const state = stateWith('n');
    const info = must(state.nodeInfo('n'));
    state.upsertTask(makeTask('a', { nodeId: 'n', state: TaskState.RUNNING, nanoCpus: 1e9, hostPorts: [80] }), 0);
    state.upsertTask(makeTask('b', { nodeId: 'n', state: TaskState.ASSIGNED, memoryBytes: 1e9, serviceId: 'db' }), 0);
    expect(info.activeTasksCount).toBe(2);
    expect(info.activeTasksOf('svc')).toBe(1);
    expect(info.activeTasksOf('db')).toBe(1);
    expect(info.availableNanoCpus()).toBe(3e9);
    expect(info.availableMemoryBytes()).toBe(3e9);
    expect(info.hostPortUse.size).toBe(1);

    // Desired SHUTDOWN: still holds resources, no longer active (SwarmKit).
    state.upsertTask(makeTask('a', { nodeId: 'n', state: TaskState.RUNNING, nanoCpus: 1e9,
      hostPorts: [80], desired: TaskState.SHUTDOWN }), 0);
    expect(info.activeTasksCount).toBe(1);
    expect(info.activeTasksOf('svc')).toBe(0);
    expect(info.availableNanoCpus()).toBe(3e9);

    // Terminal: releases everything.
    state.upsertTask(makeTask('a', { nodeId: 'n', state: TaskState.SHUTDOWN, nanoCpus: 1e9, hostPorts: [80] }), 0);
    expect(info.availableNanoCpus()).toBe(4e9);
    expect(info.hostPortUse.size).toBe(0);
    expect(state.trackedTaskCount).toBe(1);

    state.removeTask('b');
    expect(info.activeTasksCount).toBe(0);
    expect(info.availableMemoryBytes()).toBe(4e9);
    expect(state.trackedTaskCount).toBe(0);
  });

  it('re-derives availability when the node changes, keeping task reservations', () => {
    const state = stateWith('n');
    state.upsertTask(makeTask('a', { nodeId: 'n', state: TaskState.RUNNING, nanoCpus: 3e9 }), 0);
    state.upsertNode(makeNode('n', { nanoCpus: 2e9, version: 7 }));
    const info = must(state.nodeInfo('n'));
    expect(info.version).toBe(7);
    expect(info.availableNanoCpus()).toBe(-1e9);
    expect(info.activeTasksCount).toBe(1);
  });

  it('parks tasks of a node not seen yet and attaches them when it appears', () => {
    const state = new SchedulerState();
    expect(state.upsertTask(makeTask('a', { nodeId: 'late', state: TaskState.RUNNING, nanoCpus: 1e9 }), 0))
      .toBe('tracked');
    state.upsertNode(makeNode('late', { nanoCpus: 2e9 }));
    expect(must(state.nodeInfo('late')).availableNanoCpus()).toBe(1e9);
    expect(state.nodeOfTask('a')).toBe('late');
  });

  it('forgets the tasks of a removed node', () => {
    const state = stateWith('n', 'm');
    state.upsertTask(makeTask('a', { nodeId: 'n', state: TaskState.RUNNING }), 0);
    state.removeNode('n');
    expect(state.nodeInfo('n')).toBeUndefined();
    expect(state.nodeOfTask('a')).toBeUndefined();
    expect(state.orderedNodes().map((i) => i.id)).toEqual(['m']);
  });

  it('claims named generic resources and gives them back', () => {
    const state = new SchedulerState();
    state.upsertNode(makeNode('n', { generic: [named('gpu', 'g0'), named('gpu', 'g1'), discrete('ssd', 3)] }));
    const info = must(state.nodeInfo('n'));
    state.upsertTask(makeTask('a', { nodeId: 'n', state: TaskState.RUNNING,
      generic: [discrete('gpu', 1), discrete('ssd', 2)] }), 0);
    expect(info.availableGeneric('gpu')).toBe(1);
    expect(info.availableGeneric('ssd')).toBe(1);
    // A stored assignment is honoured as written.
    state.upsertTask(makeTask('b', { nodeId: 'n', state: TaskState.RUNNING,
      generic: [discrete('gpu', 1)], assigned: [named('gpu', 'g1')] }), 0);
    expect(info.availableGeneric('gpu')).toBe(0);
    state.removeTask('a');
    expect(info.availableGeneric('gpu')).toBe(1);
    expect([...must(info.namedFree.get('gpu'))]).toEqual(['g0']);
    expect(info.availableGeneric('ssd')).toBe(3);
  });
});

describe('recent failures', () => {
  function failOn(state: SchedulerState, id: string, atMs: number, serviceId = 'svc'): void {
    state.upsertTask(makeTask(id, { nodeId: 'n', state: TaskState.RUNNING, serviceId }), atMs);
    state.upsertTask(makeTask(id, { nodeId: 'n', state: TaskState.FAILED, serviceId }), atMs);
  }

  it('counts FAILED and REJECTED per service version within the window', () => {
    const state = stateWith('n');
    const info = must(state.nodeInfo('n'));
    for (let i = 0; i < 4; i++) failOn(state, `f${i}`, i * MINUTE);
    state.upsertTask(makeTask('r', { nodeId: 'n', state: TaskState.RUNNING }), 4 * MINUTE);
    state.upsertTask(makeTask('r', { nodeId: 'n', state: TaskState.REJECTED }), 4 * MINUTE);
    const key = 'svc\u00001';
    expect(recentFailureCount(info, key, 4 * MINUTE)).toBe(5);
    expect(recentFailureCount(info, 'svc\u00002', 4 * MINUTE)).toBe(0);
    // The first failure (t = 0) leaves the window after monitorFailures.
    expect(recentFailureCount(info, key, SCHEDULER_LIMITS.monitorFailuresMs + 1)).toBe(4);
    expect(recentFailureCount(info, key, 20 * MINUTE)).toBe(0);
  });

  it('does not count a task twice, nor preassigned tasks, nor shutdowns', () => {
    const state = stateWith('n');
    const info = must(state.nodeInfo('n'));
    failOn(state, 'a', 0);
    state.upsertTask(makeTask('a', { nodeId: 'n', state: TaskState.FAILED }), 1);
    state.upsertTask(makeTask('g', { nodeId: 'n' }), 0); // preassigned (global)
    state.upsertTask(makeTask('g', { nodeId: 'n', state: TaskState.RUNNING }), 0);
    state.upsertTask(makeTask('g', { nodeId: 'n', state: TaskState.FAILED }), 0);
    state.upsertTask(makeTask('s', { nodeId: 'n', state: TaskState.RUNNING }), 0);
    state.upsertTask(makeTask('s', { nodeId: 'n', state: TaskState.SHUTDOWN }), 0);
    expect(recentFailureCount(info, 'svc\u00001', 1)).toBe(1);
  });
});
