// Goal: each filter of the pipeline accepts and refuses nodes as SwarmKit's filter.go does,
// the pipeline reports the first refusing filter in SwarmKit's order, and explanations use
// SwarmKit's exact wording, pluralisation and ordering.
// Method: tables of (task, node, expected first failing filter), then schedule() on small
// clusters to check the full "no suitable node (…)" messages.
import {
  NodeSpec_Availability,
  NodeStatus_State,
  TaskState,
  type Node,
  type Task,
} from '@shoal/proto';
import { explainFailures, explainFilter, noSuitableNodeMessage } from './explain';
import { FILTER_ORDER, firstFailingFilter, nodeCapacity, taskRequirements, type FilterName } from './filters';
import { schedule } from './schedule';
import { SchedulerState } from './scheduler-state';
import { discrete, makeNode, makeTask, must, named } from './testdata/fixtures';

function failing(task: Task, node: Node, setup?: (s: SchedulerState) => void): FilterName | 'pass' {
  const state = new SchedulerState();
  state.upsertNode(node);
  setup?.(state);
  const i = firstFailingFilter(taskRequirements(task), must(state.nodeInfo(node.id)));
  return i < 0 ? 'pass' : (FILTER_ORDER[i] as FilterName);
}

const GIB = 1024 ** 3;

describe('filter pipeline', () => {
  it.each<[string, Task, Node, FilterName | 'pass']>([
    ['ready node passes', makeTask('t'), makeNode('n'), 'pass'],
    ['down node', makeTask('t'), makeNode('n', { state: NodeStatus_State.DOWN }), 'ready'],
    ['unknown node', makeTask('t'), makeNode('n', { state: NodeStatus_State.UNKNOWN }), 'ready'],
    ['disconnected node', makeTask('t'), makeNode('n', { state: NodeStatus_State.DISCONNECTED }), 'ready'],
    ['paused node', makeTask('t'), makeNode('n', { availability: NodeSpec_Availability.PAUSE }), 'ready'],
    ['drained node', makeTask('t'), makeNode('n', { availability: NodeSpec_Availability.DRAIN }), 'ready'],
    ['ready wins over resources', makeTask('t', { nanoCpus: 2e9 }),
      makeNode('n', { state: NodeStatus_State.DOWN }), 'ready'],
    ['cpu fits exactly', makeTask('t', { nanoCpus: 2e9 }), makeNode('n', { nanoCpus: 2e9 }), 'pass'],
    ['cpu short', makeTask('t', { nanoCpus: 2e9 }), makeNode('n', { nanoCpus: 1e9 }), 'resources'],
    ['memory short', makeTask('t', { memoryBytes: 2 * GIB }),
      makeNode('n', { memoryBytes: GIB }), 'resources'],
    ['no reservation ignores resources', makeTask('t'), makeNode('n'), 'pass'],
    ['discrete generic fits', makeTask('t', { generic: [discrete('ssd', 2)] }),
      makeNode('n', { generic: [discrete('ssd', 2)] }), 'pass'],
    ['discrete generic short', makeTask('t', { generic: [discrete('ssd', 3)] }),
      makeNode('n', { generic: [discrete('ssd', 2)] }), 'resources'],
    ['named generic fits', makeTask('t', { generic: [discrete('gpu', 2)] }),
      makeNode('n', { generic: [named('gpu', 'a'), named('gpu', 'b')] }), 'pass'],
    ['named generic short', makeTask('t', { generic: [discrete('gpu', 3)] }),
      makeNode('n', { generic: [named('gpu', 'a'), named('gpu', 'b')] }), 'resources'],
    ['generic kind missing', makeTask('t', { generic: [discrete('fpga', 1)] }),
      makeNode('n', { generic: [discrete('ssd', 4)] }), 'resources'],
    ['constraint met', makeTask('t', { placement: { constraints: ['node.labels.zone==a'] } }),
      makeNode('n', { labels: { zone: 'a' } }), 'pass'],
    ['constraint unmet', makeTask('t', { placement: { constraints: ['node.labels.zone==a'] } }),
      makeNode('n', { labels: { zone: 'b' } }), 'constraints'],
    ['unparsable constraints disable the filter', makeTask('t', { placement: { constraints: ['zone'] } }),
      makeNode('n'), 'pass'],
    ['resources before constraints', makeTask('t', { nanoCpus: 1, placement: { constraints: ['node.id==x'] } }),
      makeNode('n'), 'resources'],
    ['platform match', makeTask('t', { placement: { platforms: [{ os: 'linux', architecture: 'amd64' }] } }),
      makeNode('n', { os: 'linux', arch: 'x86_64' }), 'pass'],
    ['platform aarch64 = arm64', makeTask('t', { placement: { platforms: [{ os: 'linux', architecture: 'aarch64' }] } }),
      makeNode('n', { os: 'linux', arch: 'arm64' }), 'pass'],
    ['platform wildcard arch', makeTask('t', { placement: { platforms: [{ os: 'linux', architecture: '' }] } }),
      makeNode('n', { os: 'linux', arch: 'ppc64le' }), 'pass'],
    ['platform mismatch', makeTask('t', { placement: { platforms: [{ os: 'windows', architecture: 'amd64' }] } }),
      makeNode('n', { os: 'linux', arch: 'amd64' }), 'platform'],
    ['platform unknown on node', makeTask('t', { placement: { platforms: [{ os: 'linux', architecture: '' }] } }),
      makeNode('n'), 'platform'],
    ['constraints before platform', makeTask('t', {
      placement: { constraints: ['node.id==x'], platforms: [{ os: 'windows', architecture: '' }] },
    }), makeNode('n', { os: 'linux' }), 'constraints'],
    ['host port free', makeTask('t', { hostPorts: [8080] }), makeNode('n'), 'pass'],
    ['max replicas room', makeTask('t', { placement: { maxReplicas: 1 } }), makeNode('n'), 'pass'],
  ])('%s', (_name, task, node, expected) => {
    expect(failing(task, node)).toBe(expected);
  });

  it('refuses a node whose host-mode port is taken by an assigned task', () => {
    const task = makeTask('t', { hostPorts: [8080] });
    const other = makeTask('o', { hostPorts: [8080], nodeId: 'n', state: TaskState.RUNNING });
    expect(failing(task, makeNode('n'), (s) => s.upsertTask(other, 0))).toBe('host-port');
    const otherPort = makeTask('o', { hostPorts: [9090], nodeId: 'n', state: TaskState.RUNNING });
    expect(failing(task, makeNode('n'), (s) => s.upsertTask(otherPort, 0))).toBe('pass');
  });

  it('refuses a node already running max replicas of the service', () => {
    const task = makeTask('t', { placement: { maxReplicas: 1 } });
    const running = makeTask('r', { nodeId: 'n', state: TaskState.RUNNING });
    expect(failing(task, makeNode('n'), (s) => s.upsertTask(running, 0))).toBe('max-replicas');
    const otherService = makeTask('r', { nodeId: 'n', state: TaskState.RUNNING, serviceId: 'other' });
    expect(failing(task, makeNode('n'), (s) => s.upsertTask(otherService, 0))).toBe('pass');
  });

  it('counts reservations of assigned tasks against the node', () => {
    const task = makeTask('t', { nanoCpus: 1e9 });
    const running = makeTask('r', { nodeId: 'n', state: TaskState.RUNNING, nanoCpus: 1e9 });
    expect(failing(task, makeNode('n', { nanoCpus: 2e9 }), (s) => s.upsertTask(running, 0))).toBe('pass');
    expect(failing(task, makeNode('n', { nanoCpus: 1.5e9 }), (s) => s.upsertTask(running, 0))).toBe('resources');
  });

  it('computes how many more tasks a node can take', () => {
    const state = new SchedulerState();
    state.upsertNode(makeNode('n', { nanoCpus: 4e9, memoryBytes: 10 * GIB, generic: [discrete('ssd', 5)] }));
    const info = must(state.nodeInfo('n'));
    expect(nodeCapacity(taskRequirements(makeTask('t', { nanoCpus: 1e9 })), info)).toBe(4);
    expect(nodeCapacity(taskRequirements(makeTask('t', { memoryBytes: 3 * GIB })), info)).toBe(3);
    expect(nodeCapacity(taskRequirements(makeTask('t', { generic: [discrete('ssd', 2)] })), info)).toBe(2);
    expect(nodeCapacity(taskRequirements(makeTask('t', { hostPorts: [80] })), info)).toBe(1);
    expect(nodeCapacity(taskRequirements(makeTask('t', { placement: { maxReplicas: 3 } })), info)).toBe(3);
    expect(nodeCapacity(taskRequirements(makeTask('t')), info)).toBe(Infinity);
  });
});

describe('plugin filter', () => {
  function withNetwork(driver: string): Task {
    const task = makeTask('t');
    task.networks = [{ network: { id: 'net', driverState: { name: driver, options: {} } } as never,
      addresses: [], aliases: [], driverAttachmentOpts: {} }];
    return task;
  }

  it.each<[string, Task, Node, FilterName | 'pass']>([
    ['network plug-in present', withNetwork('weave'), makeNode('n', { plugins: [{ type: 'Network', name: 'weave' }] }), 'pass'],
    ['network plug-in :latest', withNetwork('weave'), makeNode('n', { plugins: [{ type: 'Network', name: 'weave:latest' }] }), 'pass'],
    ['network plug-in missing', withNetwork('weave'), makeNode('n', { plugins: [{ type: 'Volume', name: 'weave' }] }), 'plugin'],
    ['node without engine description', withNetwork('weave'), makeNode('n', { noDescription: true }), 'pass'],
  ])('%s', (_name, task, node, expected) => {
    expect(failing(task, node)).toBe(expected);
  });
});

describe('explanations', () => {
  it.each<[FilterName, number, string]>([
    ['ready', 1, '1 node not available for new tasks'],
    ['ready', 2, '2 nodes not available for new tasks'],
    ['resources', 1, 'insufficient resources on 1 node'],
    ['resources', 3, 'insufficient resources on 3 nodes'],
    ['plugin', 2, 'missing plugin on 2 nodes'],
    ['constraints', 1, 'scheduling constraints not satisfied on 1 node'],
    ['constraints', 5, 'scheduling constraints not satisfied on 5 nodes'],
    ['platform', 1, 'unsupported platform on 1 node'],
    ['host-port', 2, 'host-mode port already in use on 2 nodes'],
    ['max-replicas', 1, 'max replicas per node limit exceed'],
    ['max-replicas', 4, 'max replicas per node limit exceed'],
  ])('%s × %d → %j', (name, count, text) => {
    expect(explainFilter(name, count)).toBe(text);
  });

  it('orders by failures, most first, pipeline order among equals', () => {
    const counts = FILTER_ORDER.map((name) => ({ ready: 1, resources: 2, constraints: 1 } as Record<string, number>)[name] ?? 0);
    expect(explainFailures(counts)).toBe(
      'insufficient resources on 2 nodes; 1 node not available for new tasks; ' +
        'scheduling constraints not satisfied on 1 node',
    );
    expect(explainFailures(FILTER_ORDER.map(() => 0))).toBe('');
  });

  it('wraps the explanation in "no suitable node"', () => {
    expect(noSuitableNodeMessage('')).toBe('no suitable node');
    expect(noSuitableNodeMessage('x')).toBe('no suitable node (x)');
  });
});

describe('pending explanations from schedule()', () => {
  function pendingMessage(nodes: Node[], task: Task): string {
    const state = new SchedulerState();
    for (const n of nodes) state.upsertNode(n);
    const result = schedule(state, [task], 0);
    expect(result.decisions).toEqual([]);
    expect(result.unschedulable).toHaveLength(1);
    return must(result.unschedulable[0]).message;
  }

  it.each<[string, Node[], Task, string]>([
    ['no nodes at all', [], makeTask('t'), 'no suitable node'],
    ['two down, one too small',
      [makeNode('a', { state: NodeStatus_State.DOWN }), makeNode('b', { state: NodeStatus_State.DOWN }),
        makeNode('c', { nanoCpus: 1e9 })],
      makeTask('t', { nanoCpus: 2e9 }),
      'no suitable node (2 nodes not available for new tasks; insufficient resources on 1 node)'],
    ['constraints and platform',
      [makeNode('a', { labels: { zone: 'x' }, os: 'linux' }), makeNode('b', { labels: { zone: 'y' }, os: 'linux' }),
        makeNode('c', { labels: { zone: 'y' }, os: 'linux' })],
      makeTask('t', { placement: { constraints: ['node.labels.zone==y'], platforms: [{ os: 'windows', architecture: '' }] } }),
      'no suitable node (unsupported platform on 2 nodes; scheduling constraints not satisfied on 1 node)'],
    ['one drained node', [makeNode('a', { availability: NodeSpec_Availability.DRAIN })], makeTask('t'),
      'no suitable node (1 node not available for new tasks)'],
  ])('%s', (_name, nodes, task, message) => {
    expect(pendingMessage(nodes, task)).toBe(message);
  });

  it('explains leftovers of a group from the nodes as they are after placing', () => {
    const state = new SchedulerState();
    state.upsertNode(makeNode('a', { nanoCpus: 2e9 }));
    state.upsertNode(makeNode('b', { nanoCpus: 1e9 }));
    state.upsertNode(makeNode('c', { state: NodeStatus_State.DOWN, nanoCpus: 8e9 }));
    const tasks = [1, 2, 3, 4, 5].map((i) => makeTask(`t${i}`, { nanoCpus: 1e9 }));
    const result = schedule(state, tasks, 0);
    expect(result.decisions).toHaveLength(3);
    expect(result.unschedulable).toEqual(['t4', 't5'].map((taskId) => ({
      taskId,
      message: 'no suitable node (insufficient resources on 2 nodes; 1 node not available for new tasks)',
    })));
  });

  it('explains max replicas and host ports', () => {
    const state = new SchedulerState();
    state.upsertNode(makeNode('a'));
    state.upsertNode(makeNode('b'));
    const replicas = [1, 2, 3].map((i) => makeTask(`r${i}`, { placement: { maxReplicas: 1 } }));
    expect(schedule(state, replicas, 0).unschedulable).toEqual([
      { taskId: 'r3', message: 'no suitable node (max replicas per node limit exceed)' },
    ]);
    const ported = [1, 2, 3].map((i) => makeTask(`p${i}`, { serviceId: 'web', hostPorts: [80] }));
    expect(schedule(state, ported, 0).unschedulable).toEqual([
      { taskId: 'p3', message: 'no suitable node (host-mode port already in use on 2 nodes)' },
    ]);
  });
});
