// Goal: pin planReap: retention per slot and per node, max_attempts + 1, negative = never,
// oldest first, only removable tasks, REMOVE tasks once shut down, serviceless tasks, jobs
// untouched, and the spec-version evidence task kept for the update planner.
// Method: table-driven; seed services and task histories, compare the rendered actions.
import { TaskState } from '@shoal/proto';
import { planReap } from './reaper';
import { briefs, clusterOf, serviceOf, T0, taskOf } from './testdata/fixtures';

const { SHUTDOWN, FAILED, REMOVE, RUNNING, NEW, COMPLETE } = TaskState;
const svc = serviceOf({ replicas: 1, version: 3 });
const old = serviceOf({ replicas: 1, version: 1 });

/** history builds n shut-down v1 tasks h1…hn in slot 1, created 1 s apart, plus a running v3. */
function history(n: number) {
  const done = Array.from({ length: n }, (_, i) =>
    taskOf(old, { id: `h${i + 1}`, slot: 1, created: i + 1, desired: SHUTDOWN, observed: FAILED }));
  return [...done, taskOf(svc, { id: 'live', slot: 1, created: 100 })];
}

describe('planReap', () => {
  it.each([
    { name: 'keeps 5 per slot by default: deletes the oldest', tasks: history(6), retention: undefined, want: ['delete h1', 'delete h2'] },
    { name: 'a cluster limit of 2', tasks: history(3), retention: 2, want: ['delete h1', 'delete h2'] },
    { name: 'under the limit: nothing', tasks: history(3), retention: 5, want: [] },
    { name: 'negative: never clean', tasks: history(9), retention: -1, want: [] },
    { name: 'limit 0 still keeps running tasks', tasks: history(1), retention: 0, want: ['delete h1'] },
  ])('$name', ({ tasks, retention, want }) => {
    const cluster = retention === undefined ? undefined : clusterOf(retention);
    expect(briefs(planReap([svc], tasks, cluster, T0))).toEqual(want);
  });

  it('keeps max_attempts + 1 when larger than the limit', () => {
    const limited = serviceOf({ replicas: 1, version: 3, restart: { maxAttempts: 4 } });
    const tasks = history(6).map((t) => ({ ...t, serviceId: limited.id }));
    expect(briefs(planReap([limited], tasks, clusterOf(2), T0))).toEqual(['delete h1', 'delete h2']);
  });

  it('orders by applied_at, not by creation', () => {
    const tasks = [
      taskOf(old, { id: 'x', slot: 1, created: 1, statusAt: 50, desired: SHUTDOWN, observed: FAILED }),
      taskOf(old, { id: 'y', slot: 1, created: 2, statusAt: 10, desired: SHUTDOWN, observed: FAILED }),
      taskOf(svc, { id: 'live', slot: 1, created: 100 }),
    ];
    expect(briefs(planReap([svc], tasks, clusterOf(2), T0))).toEqual(['delete y']);
  });

  it('skips tasks that still run, and unassigned ones still wanted', () => {
    const tasks = [
      taskOf(old, { id: 'stopping', slot: 1, created: 1, desired: SHUTDOWN, observed: RUNNING }),
      taskOf(old, { id: 'never', slot: 1, created: 2, desired: SHUTDOWN, observed: NEW }),
      taskOf(svc, { id: 'live', slot: 1, created: 100 }),
    ];
    expect(briefs(planReap([svc], tasks, clusterOf(1), T0))).toEqual(['delete never']);
  });

  it('deletes REMOVE tasks once shut down, and never counts them as history', () => {
    const tasks = [
      taskOf(svc, { id: 'gone', slot: 2, desired: REMOVE, observed: SHUTDOWN }),
      taskOf(svc, { id: 'going', slot: 3, desired: REMOVE, observed: RUNNING }),
      taskOf(svc, { id: 'unplaced', slot: 4, desired: REMOVE, observed: NEW }),
    ];
    expect(briefs(planReap([svc], tasks, undefined, T0))).toEqual(['delete gone', 'delete unplaced']);
  });

  it('serviceless tasks get desired REMOVE, and are deleted once shut down', () => {
    const orphan = serviceOf({ id: 'deleted' });
    const tasks = [
      taskOf(orphan, { id: 'o1', slot: 1, observed: RUNNING }),
      taskOf(orphan, { id: 'o2', slot: 2, desired: SHUTDOWN, observed: COMPLETE }),
    ];
    expect(briefs(planReap([svc], tasks, undefined, T0))).toEqual(['update o1 REMOVE', 'delete o2']);
  });

  it('per node for global services', () => {
    const g = serviceOf({ mode: { $case: 'global', global: {} }, version: 3 });
    const gOld = serviceOf({ mode: { $case: 'global', global: {} }, version: 1 });
    const tasks = [
      taskOf(gOld, { id: 'a1', nodeId: 'n1', created: 1, desired: SHUTDOWN, observed: FAILED }),
      taskOf(gOld, { id: 'b1', nodeId: 'n2', created: 1, desired: SHUTDOWN, observed: FAILED }),
      taskOf(g, { id: 'a2', nodeId: 'n1', created: 2 }),
      taskOf(g, { id: 'b2', nodeId: 'n2', created: 2 }),
    ];
    expect(briefs(planReap([g], tasks, clusterOf(1), T0))).toEqual(['delete a1', 'delete b1']);
  });

  it('keeps the newest task of the current spec version (update evidence)', () => {
    const tasks = [
      taskOf(svc, { id: 'failedV3', slot: 1, created: 1, desired: SHUTDOWN, observed: FAILED }),
      taskOf(old, { id: 'v1a', slot: 1, created: 2, desired: SHUTDOWN, observed: FAILED }),
      taskOf(old, { id: 'v1b', slot: 1, created: 3 }),
    ];
    expect(briefs(planReap([svc], tasks, clusterOf(1), T0))).toEqual(['delete v1a']);
  });

  it('leaves job history alone', () => {
    const job = serviceOf({ mode: { $case: 'replicatedJob', replicatedJob: { maxConcurrent: 1, totalCompletions: 9 } } });
    const tasks = Array.from({ length: 9 }, (_, i) =>
      taskOf(job, { id: `j${i}`, slot: i, desired: COMPLETE, observed: COMPLETE }));
    expect(planReap([job], tasks, clusterOf(0), T0)).toEqual([]);
  });
});
