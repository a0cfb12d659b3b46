// Goal: on random clusters, schedule() never over-reserves a node, never assigns to a node
// that is not ready or refuses the task, respects max replicas and host ports, accounts for
// every pending task exactly once, and places each group exactly as a naive per-task
// reference (filter every node, sort by rank, take the first) would.
// Method: fast-check generates nodes (state, availability, resources, labels, failures) and
// pending groups (reservations, constraints, max replicas, host ports); the reference is a
// plain loop over the exported filter and ranking pieces, run on an identical state.
import fc from 'fast-check';
import {
  NodeSpec_Availability,
  NodeStatus_State,
  TaskState,
  type Node,
  type Task,
} from '@shoal/proto';
import { failureTier, recentFailureCount } from './failures';
import { firstFailingFilter, taskRequirements } from './filters';
import type { NodeInfo } from './node-info';
import { schedule } from './schedule';
import { SchedulerState, trackedTaskOf } from './scheduler-state';
import { discrete, makeNode, makeTask, must } from './testdata/fixtures';

const NOW = 10 * 60_000;

interface World {
  readonly nodes: Node[];
  readonly failures: Array<{ node: number; service: number; count: number }>;
  readonly pending: Task[];
}

const nodeArb = fc.record({
  state: fc.constantFrom(NodeStatus_State.READY, NodeStatus_State.READY, NodeStatus_State.READY, NodeStatus_State.DOWN),
  availability: fc.constantFrom(NodeSpec_Availability.ACTIVE, NodeSpec_Availability.ACTIVE, NodeSpec_Availability.DRAIN),
  cpus: fc.integer({ min: 0, max: 8 }),
  ssd: fc.integer({ min: 0, max: 3 }),
  zone: fc.constantFrom('a', 'b', 'c'),
});

const groupArb = fc.record({
  service: fc.integer({ min: 0, max: 3 }),
  count: fc.integer({ min: 1, max: 12 }),
  cpus: fc.integer({ min: 0, max: 3 }),
  ssd: fc.integer({ min: 0, max: 1 }),
  maxReplicas: fc.integer({ min: 0, max: 3 }),
  hostPort: fc.boolean(),
  zone: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
});

const worldArb: fc.Arbitrary<World> = fc.record({
  nodes: fc.array(nodeArb, { minLength: 0, maxLength: 12 }),
  failures: fc.array(fc.record({
    node: fc.nat(11), service: fc.integer({ min: 0, max: 3 }), count: fc.integer({ min: 1, max: 7 }),
  }), { maxLength: 4 }),
  groups: fc.array(groupArb, { minLength: 1, maxLength: 4 }),
}).map(({ nodes, failures, groups }) => ({
  nodes: nodes.map((n, i) => makeNode(`n${String(i).padStart(2, '0')}`, {
    state: n.state, availability: n.availability, nanoCpus: n.cpus * 1e9,
    generic: n.ssd > 0 ? [discrete('ssd', n.ssd)] : [], labels: { zone: n.zone },
  })),
  failures,
  pending: groups.flatMap((g, gi) => Array.from({ length: g.count }, (_, k) => makeTask(`g${gi}t${k}`, {
    serviceId: `s${g.service}`,
    specVersion: gi + 1,
    nanoCpus: g.cpus * 1e9,
    generic: g.ssd > 0 ? [discrete('ssd', g.ssd)] : [],
    hostPorts: g.hostPort ? [8000 + g.service] : undefined,
    placement: { maxReplicas: g.maxReplicas, constraints: g.zone === undefined ? [] : [`node.labels.zone==${g.zone}`] },
  }))),
}));

function build(world: World): SchedulerState {
  const state = new SchedulerState();
  for (const node of world.nodes) state.upsertNode(node);
  for (const [i, f] of world.failures.entries()) {
    const node = world.nodes[f.node];
    if (node === undefined) continue;
    for (let k = 0; k < f.count; k++) {
      // Failures of the version the pending group of that service would have: any group.
      for (let version = 1; version <= 4; version++) {
        const id = `fail-${i}-${k}-${version}`;
        const o = { nodeId: node.id, serviceId: `s${f.service}`, specVersion: version };
        state.upsertTask(makeTask(id, { ...o, state: TaskState.RUNNING }), NOW - 60_000);
        state.upsertTask(makeTask(id, { ...o, state: TaskState.FAILED }), NOW - 60_000);
      }
    }
  }
  return state;
}

/** The reference: one task at a time, filter every node, sort by rank, take the first. */
function naive(state: SchedulerState, pending: readonly Task[]): Array<{ taskId: string; nodeId: string }> {
  const order = [...pending].sort((a, b) => (a.specVersion?.index ?? 0) - (b.specVersion?.index ?? 0));
  const out: Array<{ taskId: string; nodeId: string }> = [];
  for (const task of order) {
    const req = taskRequirements(task);
    const fits = state.orderedNodes().filter((info) => firstFailingFilter(req, info) < 0);
    const key = (i: NodeInfo): number[] => [failureTier(recentFailureCount(i, req.failureKey, NOW)),
      i.activeTasksOf(req.serviceId), i.activeTasksCount, i.ordinal];
    fits.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return (ka[i] as number) - (kb[i] as number);
      return 0;
    });
    const best = fits[0];
    if (best === undefined) continue;
    const claim = best.claimGeneric(req.reservations.generic);
    state.place(best.id, trackedTaskOf(task, claim, false, TaskState.ASSIGNED));
    out.push({ taskId: task.id, nodeId: best.id });
  }
  return out;
}

describe('schedule() properties', () => {
  // The replay re-runs every filter (max replicas and host ports included) on the state as it
  // was just before each decision, in decision order.
  it('never over-reserves, never uses a refused node, respects max replicas and host ports', () => {
    fc.assert(fc.property(worldArb, (world) => {
      const state = build(world);
      const result = schedule(state, world.pending, NOW);
      const ids = [...result.decisions.map((d) => d.taskId), ...result.unschedulable.map((u) => u.taskId),
        ...result.deferred];
      expect(ids.sort()).toEqual(world.pending.map((t) => t.id).sort());
      const byId = new Map(world.pending.map((t) => [t.id, t]));
      const fresh = build(world);
      for (const d of result.decisions) {
        const task = must(byId.get(d.taskId));
        const info = must(fresh.nodeInfo(d.nodeId));
        expect(info.ready).toBe(true);
        // Re-running the filters on the state before this decision accepts the node.
        expect(firstFailingFilter(taskRequirements(task), info)).toBe(-1);
        fresh.place(d.nodeId, trackedTaskOf(task, info.claimGeneric(taskRequirements(task).reservations.generic),
          false, TaskState.ASSIGNED));
      }
      for (const info of state.orderedNodes()) {
        expect(info.availableNanoCpus()).toBeGreaterThanOrEqual(0);
        expect(info.availableGeneric('ssd')).toBeGreaterThanOrEqual(0);
        for (const count of info.hostPortUse.values()) expect(count).toBe(1);
      }
    }), { numRuns: 300 });
  });

  it('respects max replicas per service on every node', () => {
    fc.assert(fc.property(worldArb, (world) => {
      const state = build(world);
      const result = schedule(state, world.pending, NOW);
      const placed = new Map<string, number>();
      const byId = new Map(world.pending.map((t) => [t.id, t]));
      for (const d of result.decisions) {
        const task = must(byId.get(d.taskId));
        const key = `${d.nodeId}/${task.serviceId}/${must(task.specVersion).index}`;
        placed.set(key, (placed.get(key) ?? 0) + 1);
        const max = must(must(task.spec).placement).maxReplicas;
        if (max > 0) expect(placed.get(key)).toBeLessThanOrEqual(max);
      }
    }), { numRuns: 300 });
  });

  it('places each group exactly as the naive per-task reference', () => {
    fc.assert(fc.property(worldArb, (world) => {
      const grouped = schedule(build(world), world.pending, NOW);
      const reference = naive(build(world), world.pending);
      const got = grouped.decisions.map((d) => ({ taskId: d.taskId, nodeId: d.nodeId }));
      const count = (xs: Array<{ nodeId: string }>): Record<string, number> =>
        xs.reduce<Record<string, number>>((acc, x) => ({ ...acc, [x.nodeId]: (acc[x.nodeId] ?? 0) + 1 }), {});
      expect(count(got)).toEqual(count(reference));
      expect(got).toEqual(reference);
    }), { numRuns: 300 });
  });

  it('with spread preferences, places as many tasks as without, each on a node that accepts it', () => {
    fc.assert(fc.property(worldArb, (world) => {
      const spread = world.pending.map((t) => ({
        ...t,
        spec: { ...must(t.spec), placement: { ...must(must(t.spec).placement), preferences: [
          { preference: { $case: 'spread' as const, spread: { spreadDescriptor: 'node.labels.zone' } } },
        ] } },
      }));
      const plain = schedule(build(world), world.pending, NOW);
      const state = build(world);
      const spreadResult = schedule(state, spread, NOW);
      expect(spreadResult.decisions).toHaveLength(plain.decisions.length);
      const fresh = build(world);
      const byId = new Map(spread.map((t) => [t.id, t]));
      for (const d of spreadResult.decisions) {
        const task = must(byId.get(d.taskId));
        const info = must(fresh.nodeInfo(d.nodeId));
        expect(firstFailingFilter(taskRequirements(task), info)).toBe(-1);
        fresh.place(d.nodeId, trackedTaskOf(task, info.claimGeneric(taskRequirements(task).reservations.generic),
          false, TaskState.ASSIGNED));
      }
    }), { numRuns: 300 });
  });
});
