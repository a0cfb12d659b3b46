// Goal: for random replicated services, task histories and node sets, repeatedly applying
// planReplicated's actions in a world whose tasks move forward (and sometimes fail, and whose
// nodes sometimes go DOWN or drain) never puts two runnable tasks in one slot, never moves a
// desired state backwards, and, once failures stop, converges to exactly `replicas` runnable
// slots with every runnable task RUNNING where a node can take it.
// Method: fast-check property over generated scenarios (fixed seed, so CI is deterministic);
// the World stand-in applies actions like the shell (and asserts monotonic desired state),
// then steps the agents; virtual time advances 2 s per round.
import fc from 'fast-check';
import { NodeSpec_Availability, NodeStatus_State, TaskState, type Service, type Task } from '@shoal/proto';
import { planReplicated } from './replicated';
import { isRunnable, observedState } from './task-facts';
import { counterIds, nodeOf, serviceOf, T0, taskOf } from './testdata/fixtures';
import { World } from './testdata/world';

const STATES = [TaskState.NEW, TaskState.ASSIGNED, TaskState.RUNNING, TaskState.FAILED, TaskState.SHUTDOWN];
const ROUND_MS = 2000;

const taskArb = fc.record({
  slot: fc.integer({ min: 1, max: 8 }),
  observed: fc.constantFrom(...STATES),
  desiredShutdown: fc.boolean(),
  node: fc.integer({ min: 0, max: 4 }),
  created: fc.integer({ min: 0, max: 50 }),
});

type RawTask = typeof taskArb extends fc.Arbitrary<infer T> ? T : never;

const scenarioArb = fc.record({
  replicas: fc.integer({ min: 0, max: 6 }),
  delayMs: fc.constantFrom(0, 5000),
  nodes: fc.array(fc.constantFrom('ready', 'down', 'drain', 'pause'), { minLength: 1, maxLength: 4 }),
  tasks: fc.array(taskArb, { maxLength: 12 }),
  failures: fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 10 }),
  nodeEvents: fc.array(fc.record({ round: fc.integer({ min: 0, max: 20 }), node: fc.nat(), to: fc.constantFrom('down', 'drain', 'ready') }), { maxLength: 3 }),
});

type NodeKind = 'ready' | 'down' | 'drain' | 'pause';
function makeNode(id: string, kind: NodeKind) {
  return nodeOf(id, {
    state: kind === 'down' ? NodeStatus_State.DOWN : NodeStatus_State.READY,
    availability: kind === 'drain' ? NodeSpec_Availability.DRAIN
      : kind === 'pause' ? NodeSpec_Availability.PAUSE : NodeSpec_Availability.ACTIVE,
  });
}

/** seed builds stored tasks with at most one runnable task per slot (the invariant's premise). */
function seed(service: Service, raw: RawTask[]): Task[] {
  const runnableSlots = new Set<number>();
  return raw.map((r, i) => {
    const dead = r.desiredShutdown || r.observed > TaskState.RUNNING || runnableSlots.has(r.slot);
    if (!dead) runnableSlots.add(r.slot);
    const nodeId = r.observed >= TaskState.ASSIGNED ? `n${r.node}` : '';
    return taskOf(service, {
      id: `s${i}`, slot: r.slot, nodeId, created: r.created,
      desired: dead ? TaskState.SHUTDOWN : TaskState.RUNNING, observed: r.observed,
    });
  });
}

function runnableSlots(tasks: readonly Task[]): Map<number, number> {
  const count = new Map<number, number>();
  for (const t of tasks) if (isRunnable(t)) count.set(t.slot, (count.get(t.slot) ?? 0) + 1);
  return count;
}

describe('planReplicated convergence (property)', () => {
  it('keeps slots unique and converges to replicas', () => {
    fc.assert(fc.property(scenarioArb, (sc) => {
      const service = serviceOf({ replicas: sc.replicas, restart: { delayMs: sc.delayMs } });
      const world = new World(sc.nodes.map((k, i) => makeNode(`n${i}`, k as NodeKind)), seed(service, sc.tasks));
      world.nowMs = T0 + 100_000;
      const ids = counterIds();
      const failAt = new Set(sc.failures);
      for (let round = 0; round < 150; round++) {
        for (const e of sc.nodeEvents) {
          if (e.round !== round) continue;
          const i = e.node % world.nodes.length;
          world.nodes = world.nodes.map((n, j) => (j === i ? makeNode(n.id, e.to as NodeKind) : n));
        }
        const plan = planReplicated(service, world.list(), world.nodes, undefined, world.nowMs, ids);
        world.apply(plan.actions);
        for (const [slot, n] of runnableSlots(world.list())) {
          if (n > 1) throw new Error(`slot ${slot} has ${n} runnable tasks (round ${round})`);
        }
        world.step();
        if (failAt.has(round)) {
          const victim = world.list().find((t) => isRunnable(t) && observedState(t) === TaskState.RUNNING);
          if (victim !== undefined) world.observe(victim.id, TaskState.FAILED);
        }
        world.nowMs += ROUND_MS;
      }
      expect(runnableSlots(world.list()).size).toBe(sc.replicas);
      const canRun = world.nodes.some((n) => n.status?.state === NodeStatus_State.READY &&
        n.spec?.availability === NodeSpec_Availability.ACTIVE);
      if (canRun) {
        const stuck = world.list().filter((t) => isRunnable(t) && observedState(t) !== TaskState.RUNNING);
        expect(stuck.map((t) => t.id)).toEqual([]);
      }
    }), { seed: 20260101, numRuns: 150 });
  });
});
