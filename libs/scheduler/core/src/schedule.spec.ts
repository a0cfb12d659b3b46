// Goal: schedule() ranks and spreads like SwarmKit's scheduler (fewest tasks of the service,
// then fewest tasks, then node id; faulty nodes last; placement preferences evened out per
// label value), confirms preassigned tasks with the filters only, and its decisions can be
// rolled back. Method: small explicit clusters, counting decisions per node.
import { SCHEDULER_LIMITS } from '@shoal/limits';
import { NodeStatus_State, TaskState, type Task } from '@shoal/proto';
import { rollbackDecision, schedule, ASSIGNED_MESSAGE, PREASSIGNED_MESSAGE } from './schedule';
import { SchedulerState } from './scheduler-state';
import { waterFill } from './spread-tree';
import { countByNode, discrete, makeNode, makeTask, must, named, type NodeOptions } from './testdata/fixtures';

const MINUTE = 60_000;

function cluster(nodes: Record<string, NodeOptions>): SchedulerState {
  const state = new SchedulerState();
  for (const [id, options] of Object.entries(nodes)) state.upsertNode(makeNode(id, options));
  return state;
}

function tasks(n: number, prefix = 't', options: Parameters<typeof makeTask>[1] = {}): Task[] {
  return Array.from({ length: n }, (_, i) => makeTask(`${prefix}${i}`, options));
}

function running(state: SchedulerState, nodeId: string, n: number, serviceId = 'svc'): void {
  for (let i = 0; i < n; i++) {
    state.upsertTask(makeTask(`${nodeId}-${serviceId}-${i}`, { nodeId, serviceId, state: TaskState.RUNNING }), 0);
  }
}

describe('ranking', () => {
  it('spreads 10 tasks on 3 equal nodes 4/3/3, ties to the lowest node id', () => {
    const state = cluster({ c: {}, a: {}, b: {} });
    const result = schedule(state, tasks(10), 0);
    expect(countByNode(result.decisions)).toEqual({ a: 4, b: 3, c: 3 });
    expect(result.decisions.slice(0, 4).map((d) => d.nodeId)).toEqual(['a', 'b', 'c', 'a']);
    expect(result.decisions[0]).toMatchObject({ nodeVersion: 1, preassigned: false, message: ASSIGNED_MESSAGE });
  });

  it('prefers nodes with fewer tasks of the service', () => {
    const state = cluster({ a: {}, b: {}, c: {} });
    running(state, 'a', 2);
    expect(countByNode(schedule(state, tasks(4), 0).decisions)).toEqual({ b: 2, c: 2 });
  });

  it('breaks ties on the service with fewer tasks in total', () => {
    const state = cluster({ a: {}, b: {} });
    running(state, 'a', 3, 'other');
    expect(countByNode(schedule(state, tasks(3), 0).decisions)).toEqual({ a: 1, b: 2 });
  });

  it('puts tasks of the service before total load', () => {
    const state = cluster({ a: {}, b: {} });
    running(state, 'a', 5, 'other');
    running(state, 'b', 1);
    // a: 0 of svc (5 total), b: 1 of svc (1 total): a first.
    expect(must(schedule(state, tasks(1), 0).decisions[0]).nodeId).toBe('a');
  });

  it('avoids a node where the service version failed 5 times in 5 minutes', () => {
    const state = cluster({ a: {}, b: {} });
    for (let i = 0; i < SCHEDULER_LIMITS.maxFailures; i++) {
      state.upsertTask(makeTask(`f${i}`, { nodeId: 'a', state: TaskState.RUNNING }), i * MINUTE);
      state.upsertTask(makeTask(`f${i}`, { nodeId: 'a', state: TaskState.FAILED }), i * MINUTE);
    }
    running(state, 'b', 3);
    const now = 4 * MINUTE;
    expect(countByNode(schedule(state, tasks(3), now).decisions)).toEqual({ b: 3 });
    // Another spec version of the service is not affected.
    expect(countByNode(schedule(state, tasks(2, 'v', { specVersion: 2 }), now).decisions)).toEqual({ a: 2 });
    // Once the first failure is older than the window, a is no longer faulty.
    const later = SCHEDULER_LIMITS.monitorFailuresMs + 1;
    expect(countByNode(schedule(state, tasks(1, 'l'), later).decisions)).toEqual({ a: 1 });
  });

  it('does not avoid a node with 4 recent failures', () => {
    const state = cluster({ a: {}, b: {} });
    for (let i = 0; i < SCHEDULER_LIMITS.maxFailures - 1; i++) {
      state.upsertTask(makeTask(`f${i}`, { nodeId: 'a', state: TaskState.RUNNING }), 0);
      state.upsertTask(makeTask(`f${i}`, { nodeId: 'a', state: TaskState.FAILED }), 0);
    }
    expect(countByNode(schedule(state, tasks(2), 0).decisions)).toEqual({ a: 1, b: 1 });
  });

  it('uses a faulty node when nothing else fits, fewest failures first', () => {
    const state = cluster({ a: {}, b: {} });
    for (const [node, n] of [['a', 6], ['b', 5]] as const) {
      for (let i = 0; i < n; i++) {
        state.upsertTask(makeTask(`${node}f${i}`, { nodeId: node, state: TaskState.RUNNING }), 0);
        state.upsertTask(makeTask(`${node}f${i}`, { nodeId: node, state: TaskState.FAILED }), 0);
      }
    }
    expect(countByNode(schedule(state, tasks(3), 0).decisions)).toEqual({ b: 3 });
  });

  it('never over-reserves within a group', () => {
    const state = cluster({ a: { nanoCpus: 3e9 }, b: { nanoCpus: 1e9 } });
    const result = schedule(state, tasks(6, 't', { nanoCpus: 1e9 }), 0);
    expect(countByNode(result.decisions)).toEqual({ a: 3, b: 1 });
    expect(result.unschedulable).toHaveLength(2);
    expect(must(state.nodeInfo('a')).availableNanoCpus()).toBe(0);
  });

  it('schedules each (service, spec version) group and one-off tasks', () => {
    const state = cluster({ a: {}, b: {} });
    const pending = [
      ...tasks(2, 'x', { serviceId: 'x' }),
      ...tasks(2, 'y', { serviceId: 'y' }),
      ...tasks(2, 'o', { serviceId: 'x', specVersion: null }),
    ];
    const result = schedule(state, pending, 0);
    expect(result.decisions).toHaveLength(6);
    expect(must(state.nodeInfo('a')).activeTasksOf('x')).toBe(2);
    expect(must(state.nodeInfo('b')).activeTasksOf('x')).toBe(2);
    expect(countByNode(result.decisions)).toEqual({ a: 3, b: 3 });
  });

  it('claims named generic resources for each decision', () => {
    const state = cluster({ a: { generic: [named('gpu', 'g0'), named('gpu', 'g1'), named('gpu', 'g2')] } });
    const result = schedule(state, tasks(2, 't', { generic: [discrete('gpu', 1)] }), 0);
    expect(result.decisions.map((d) => d.assignedGenericResources)).toEqual([[named('gpu', 'g0')], [named('gpu', 'g1')]]);
  });
});

describe('preassigned tasks', () => {
  it('confirms a task on its node when the filters pass', () => {
    const state = cluster({ a: { nanoCpus: 1e9, version: 4 } });
    const result = schedule(state, [makeTask('g', { nodeId: 'a', nanoCpus: 1e9 })], 0);
    expect(result.decisions).toEqual([{ taskId: 'g', nodeId: 'a', nodeVersion: 4,
      assignedGenericResources: [], preassigned: true, message: PREASSIGNED_MESSAGE }]);
    expect(must(state.nodeInfo('a')).availableNanoCpus()).toBe(0);
  });

  it('explains a refusal with the failing filter on that one node', () => {
    const state = cluster({ a: { nanoCpus: 1e9 }, b: { state: NodeStatus_State.DOWN } });
    const result = schedule(state, [
      makeTask('g1', { nodeId: 'a', nanoCpus: 2e9 }),
      makeTask('g2', { nodeId: 'b' }),
    ], 0);
    expect(result.unschedulable).toEqual([
      { taskId: 'g1', message: 'insufficient resources on 1 node' },
      { taskId: 'g2', message: '1 node not available for new tasks' },
    ]);
  });

  it('defers a task whose node is not known', () => {
    const result = schedule(cluster({}), [makeTask('g', { nodeId: 'ghost' })], 0);
    expect(result).toEqual({ decisions: [], unschedulable: [], deferred: ['g'] });
  });
});

describe('rollback', () => {
  it('releases a decision that failed to commit, so the task can be placed again', () => {
    const state = cluster({ a: { nanoCpus: 1e9 } });
    const first = schedule(state, [makeTask('t', { nanoCpus: 1e9 })], 0);
    expect(first.decisions).toHaveLength(1);
    expect(schedule(state, [makeTask('u', { nanoCpus: 1e9 })], 0).unschedulable).toHaveLength(1);
    rollbackDecision(state, must(first.decisions[0]));
    expect(state.nodeOfTask('t')).toBeUndefined();
    expect(must(state.nodeInfo('a')).availableNanoCpus()).toBe(1e9);
    expect(schedule(state, [makeTask('t', { nanoCpus: 1e9 })], 0).decisions).toHaveLength(1);
  });

  it('keeps the reservation when the commit succeeds and the store echoes the task', () => {
    const state = cluster({ a: { nanoCpus: 2e9 } });
    const [decision] = schedule(state, [makeTask('t', { nanoCpus: 1e9 })], 0).decisions;
    expect(state.upsertTask(makeTask('t', { nodeId: must(decision).nodeId, state: TaskState.ASSIGNED, nanoCpus: 1e9 }), 0))
      .toBe('tracked');
    expect(must(state.nodeInfo('a')).availableNanoCpus()).toBe(1e9);
    expect(must(state.nodeInfo('a')).activeTasksCount).toBe(1);
  });

  it('is a no-op once the task has left the node', () => {
    const state = cluster({ a: {} });
    const [decision] = schedule(state, [makeTask('t')], 0).decisions;
    state.removeTask('t');
    rollbackDecision(state, must(decision));
    expect(state.trackedTaskCount).toBe(0);
  });
});

describe('placement preferences', () => {
  const zones: Record<string, NodeOptions> = {
    a1: { labels: { zone: 'a' } },
    a2: { labels: { zone: 'a' } },
    a3: { labels: { zone: 'a' } },
    b1: { labels: { zone: 'b' } },
    c1: { labels: { zone: 'c' } },
  };
  const spread = { placement: { preferences: [{ preference: { $case: 'spread' as const, spread: { spreadDescriptor: 'node.labels.zone' } } }] } };

  function byZone(state: SchedulerState, decisions: ReadonlyArray<{ nodeId: string }>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const d of decisions) {
      const zone = must(state.nodeInfo(d.nodeId)).node.spec?.annotations?.labels['zone'] ?? '';
      out[zone] = (out[zone] ?? 0) + 1;
    }
    return out;
  }

  it('spreads evenly over label values, not over nodes', () => {
    const state = cluster(zones);
    const result = schedule(state, tasks(9, 't', spread), 0);
    expect(byZone(state, result.decisions)).toEqual({ a: 3, b: 3, c: 3 });
    expect(countByNode(result.decisions)).toEqual({ a1: 1, a2: 1, a3: 1, b1: 3, c1: 3 });
  });

  it('fills the emptiest values first, then round-robins', () => {
    const state = cluster(zones);
    running(state, 'b1', 4);
    const result = schedule(state, tasks(6, 't', spread), 0);
    expect(byZone(state, result.decisions)).toEqual({ a: 3, c: 3 });
    const more = schedule(state, tasks(4, 'u', spread), 0);
    // Now a = 3, b = 4, c = 3: a and c reach 4, then one each in value order.
    expect(byZone(state, more.decisions)).toEqual({ a: 2, b: 1, c: 1 });
  });

  it('groups nodes without the label under the empty value', () => {
    const state = cluster({ ...zones, x1: {}, x2: {} });
    const result = schedule(state, tasks(8, 't', spread), 0);
    expect(byZone(state, result.decisions)).toEqual({ '': 2, a: 2, b: 2, c: 2 });
  });

  it('sends the overflow of a full value to the others', () => {
    const state = cluster({ a1: { labels: { zone: 'a' }, nanoCpus: 1e9 }, b1: { labels: { zone: 'b' }, nanoCpus: 8e9 } });
    const result = schedule(state, tasks(4, 't', { ...spread, nanoCpus: 1e9 }), 0);
    expect(countByNode(result.decisions)).toEqual({ b1: 3, a1: 1 });
  });

  it('honours several levels in precedence order', () => {
    const state = cluster({
      r1: { labels: { zone: 'a', rack: '1' } },
      r2: { labels: { zone: 'a', rack: '2' } },
      r3: { labels: { zone: 'b', rack: '1' } },
    });
    const prefs = { placement: { preferences: ['node.labels.zone', 'node.labels.rack'].map((d) => ({
      preference: { $case: 'spread' as const, spread: { spreadDescriptor: d } },
    })) } };
    expect(countByNode(schedule(state, tasks(8, 't', prefs), 0).decisions)).toEqual({ r1: 2, r2: 2, r3: 4 });
  });

  // Shrunk counterexample of an old property, "with spread preferences a pass places as many
  // tasks as without" (fast-check seed 424242, also -1637901184). Two groups of service s0
  // publish host port 8000; the second is bound to one zone. At a tie the spread takes the
  // zones in value order, so g0 goes to n01 (zone a) where the heap alone takes n00 (id
  // order); that port then fills zone a. The spread is right and the totals may differ either
  // way; what is equal is each group's count from the same state.
  describe('across groups (shrunk counterexample)', () => {
    const world = { n00: { labels: { zone: 'c' } }, n01: { labels: { zone: 'a' } } };
    const pending = (zone: string, prefs: typeof spread | undefined): Task[] => [
      makeTask('g0t0', { serviceId: 's0', specVersion: 1, hostPorts: [8000], placement: prefs?.placement }),
      makeTask('g1t0', { serviceId: 's0', specVersion: 2, hostPorts: [8000],
        placement: { ...prefs?.placement, constraints: [`node.labels.zone==${zone}`] } }),
    ];
    const placed = (zone: string, prefs: typeof spread | undefined): string[][] =>
      schedule(cluster(world), pending(zone, prefs), 0).decisions.map((d) => [d.taskId, d.nodeId]);

    it('a later group bound to zone a fits without the spread only', () => {
      expect(placed('a', undefined)).toEqual([['g0t0', 'n00'], ['g1t0', 'n01']]);
      expect(placed('a', spread)).toEqual([['g0t0', 'n01']]);
      expect(schedule(cluster(world), pending('a', spread), 0).unschedulable).toEqual([{ taskId: 'g1t0',
        message: 'no suitable node (scheduling constraints not satisfied on 1 node; host-mode port already in use on 1 node)' }]);
    });

    it('a later group bound to zone c fits with the spread only', () => {
      expect(placed('c', undefined)).toEqual([['g0t0', 'n00']]);
      expect(placed('c', spread)).toEqual([['g0t0', 'n01'], ['g1t0', 'n00']]);
    });

    it.each(['a', 'c'])('each group, from the same state, places as many with the spread as without (zone %s)', (zone) => {
      const withG0On = (nodeId: string): SchedulerState => {
        const state = cluster(world);
        state.upsertTask(makeTask('g0t0', { serviceId: 's0', nodeId, state: TaskState.ASSIGNED, hostPorts: [8000] }), 0);
        return state;
      };
      for (const nodeId of ['n00', 'n01']) {
        const [, g1Spread] = pending(zone, spread);
        const [, g1Plain] = pending(zone, undefined);
        expect(schedule(withG0On(nodeId), [must(g1Spread)], 0).decisions)
          .toHaveLength(schedule(withG0On(nodeId), [must(g1Plain)], 0).decisions.length);
      }
    });
  });

  it('ignores descriptors other than node or engine labels', () => {
    const state = cluster(zones);
    const other = { placement: { preferences: [{ preference: { $case: 'spread' as const, spread: { spreadDescriptor: 'node.hostname' } } }] } };
    expect(countByNode(schedule(state, tasks(5, 't', other), 0).decisions))
      .toEqual({ a1: 1, a2: 1, a3: 1, b1: 1, c1: 1 });
  });
});

describe('waterFill', () => {
  it.each([
    [[0, 0, 0], [Infinity, Infinity, Infinity], 10, [4, 3, 3]],
    [[2, 0, 0], [Infinity, Infinity, Infinity], 4, [0, 2, 2]],
    [[2, 0, 0], [Infinity, Infinity, Infinity], 5, [1, 2, 2]],
    [[0, 0], [1, Infinity], 5, [1, 4]],
    [[0, 0], [1, 1], 5, [1, 1]],
    [[5, 0, 1], [Infinity, 2, Infinity], 6, [0, 2, 4]],
    [[0], [0], 3, [0]],
    [[3, 0, 0], [Infinity, Infinity, Infinity], 3, [0, 2, 1]],
    [[2, 0, 0, 0], [Infinity, Infinity, 1, 2], 4, [0, 2, 1, 1]],
  ])('existing %j, room %j, %d tasks → %j', (existing, room, n, expected) => {
    expect(waterFill(existing, room, n)).toEqual(expected);
  });

  it('handles more branches than a call can take arguments (one label value per node)', () => {
    const branches = 300_000;
    const existing = Array.from({ length: branches }, (_, i) => (i === 0 ? 1 : 0));
    const split = waterFill(existing, existing.map(() => 1), 2);
    expect(split.slice(0, 3)).toEqual([0, 1, 1]);
    expect(split.reduce((a, b) => a + b, 0)).toBe(2);
  });
});
