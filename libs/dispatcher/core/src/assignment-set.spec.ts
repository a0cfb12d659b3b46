// Goal: an assignment stream starts with one COMPLETE message of the node's tasks ≥ ASSIGNED
// and their dependencies, then INCREMENTAL messages chained by applies_to/results_in; updates
// touching only agent-reported fields are not re-sent; dependencies are reference-counted;
// batches go out after 100 ms of quiet or at 100 changes.
// Method: drive an AssignmentSet by hand with tasks built from partial protos and a map-backed
// dependency source; time is plain numbers.
import { describe, expect, it } from '@jest/globals';
import { DISPATCHER_LIMITS } from '@shoal/limits';

// SwarmKit's 100 ms batching wait, so the times below read as SwarmKit's (Shoal's own is shorter).
const LIMITS = { ...DISPATCHER_LIMITS, assignmentBatchWaitMs: 100 };
import {
  AssignmentAction,
  AssignmentsType,
  Config,
  Secret,
  Task,
  TaskState,
  type AssignmentsResponse,
} from '@shoal/proto';
import { AssignmentSet, tasksEqualStable } from './assignment-set';

const NODE = 'node1';
const secrets = new Map([['s1', Secret.fromPartial({ id: 's1' })]]);
const configs = new Map([['c1', Config.fromPartial({ id: 'c1' })]]);
const deps = { secret: (id: string) => secrets.get(id), config: (id: string) => configs.get(id) };

function task(id: string, scheduler: TaskState, agent?: TaskState, extra: Partial<Task> = {}): Task {
  return Task.fromPartial({
    id, nodeId: NODE, desiredState: TaskState.RUNNING,
    schedulerStatus: { state: scheduler },
    status: agent === undefined ? undefined : { state: agent, message: `m${agent}` },
    spec: { runtime: { $case: 'container', container: { image: 'nginx',
      secrets: [{ secretId: 's1', secretName: 's1' }], configs: [{ configId: 'c1', configName: 'c1' }] } } },
    ...extra,
  });
}

function summary(message: AssignmentsResponse | undefined): string[] {
  return (message?.changes ?? []).map((c) => {
    const item = c.assignment?.item;
    const id = item === undefined ? '?' : item.$case === 'task' ? item.task.id
      : item.$case === 'secret' ? item.secret.id : item.config.id;
    return `${c.action === AssignmentAction.REMOVE ? '-' : '+'}${item?.$case}:${id}`;
  }).sort();
}

describe('AssignmentSet', () => {
  it('sends COMPLETE with tasks ≥ ASSIGNED and their dependencies, then chains INCREMENTALs', () => {
    const set = new AssignmentSet(NODE, deps, LIMITS);
    const first = set.complete([task('t1', TaskState.ASSIGNED), task('t0', TaskState.PENDING)], 0);
    expect(first).toMatchObject({ type: AssignmentsType.COMPLETE, appliesTo: 0, resultsIn: 1 });
    expect(summary(first)).toEqual(['+config:c1', '+secret:s1', '+task:t1']);

    expect(set.updateTask(task('t2', TaskState.ASSIGNED), 10)).toBe(true);
    expect(set.due(109)).toBe(false);
    expect(set.due(110)).toBe(true);
    const second = set.flush();
    expect(second).toMatchObject({ type: AssignmentsType.INCREMENTAL, appliesTo: 1, resultsIn: 2 });
    expect(summary(second)).toEqual(['+task:t2']); // dependencies already held

    set.removeTask('t1', 200);
    set.removeTask('t2', 200);
    const third = set.flush();
    expect(third).toMatchObject({ appliesTo: 2, resultsIn: 3 });
    expect(summary(third)).toEqual(['-config:c1', '-secret:s1', '-task:t1', '-task:t2']);
    expect(set.flush()).toBeUndefined();
  });

  it('does not re-send updates that change only the agent-reported status', () => {
    const set = new AssignmentSet(NODE, deps, LIMITS);
    set.complete([task('t1', TaskState.ASSIGNED)], 0);
    expect(set.updateTask(task('t1', TaskState.ASSIGNED, TaskState.ACCEPTED), 1)).toBe(false);
    expect(set.updateTask(task('t1', TaskState.ASSIGNED, TaskState.RUNNING), 2)).toBe(false);
    expect(set.pendingChanges).toBe(0);
    const stop = task('t1', TaskState.ASSIGNED, TaskState.RUNNING, { desiredState: TaskState.SHUTDOWN });
    expect(set.updateTask(stop, 3)).toBe(true);
    expect(summary(set.flush())).toEqual(['+task:t1']);
  });

  it('releases dependencies when the last task using them goes terminal', () => {
    const set = new AssignmentSet(NODE, deps, LIMITS);
    set.complete([task('t1', TaskState.ASSIGNED), task('t2', TaskState.ASSIGNED)], 0);
    set.updateTask(task('t1', TaskState.ASSIGNED, TaskState.COMPLETE), 1);
    expect(set.pendingChanges).toBe(0);
    set.updateTask(task('t2', TaskState.ASSIGNED, TaskState.FAILED), 2);
    expect(summary(set.flush())).toEqual(['-config:c1', '-secret:s1']);
  });

  it('removes a task that moved to another node and ignores tasks below ASSIGNED', () => {
    const set = new AssignmentSet(NODE, deps, LIMITS);
    set.complete([task('t1', TaskState.ASSIGNED)], 0);
    expect(set.updateTask(task('t9', TaskState.PENDING), 1)).toBe(false);
    set.updateTask(task('t1', TaskState.ASSIGNED, undefined, { nodeId: 'other' }), 2);
    expect(summary(set.flush())).toEqual(['-config:c1', '-secret:s1', '-task:t1']);
  });

  it('sends a batch at 100 changes without waiting for quiet', () => {
    const set = new AssignmentSet(NODE, { secret: () => undefined, config: () => undefined }, LIMITS);
    set.complete([], 0);
    for (let i = 0; i < 99; i++) set.updateTask(task(`t${i}`, TaskState.ASSIGNED), 5);
    expect(set.due(5)).toBe(false);
    set.updateTask(task('t99', TaskState.ASSIGNED), 5);
    expect(set.due(5)).toBe(true);
    expect(set.flush()?.changes).toHaveLength(100);
  });

  it('keeps only the last change of an item within a batch', () => {
    const set = new AssignmentSet(NODE, deps, LIMITS);
    set.complete([], 0);
    set.updateTask(task('t1', TaskState.ASSIGNED), 1);
    set.removeTask('t1', 2);
    expect(summary(set.flush())).toEqual(['-config:c1', '-secret:s1', '-task:t1']);
  });

  it('tasksEqualStable ignores meta and status only', () => {
    const a = task('t1', TaskState.ASSIGNED, TaskState.RUNNING);
    expect(tasksEqualStable(a, { ...a, meta: { version: { index: 9 } }, status: undefined })).toBe(true);
    expect(tasksEqualStable(a, { ...a, desiredState: TaskState.SHUTDOWN })).toBe(false);
  });
});
