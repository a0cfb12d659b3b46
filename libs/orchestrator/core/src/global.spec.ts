// Goal: pin planGlobal's per-node decisions: node added, drained, down, removed, paused,
// constraints, restarts on the same node.
// Method: table-driven; seed a global service, its tasks and the nodes, call the planner
// once, compare the rendered action list with the expected one.
import { NodeSpec_Availability, NodeStatus_State, TaskState, type Node } from '@shoal/proto';
import { planGlobal } from './global';
import { briefs, counterIds, nodeOf, serviceOf, T0, taskOf, type TaskOptions } from './testdata/fixtures';

const { FAILED, SHUTDOWN } = TaskState;
const { DRAIN, PAUSE } = NodeSpec_Availability;
const global = { $case: 'global' as const, global: {} };

interface Case {
  readonly name: string;
  readonly nodes: Node[];
  readonly tasks: Omit<TaskOptions, 'slot'>[];
  readonly constraints?: string[];
  readonly want: string[];
}

const cases: Case[] = [
  {
    name: 'one task per node, node id pre-filled',
    nodes: [nodeOf('n1'), nodeOf('n2')],
    tasks: [],
    want: ['create new1 slot=0 node=n1 v1 RUNNING', 'create new2 slot=0 node=n2 v1 RUNNING'],
  },
  {
    name: 'a node added gets a task; existing ones are left alone',
    nodes: [nodeOf('n1'), nodeOf('n2')],
    tasks: [{ id: 'a', nodeId: 'n1' }],
    want: ['create new1 slot=0 node=n2 v1 RUNNING'],
  },
  {
    name: 'a drained node\'s task is shut down, not replaced',
    nodes: [nodeOf('n1', { availability: DRAIN }), nodeOf('n2')],
    tasks: [{ id: 'a', nodeId: 'n1' }, { id: 'b', nodeId: 'n2' }],
    want: ['update a SHUTDOWN'],
  },
  {
    name: 'a DOWN node\'s task is shut down',
    nodes: [nodeOf('n1', { state: NodeStatus_State.DOWN }), nodeOf('n2')],
    tasks: [{ id: 'a', nodeId: 'n1' }, { id: 'b', nodeId: 'n2' }],
    want: ['update a SHUTDOWN'],
  },
  {
    name: 'a removed node\'s task is shut down',
    nodes: [nodeOf('n2')],
    tasks: [{ id: 'a', nodeId: 'n1' }, { id: 'b', nodeId: 'n2' }],
    want: ['update a SHUTDOWN'],
  },
  {
    name: 'a paused node gets no new task and keeps its running one',
    nodes: [nodeOf('n1', { availability: PAUSE }), nodeOf('n2', { availability: PAUSE })],
    tasks: [{ id: 'a', nodeId: 'n1' }],
    want: [],
  },
  {
    name: 'a task that failed on a paused node is shut down, not restarted',
    nodes: [nodeOf('n1', { availability: PAUSE })],
    tasks: [{ id: 'a', nodeId: 'n1', observed: FAILED }],
    want: ['update a SHUTDOWN'],
  },
  {
    name: 'a failed task is restarted on the same node',
    nodes: [nodeOf('n1')],
    tasks: [{ id: 'a', nodeId: 'n1', observed: FAILED }],
    want: ['update a SHUTDOWN', 'create new1 slot=0 node=n1 v1 RUNNING'],
  },
  {
    name: 'constraints pick the nodes; a node that stops matching loses its task',
    nodes: [nodeOf('n1', { labels: { zone: 'east' } }), nodeOf('n2', { labels: { zone: 'west' } }),
      nodeOf('n3', { labels: { zone: 'east' } })],
    tasks: [{ id: 'b', nodeId: 'n2' }],
    constraints: ['node.labels.zone==east'],
    want: ['update b SHUTDOWN', 'create new1 slot=0 node=n1 v1 RUNNING',
      'create new2 slot=0 node=n3 v1 RUNNING'],
  },
  {
    name: 'already shut-down history is left alone',
    nodes: [nodeOf('n1')],
    tasks: [{ id: 'old', nodeId: 'n1', desired: SHUTDOWN, observed: SHUTDOWN }, { id: 'a', nodeId: 'n1', created: 1 }],
    want: [],
  },
];

describe('planGlobal', () => {
  it.each(cases)('$name', ({ nodes, tasks, constraints, want }) => {
    const service = serviceOf({ mode: global, constraints });
    const seeded = tasks.map((t) => taskOf(service, { ...t, slot: 0 }));
    const plan = planGlobal(service, seeded, nodes, undefined, T0 + 1000, counterIds());
    expect(briefs(plan.actions)).toEqual(want);
  });

  it('uses the injected constraint matcher', () => {
    const service = serviceOf({ mode: global, constraints: ['anything'] });
    const plan = planGlobal(service, [], [nodeOf('n1'), nodeOf('n2')], undefined, T0, counterIds(), {
      matchConstraints: (node) => node.id === 'n2',
    });
    expect(briefs(plan.actions)).toEqual(['create new1 slot=0 node=n2 v1 RUNNING']);
  });

  it('rolls an update node by node (parallelism 1)', () => {
    const old = serviceOf({ mode: global, version: 1 });
    const service = serviceOf({ mode: global, version: 2, image: 'nginx:2' });
    const tasks = ['n1', 'n2'].map((n, i) => taskOf(old, { id: `t${i + 1}`, nodeId: n }));
    const plan = planGlobal(service, tasks, [nodeOf('n1'), nodeOf('n2')], undefined, T0, counterIds());
    expect(briefs(plan.actions)).toEqual([
      'update t1 SHUTDOWN',
      'create new1 slot=0 node=n1 v2 READY',
      'status UPDATING: update in progress',
      'requeue 60000',
    ]);
  });
});
