// Goal: pin planJob: iteration start and bumps, max_concurrent and total_completions, slot
// numbering from 0, restarts of failed job tasks (ANY acts as ON_FAILURE), older iterations
// removed, global jobs one per eligible node.
// Method: table-style scenarios over seeded tasks; compare rendered action lists.
import { NodeSpec_Availability, TaskState, type Service, type Task } from '@shoal/proto';
import { planJob, resolveJobIteration } from './jobs';
import { briefs, counterIds, nodeOf, serviceOf, T0, taskOf, type TaskOptions } from './testdata/fixtures';

const { COMPLETE, FAILED, RUNNING } = TaskState;
const nodes = [nodeOf('n1'), nodeOf('n2')];

function job(maxConcurrent: number, totalCompletions: number, iteration?: number, version = 1): Service {
  return {
    ...serviceOf({ version, mode: { $case: 'replicatedJob', replicatedJob: { maxConcurrent, totalCompletions } } }),
    jobStatus: iteration === undefined ? undefined : { jobIteration: { index: iteration } },
  };
}

function jobTask(s: Service, o: TaskOptions & { iteration: number }): Task {
  return { ...taskOf(s, { desired: COMPLETE, ...o }), jobIteration: { index: o.iteration } };
}

describe('planJob', () => {
  it('starts iteration 0 and max_concurrent tasks from slot 0', () => {
    const plan = planJob(job(2, 5), [], nodes, undefined, T0, counterIds());
    expect(briefs(plan.actions)).toEqual(['create new1 slot=0 v1 COMPLETE', 'create new2 slot=1 v1 COMPLETE', 'status - job=0']);
  });

  it('tops up to max_concurrent without exceeding total_completions', () => {
    const s = job(3, 4, 0);
    const tasks = [
      jobTask(s, { id: 'a', slot: 0, iteration: 0, observed: COMPLETE }),
      jobTask(s, { id: 'b', slot: 1, iteration: 0, observed: COMPLETE }),
      jobTask(s, { id: 'c', slot: 2, iteration: 0, observed: RUNNING }),
    ];
    expect(briefs(planJob(s, tasks, nodes, undefined, T0, counterIds()).actions)).toEqual(['create new1 slot=3 v1 COMPLETE']);
  });

  it('restarts a failed job task in its slot; a completed one is done', () => {
    const s = job(1, 2, 0);
    const tasks = [
      jobTask(s, { id: 'a', slot: 0, iteration: 0, observed: COMPLETE }),
      jobTask(s, { id: 'b', slot: 1, iteration: 0, observed: FAILED }),
    ];
    expect(briefs(planJob(s, tasks, nodes, undefined, T0, counterIds()).actions))
      .toEqual(['update b SHUTDOWN', 'create new1 slot=1 v1 COMPLETE']);
  });

  it('a new spec version starts the next iteration and removes the old one\'s live tasks', () => {
    const s = job(1, 1, 0, 2);
    const tasks = [jobTask(s, { id: 'a', slot: 0, iteration: 0, observed: RUNNING, version: 1 })];
    expect(resolveJobIteration(s, tasks, T0).iteration).toEqual({ index: 1 });
    expect(briefs(planJob(s, tasks, nodes, undefined, T0, counterIds()).actions))
      .toEqual(['update a REMOVE', 'create new1 slot=0 v2 COMPLETE', 'status - job=1']);
  });

  it('global job: one task per eligible node, completed nodes done', () => {
    const s = { ...serviceOf({ mode: { $case: 'globalJob', globalJob: {} } }), jobStatus: { jobIteration: { index: 0 } } };
    const all = [...nodes, nodeOf('n3', { availability: NodeSpec_Availability.DRAIN })];
    const tasks = [jobTask(s, { id: 'a', nodeId: 'n1', iteration: 0, observed: COMPLETE, desired: COMPLETE })];
    expect(briefs(planJob(s, tasks, all, undefined, T0, counterIds()).actions)).toEqual(['create new1 slot=0 node=n2 v1 COMPLETE']);
  });

  it('old iterations that already stopped are left for the reaper', () => {
    const s = job(1, 1, 1);
    const tasks = [
      jobTask(s, { id: 'old', slot: 0, iteration: 0, observed: COMPLETE }),
      jobTask(s, { id: 'cur', slot: 0, iteration: 1, observed: RUNNING }),
    ];
    expect(briefs(planJob(s, tasks, nodes, undefined, T0, counterIds()).actions)).toEqual([]);
  });
});
