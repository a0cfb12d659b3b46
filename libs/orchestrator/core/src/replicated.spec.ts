// Goal: pin planReplicated's reconcile decisions (scale up and down, slot reuse, restarts on
// failure, node DOWN and drain, pending delete) as exact action lists.
// Method: sample-controller style: seed a service, its tasks and the nodes, call the planner
// once, compare the rendered action list with the expected one. No clocks, no sleeps.
import { NodeSpec_Availability, NodeStatus_State, TaskState } from '@shoal/proto';
import { planReplicated } from './replicated';
import { briefs, counterIds, nodeOf, serviceOf, T0, taskOf } from './testdata/fixtures';

const { RUNNING, FAILED, SHUTDOWN, REMOVE, PENDING, NEW, COMPLETE } = TaskState;
const nodes = [nodeOf('n1'), nodeOf('n2'), nodeOf('n3')];

describe('planReplicated', () => {
  it.each([
    {
      name: 'scale up from nothing fills slots 1..3',
      replicas: 3,
      tasks: [],
      want: ['create new1 slot=1 v1 RUNNING', 'create new2 slot=2 v1 RUNNING', 'create new3 slot=3 v1 RUNNING'],
    },
    {
      name: 'scale up fills the lowest free slot numbers first',
      replicas: 4,
      tasks: [{ id: 'a', slot: 1 }, { id: 'b', slot: 3 }],
      want: ['create new1 slot=2 v1 RUNNING', 'create new2 slot=4 v1 RUNNING'],
    },
    {
      name: 'at scale: nothing to do',
      replicas: 2,
      tasks: [{ id: 'a', slot: 1 }, { id: 'b', slot: 2, nodeId: 'n2' }],
      want: [],
    },
    {
      name: 'scale down removes from the node with the most copies',
      replicas: 2,
      tasks: [
        { id: 'a', slot: 1, nodeId: 'n1' },
        { id: 'b', slot: 2, nodeId: 'n1' },
        { id: 'c', slot: 3, nodeId: 'n2' },
      ],
      want: ['update b REMOVE'],
    },
    {
      name: 'scale down prefers non-running tasks among equals',
      replicas: 2,
      tasks: [
        { id: 'a', slot: 1, nodeId: 'n1', observed: PENDING },
        { id: 'b', slot: 2, nodeId: 'n2' },
        { id: 'c', slot: 3, nodeId: 'n3' },
      ],
      want: ['update a REMOVE'],
    },
    {
      name: 'scale down to zero removes everything',
      replicas: 0,
      tasks: [{ id: 'a', slot: 1 }, { id: 'b', slot: 2, nodeId: 'n2' }],
      want: ['update a REMOVE', 'update b REMOVE'],
    },
    {
      name: 'a removed slot that stopped is deleted (dead slot)',
      replicas: 1,
      tasks: [
        { id: 'a', slot: 1 },
        { id: 'b', slot: 2, desired: REMOVE, observed: SHUTDOWN },
      ],
      want: ['delete b'],
    },
    {
      name: 'a removed slot still running is left to the reaper',
      replicas: 1,
      tasks: [{ id: 'a', slot: 1 }, { id: 'b', slot: 2, desired: REMOVE }],
      want: [],
    },
    {
      name: 'scale up skips a removed slot whose task still runs (no slot runs twice)',
      replicas: 2,
      tasks: [
        { id: 'a', slot: 1 },
        { id: 'b', slot: 2, nodeId: 'n2', desired: REMOVE },
      ],
      want: ['create new1 slot=3 v1 RUNNING'],
    },
    {
      name: 'scale up reuses a dead slot number and keeps its history',
      replicas: 2,
      tasks: [
        { id: 'a', slot: 1 },
        { id: 'b', slot: 2, desired: REMOVE, observed: SHUTDOWN },
      ],
      want: ['create new1 slot=2 v1 RUNNING'],
    },
    {
      name: 'a failed task is replaced in its slot (no delay: starts at once)',
      replicas: 1,
      tasks: [{ id: 'a', slot: 1, observed: FAILED }],
      want: ['update a SHUTDOWN', 'create new1 slot=1 v1 RUNNING'],
    },
    {
      name: 'a task on a DOWN node is replaced',
      replicas: 1,
      tasks: [{ id: 'a', slot: 1, nodeId: 'down' }],
      want: ['update a SHUTDOWN', 'create new1 slot=1 v1 RUNNING'],
    },
    {
      name: 'a task on a deleted node is replaced',
      replicas: 1,
      tasks: [{ id: 'a', slot: 1, nodeId: 'gone' }],
      want: ['update a SHUTDOWN', 'create new1 slot=1 v1 RUNNING'],
    },
    {
      name: 'a task on a drained node is replaced once it stops (held READY)',
      replicas: 1,
      tasks: [{ id: 'a', slot: 1, nodeId: 'drained' }],
      want: ['update a SHUTDOWN', 'create new1 slot=1 v1 READY', 'requeue 60000'],
    },
    {
      name: 'an unassigned task is never stranded',
      replicas: 1,
      tasks: [{ id: 'a', slot: 1, observed: NEW }],
      want: [],
    },
    {
      name: 'a completed task restarts under condition ANY',
      replicas: 1,
      tasks: [{ id: 'a', slot: 1, observed: COMPLETE }],
      want: ['update a SHUTDOWN', 'create new1 slot=1 v1 RUNNING'],
    },
  ])('$name', ({ replicas, tasks, want }) => {
    const service = serviceOf({ replicas });
    const all = [...nodes, nodeOf('down', { state: NodeStatus_State.DOWN }),
      nodeOf('drained', { availability: NodeSpec_Availability.DRAIN })];
    const seeded = tasks.map((t) => taskOf(service, t));
    const plan = planReplicated(service, seeded, all, undefined, T0 + 1000, counterIds());
    expect(briefs(plan.actions)).toEqual(want);
  });

  it('pending_delete sets every task to REMOVE and creates nothing', () => {
    const service = { ...serviceOf({ replicas: 3 }), pendingDelete: true };
    const tasks = [taskOf(service, { id: 'a', slot: 1 }), taskOf(service, { id: 'b', slot: 2, desired: SHUTDOWN })];
    const plan = planReplicated(service, tasks, nodes, undefined, T0, counterIds());
    expect(briefs(plan.actions)).toEqual(['update a REMOVE', 'update b REMOVE']);
  });

  it('ignores other services\' tasks and builds complete new tasks', () => {
    const service = serviceOf({ replicas: 1, name: 'api' });
    const other = taskOf(serviceOf({ id: 'other' }), { id: 'x', slot: 1 });
    const plan = planReplicated(service, [other], nodes, undefined, T0, counterIds());
    expect(plan.actions).toHaveLength(1);
    const created = plan.actions[0];
    if (created?.type !== 'CreateTask') throw new Error('expected a CreateTask');
    expect(created.task).toMatchObject({
      id: 'new1', serviceId: 'svc', slot: 1, nodeId: '', desiredState: RUNNING,
      specVersion: { index: 1 }, annotations: { name: 'api.1' },
      serviceAnnotations: { name: 'api' }, spec: service.spec?.task,
    });
    expect(created.task.status).toBeUndefined();
    expect(created.task.meta).toBeUndefined();
  });
});
