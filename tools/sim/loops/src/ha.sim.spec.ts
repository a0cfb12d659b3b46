// Goal: the HA property on virtual time: killing the active orchestrator and the active
// scheduler (no resign) during a 1,000-replica scale-up, while a node goes DOWN, ends with
// exactly 1,000 running slots, numbered 1..1,000, each once; each standby leads within
// 2 × the lease ttl of the kill; the safety properties hold at every step.
// Method: World (two replicas of each loop, in-process store, ManualClock), agents acting on
// every step; deterministic, no sleeps.
import { NodeStatus_State, Service, TaskState } from '@shoal/proto';
import { SeededRandom } from '@shoal/random';
import { LOOP_SIM_LIMITS } from '@shoal/limits';
import { simId, simNode, World } from './world';

const REPLICAS = 1_000;

function web(replicas: number): Service {
  return Service.fromPartial({
    id: simId('s', 1),
    spec: { annotations: { name: 'web', labels: {} },
      task: { runtime: { $case: 'container', container: { image: 'nginx:1' } } },
      mode: { $case: 'replicated', replicated: { replicas } } },
    specVersion: { index: 1 },
  });
}

describe('loop replicas killed during a 1,000-replica scale-up (ManualClock)', () => {
  it('ends with exactly 1,000 running slots, each once', async () => {
    const world = new World(new SeededRandom(7), { nodes: 50, services: 0, agentActProbability: 1 });
    await world.write('ca', Array.from({ length: 50 }, (_, i) => ({ action: 'create', kind: 'node', object: simNode(i + 1) })));
    world.startLoops();
    await world.write('user', [{ action: 'create', kind: 'service', object: web(1) }]);
    await world.runFor(2_000);
    // The active orchestrator dies right after committing 400 of the 999 new tasks, the
    // active scheduler right after its first assignments of the scale-up.
    let created = 0;
    let assigned = 0;
    expect(world.killActiveAfter('orchestrator', (changes) => {
      created += changes.filter((c) => c.action === 'create').length;
      return created >= 400;
    })).toBe(true);
    expect(world.killActiveAfter('scheduler', (changes) => {
      assigned += changes.filter((c) => c.kind === 'task').length;
      return assigned >= 100;
    })).toBe(true);
    await world.write('user', [{ action: 'update', kind: 'service', object: { ...world.checker.services.get(simId('s', 1)) as Service,
      spec: { ...web(REPLICAS).spec } } }]);
    while (created < 400 || assigned < 100) await world.advance(1);
    expect(world.tasksOf(simId('s', 1)).length).toBe(401);
    const killedAt = world.clock.now();
    world.crashed.add(simId('n', 1));
    await world.setNodeState(simId('n', 1), NodeStatus_State.DOWN);
    const active = (kind: string): boolean => world.replicas.some((r) => r.kind === kind && r.loop.stats.active);
    while (!(active('orchestrator') && active('scheduler'))) await world.runFor(100);
    expect(world.clock.now() - killedAt).toBeLessThanOrEqual(2 * LOOP_SIM_LIMITS.leaseTtlMs);
    await world.runFor(20_000);
    const tasks = world.tasksOf(simId('s', 1));
    const live = tasks.filter((t) => t.desiredState === TaskState.RUNNING && t.status?.state === TaskState.RUNNING);
    expect(live.map((t) => t.slot).sort((a, b) => a - b)).toEqual(Array.from({ length: REPLICAS }, (_, i) => i + 1));
    expect(tasks.filter((t) => t.desiredState <= TaskState.RUNNING)).toHaveLength(REPLICAS);
    expect(live.some((t) => t.nodeId === simId('n', 1))).toBe(false);
    expect(world.checker.violations).toEqual([]);
    await world.stopAll();
  }, 60_000);
});
