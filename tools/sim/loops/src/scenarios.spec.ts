// Goal: the behaviours a user sees through `docker service ...`, end to end through the three
// real loops and a real store: replicas placed and spread, a container killed out of band
// replaced in its slot after the 5 s restart delay (and not under restart none or past max
// attempts), tasks moved off drained and DOWN nodes, scale down from the busiest nodes with
// the extras reaped, rolling updates (completed, or paused on failures with SwarmKit's
// messages), global services following nodes, history trimmed to 5 per slot, ingress ports
// from 30000, and SwarmKit's "no suitable node" explanation, retried when a node fits.
// Method: World (two replicas of each loop on an in-process store) on a ManualClock; the
// agents act at once on every step (100 ms of virtual time); no sleeps.
import {
  ContainerSpec,
  NodeSpec_Availability,
  NodeStatus_State,
  RestartPolicy_Condition,
  Service,
  TaskState,
  UpdateConfig_FailureAction,
  UpdateConfig_Order,
  UpdateStatus_State,
  type Task,
} from '@shoal/proto';
import { SeededRandom } from '@shoal/random';
import { simId, simNode, World } from './world';

const { RUNNING, SHUTDOWN, READY, REMOVE, FAILED, PENDING } = TaskState;

interface ServiceOptions {
  readonly replicas?: number;
  readonly global?: boolean;
  readonly nanoCpus?: number;
  readonly restart?: { condition: RestartPolicy_Condition; maxAttempts?: number; delayMs?: number };
  readonly update?: { parallelism: number; monitorMs?: number; failureAction?: UpdateConfig_FailureAction;
    order?: UpdateConfig_Order };
  readonly constraints?: readonly string[];
  readonly publish?: number;
}

function service(n: number, o: ServiceOptions = {}): Service {
  const restart = o.restart === undefined ? undefined : {
    condition: o.restart.condition, maxAttempts: o.restart.maxAttempts ?? 0,
    delay: o.restart.delayMs === undefined ? undefined
      : { seconds: Math.floor(o.restart.delayMs / 1000), nanos: (o.restart.delayMs % 1000) * 1e6 },
  };
  return Service.fromPartial({
    id: simId('s', n),
    spec: {
      annotations: { name: `web${n}`, labels: {} },
      task: { runtime: { $case: 'container', container: { image: 'nginx:1' } }, restart,
        resources: { reservations: { nanoCpus: o.nanoCpus ?? 0 } },
        placement: { constraints: [...(o.constraints ?? [])] } },
      mode: o.global === true ? { $case: 'global', global: {} }
        : { $case: 'replicated', replicated: { replicas: o.replicas ?? 1 } },
      update: o.update === undefined ? undefined : { parallelism: o.update.parallelism,
        monitor: o.update.monitorMs === undefined ? undefined : { seconds: o.update.monitorMs / 1000, nanos: 0 },
        failureAction: o.update.failureAction ?? UpdateConfig_FailureAction.PAUSE,
        order: o.update.order ?? UpdateConfig_Order.STOP_FIRST },
      endpoint: { ports: o.publish === undefined ? [] : [{ targetPort: 80, publishedPort: o.publish }] },
    },
    specVersion: { index: 1 },
  });
}

async function cluster(nodes: number, options: { failAtStart?: (t: Task) => boolean } = {}): Promise<World> {
  const world = new World(new SeededRandom(1), { nodes, services: 0, agentActProbability: 1, ...options });
  await world.write('ca', Array.from({ length: nodes }, (_, i) => ({ action: 'create', kind: 'node', object: simNode(i + 1) })));
  world.startLoops();
  return world;
}

async function create(world: World, s: Service): Promise<void> {
  await world.write('user', [{ action: 'create', kind: 'service', object: s }]);
}

async function updateSpec(world: World, id: string, change: (s: Service) => Service): Promise<void> {
  world.checker.sync();
  const current = world.checker.services.get(id) as Service;
  await world.write('user', [{ action: 'update', kind: 'service', object: change(current) }]);
}

function running(tasks: readonly Task[]): Task[] {
  return tasks.filter((t) => t.desiredState === RUNNING && t.status?.state === RUNNING);
}

function runningSlots(world: World, id: string): number[] {
  return running(world.tasksOf(id)).map((t) => t.slot).sort((a, b) => a - b);
}

describe('what a docker user sees, through the three loops (ManualClock)', () => {
  let world: World;
  afterEach(async () => {
    expect(world.checker.violations).toEqual([]);
    await world.stopAll();
  });

  it('places replicas spread over the nodes, one per slot', async () => {
    world = await cluster(3);
    await create(world, service(1, { replicas: 6 }));
    await world.runFor(3_000);
    const tasks = running(world.tasksOf(simId('s', 1)));
    expect(tasks.map((t) => t.slot).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    const perNode = new Map<string, number>();
    for (const t of tasks) perNode.set(t.nodeId, (perNode.get(t.nodeId) ?? 0) + 1);
    expect([...perNode.values()]).toEqual([2, 2, 2]);
    expect(tasks.every((t) => t.allocatorStatus?.message === 'pending task scheduling')).toBe(true);
    expect(tasks.every((t) => t.schedulerStatus?.message === 'scheduler assigned task to node')).toBe(true);
  });

  it('replaces a container killed out of band in its slot after the 5 s restart delay', async () => {
    world = await cluster(2);
    await create(world, service(1, { replicas: 2 }));
    await world.runFor(3_000);
    const victim = running(world.tasksOf(simId('s', 1))).find((t) => t.slot === 2) as Task;
    await world.write('dispatcher', [world.report(victim, FAILED)]);
    await world.runFor(1_000);
    const slot2 = world.tasksOf(simId('s', 1)).filter((t) => t.slot === 2);
    expect(slot2.map((t) => [t.id === victim.id, t.desiredState])).toEqual([[true, SHUTDOWN], [false, READY]]);
    await world.runFor(3_500);
    expect(runningSlots(world, simId('s', 1))).toEqual([1]);
    await world.runFor(1_500);
    expect(runningSlots(world, simId('s', 1))).toEqual([1, 2]);
    expect(world.tasksOf(simId('s', 1))).toHaveLength(3);
  });

  it('does not restart under condition none, and stops after max attempts', async () => {
    world = await cluster(2);
    await create(world, service(1, { replicas: 1, restart: { condition: RestartPolicy_Condition.NONE } }));
    await create(world, service(2, { replicas: 1,
      restart: { condition: RestartPolicy_Condition.ANY, maxAttempts: 2, delayMs: 1_000 } }));
    await world.runFor(3_000);
    for (let kill = 0; kill < 4; kill++) {
      for (const id of [simId('s', 1), simId('s', 2)]) {
        const live = running(world.tasksOf(id))[0];
        if (live !== undefined) await world.write('dispatcher', [world.report(live, FAILED)]);
      }
      await world.runFor(4_000);
    }
    expect(world.tasksOf(simId('s', 1))).toHaveLength(1);
    expect(running(world.tasksOf(simId('s', 1)))).toEqual([]);
    expect(world.tasksOf(simId('s', 2))).toHaveLength(3);
    expect(running(world.tasksOf(simId('s', 2)))).toEqual([]);
  });

  it('moves tasks off a drained node at once and off a DOWN node after the delay', async () => {
    world = await cluster(4);
    await create(world, service(1, { replicas: 4 }));
    await world.runFor(3_000);
    const drained = simId('n', 1);
    const down = simId('n', 2);
    await world.setAvailability(drained, NodeSpec_Availability.DRAIN);
    await world.runFor(2_000);
    let live = running(world.tasksOf(simId('s', 1)));
    expect(live).toHaveLength(4);
    expect(live.some((t) => t.nodeId === drained)).toBe(false);
    world.crashed.add(down);
    await world.setNodeState(down, NodeStatus_State.DOWN);
    await world.runFor(7_000);
    live = running(world.tasksOf(simId('s', 1))).filter((t) => t.nodeId !== down);
    expect(live.map((t) => t.slot).sort()).toEqual([1, 2, 3, 4]);
    expect(live.every((t) => t.nodeId !== drained && t.nodeId !== down)).toBe(true);
  });

  it('holds a replacement until the old task stops, at most 1 minute (restart timeout)', async () => {
    world = await cluster(2);
    await create(world, service(1, { replicas: 1 }));
    await world.runFor(2_000);
    const old = running(world.tasksOf(simId('s', 1)))[0] as Task;
    // The old task's agent stops answering (its node stays READY) and the node is drained:
    // the replacement must wait for the old task to stop, or for the 1-minute timeout.
    world.crashed.add(old.nodeId);
    await world.setAvailability(old.nodeId, NodeSpec_Availability.DRAIN);
    await world.runFor(30_000);
    const held = world.tasksOf(simId('s', 1)).filter((t) => t.id !== old.id);
    expect(held.map((t) => [t.slot, t.desiredState, t.status?.state])).toEqual([[1, READY, undefined]]);
    await world.runFor(31_000);
    const replacement = running(world.tasksOf(simId('s', 1)));
    expect(replacement.map((t) => [t.slot, t.nodeId === old.nodeId])).toEqual([[1, false]]);
  });

  it('removes a deleted service: its tasks stop, are reaped, and the service and its port go', async () => {
    world = await cluster(2);
    await create(world, service(1, { replicas: 3, publish: 0 }));
    await world.runFor(2_000);
    await updateSpec(world, simId('s', 1), (s) => ({ ...s, pendingDelete: true }));
    await world.runFor(2_000);
    expect(world.tasksOf(simId('s', 1))).toEqual([]);
    expect(world.checker.services.has(simId('s', 1))).toBe(false);
    await create(world, service(2, { replicas: 1, publish: 0 }));
    await world.runFor(1_000);
    expect(world.checker.services.get(simId('s', 2))?.endpoint?.ports[0]?.publishedPort).toBe(30000);
  });

  it('scales down from the busiest nodes and reaps the removed tasks', async () => {
    world = await cluster(3);
    await create(world, service(1, { replicas: 5 }));
    await world.runFor(3_000);
    await updateSpec(world, simId('s', 1), (s) => ({ ...s, spec: s.spec === undefined ? undefined
      : { ...s.spec, mode: { $case: 'replicated', replicated: { replicas: 3 } } } }));
    await world.runFor(2_000);
    const removed = [...world.checker.removed.values()];
    expect(removed).toHaveLength(2);
    expect(removed.every((t) => t.desiredState === REMOVE)).toBe(true);
    expect(new Set(removed.map((t) => t.nodeId)).size).toBe(2);
    const left = world.tasksOf(simId('s', 1));
    expect(left).toHaveLength(3);
    expect(new Set(left.map((t) => t.nodeId)).size).toBe(3);
  });

  it('rolls an update out slot by slot on a force_update bump and completes it', async () => {
    world = await cluster(3);
    await create(world, service(1, { replicas: 3, update: { parallelism: 1, monitorMs: 1_000 } }));
    await world.runFor(3_000);
    const before = new Set(world.tasksOf(simId('s', 1)).map((t) => t.id));
    await updateSpec(world, simId('s', 1), (s) => ({ ...s, specVersion: { index: 2 },
      spec: s.spec === undefined ? undefined
        : { ...s.spec, task: s.spec.task === undefined ? undefined : { ...s.spec.task, forceUpdate: 1 } } }));
    await world.runFor(100);
    const status = (): Service['updateStatus'] => world.checker.services.get(simId('s', 1))?.updateStatus;
    expect(status()?.state).toBe(UpdateStatus_State.UPDATING);
    expect(status()?.message).toBe('update in progress');
    // Parallelism 1, stop-first: at most one slot is down at any step.
    for (let step = 0; step < 60; step++) {
      await world.runFor(100);
      expect(running(world.tasksOf(simId('s', 1))).length).toBeGreaterThanOrEqual(2);
    }
    expect(status()?.state).toBe(UpdateStatus_State.COMPLETED);
    expect(status()?.message).toBe('update completed');
    const live = running(world.tasksOf(simId('s', 1)));
    expect(live.map((t) => t.slot).sort()).toEqual([1, 2, 3]);
    expect(live.some((t) => before.has(t.id))).toBe(false);
  });

  it('pauses an update whose new tasks fail, with SwarmKit\'s message', async () => {
    world = await cluster(3, { failAtStart: (t) => t.specVersion?.index === 2 });
    await create(world, service(1, { replicas: 3, update: { parallelism: 1 } }));
    await world.runFor(3_000);
    await updateSpec(world, simId('s', 1), (s) => ({ ...s, specVersion: { index: 2 },
      spec: s.spec === undefined ? undefined : { ...s.spec, task: s.spec.task === undefined ? undefined
        : { ...s.spec.task, runtime: { $case: 'container', container: ContainerSpec.fromPartial({ image: 'nginx:broken' }) } } } }));
    await world.runFor(3_000);
    const status = world.checker.services.get(simId('s', 1))?.updateStatus;
    expect(status?.state).toBe(UpdateStatus_State.PAUSED);
    expect(status?.message).toMatch(/^update paused due to failure or early termination of task \w+$/);
    await world.runFor(10_000);
    expect(running(world.tasksOf(simId('s', 1))).filter((t) => t.specVersion?.index === 1)).toHaveLength(2);
  });

  it('rolls back automatically when new tasks fail under failure action rollback', async () => {
    world = await cluster(3, { failAtStart: (t) => t.specVersion?.index === 2 });
    await create(world, service(1, { replicas: 3,
      update: { parallelism: 1, monitorMs: 1_000, failureAction: UpdateConfig_FailureAction.ROLLBACK } }));
    await world.runFor(3_000);
    await updateSpec(world, simId('s', 1), (s) => ({ ...s, specVersion: { index: 2 }, previousSpec: s.spec,
      previousSpecVersion: s.specVersion, spec: s.spec === undefined ? undefined : { ...s.spec,
        task: s.spec.task === undefined ? undefined
          : { ...s.spec.task, runtime: { $case: 'container', container: ContainerSpec.fromPartial({ image: 'nginx:broken' }) } } } }));
    await world.runFor(2_000);
    const status = (): Service['updateStatus'] => world.checker.services.get(simId('s', 1))?.updateStatus;
    expect(status()?.state).toBe(UpdateStatus_State.ROLLBACK_STARTED);
    expect(status()?.message).toMatch(/^update rolled back due to failure or early termination of task \w+$/);
    await world.runFor(15_000);
    expect(status()?.state).toBe(UpdateStatus_State.ROLLBACK_COMPLETED);
    expect(status()?.message).toBe('rollback completed');
    const live = running(world.tasksOf(simId('s', 1)));
    expect(live.map((t) => t.slot).sort()).toEqual([1, 2, 3]);
    expect(live.every((t) => t.spec?.runtime?.$case === 'container' && t.spec.runtime.container.image === 'nginx:1'))
      .toBe(true);
  });

  it('starts the new task before stopping the old one under start-first', async () => {
    world = await cluster(2);
    await create(world, service(1, { replicas: 2,
      update: { parallelism: 1, monitorMs: 1_000, order: UpdateConfig_Order.START_FIRST } }));
    await world.runFor(3_000);
    await updateSpec(world, simId('s', 1), (s) => ({ ...s, specVersion: { index: 2 },
      spec: s.spec === undefined ? undefined
        : { ...s.spec, task: s.spec.task === undefined ? undefined : { ...s.spec.task, forceUpdate: 1 } } }));
    let most = 0;
    for (let step = 0; step < 50; step++) {
      await world.runFor(100);
      const live = world.tasksOf(simId('s', 1)).filter((t) => t.status?.state === RUNNING);
      most = Math.max(most, live.length);
      expect(live.length).toBeGreaterThanOrEqual(2);
    }
    expect(most).toBe(3);
    expect(world.checker.services.get(simId('s', 1))?.updateStatus?.state).toBe(UpdateStatus_State.COMPLETED);
    // Start-first runs a slot's old and new task together on purpose, each slot once.
    const overlaps = world.checker.violations.splice(0);
    expect(overlaps.map((v) => v.property)).toEqual(['slot-runs-twice', 'slot-runs-twice']);
  });

  it('runs a global service on every available node, following joins and drains', async () => {
    world = await cluster(3);
    await create(world, service(1, { global: true }));
    await world.runFor(2_000);
    expect(running(world.tasksOf(simId('s', 1))).map((t) => t.nodeId).sort())
      .toEqual([simId('n', 1), simId('n', 2), simId('n', 3)]);
    await world.write('ca', [{ action: 'create', kind: 'node', object: simNode(4) }]);
    await world.setAvailability(simId('n', 2), NodeSpec_Availability.DRAIN);
    await world.runFor(2_000);
    expect(running(world.tasksOf(simId('s', 1))).map((t) => t.nodeId).sort())
      .toEqual([simId('n', 1), simId('n', 3), simId('n', 4)]);
  });

  it('keeps at most 5 tasks of history per slot', async () => {
    world = await cluster(1);
    await create(world, service(1, { replicas: 1,
      restart: { condition: RestartPolicy_Condition.ANY, delayMs: 100 } }));
    for (let kill = 0; kill < 8; kill++) {
      await world.runFor(1_000);
      const live = running(world.tasksOf(simId('s', 1)))[0] as Task;
      await world.write('dispatcher', [world.report(live, FAILED)]);
    }
    await world.runFor(2_000);
    expect(world.tasksOf(simId('s', 1))).toHaveLength(5);
    expect(running(world.tasksOf(simId('s', 1)))).toHaveLength(1);
  });

  it('publishes ingress ports from 30000 and refuses a taken one', async () => {
    world = await cluster(1);
    await create(world, service(1, { publish: 0 }));
    await create(world, service(2, { publish: 0 }));
    await create(world, service(3, { publish: 30000 }));
    await world.runFor(2_000);
    const port = (n: number): number | undefined =>
      world.checker.services.get(simId('s', n))?.endpoint?.ports[0]?.publishedPort;
    expect([port(1), port(2)]).toEqual([30000, 30001]);
    expect(running(world.tasksOf(simId('s', 1)))[0]?.endpoint?.ports[0]?.publishedPort).toBe(30000);
    const stuck = world.tasksOf(simId('s', 3));
    expect(stuck.map((t) => [t.allocatorStatus?.state, t.allocatorStatus?.err]))
      .toEqual([[TaskState.NEW, `port '30000' is already in use by service '${simId('s', 1)}'`]]);
  });

  it('explains a task that fits nowhere, and places it once a node fits', async () => {
    world = await cluster(2);
    await world.setAvailability(simId('n', 2), NodeSpec_Availability.DRAIN);
    await create(world, service(1, { replicas: 1, nanoCpus: 6e9 }));
    await create(world, service(2, { replicas: 1, constraints: ['node.labels.zone==a'] }));
    await world.runFor(2_000);
    const err = (n: number): [TaskState | undefined, string | undefined] => {
      const t = world.tasksOf(simId('s', n))[0];
      return [t?.schedulerStatus?.state, t?.schedulerStatus?.err];
    };
    expect(err(1)).toEqual([PENDING,
      'no suitable node (1 node not available for new tasks; insufficient resources on 1 node)']);
    expect(err(2)).toEqual([PENDING,
      'no suitable node (1 node not available for new tasks; scheduling constraints not satisfied on 1 node)']);
    await world.write('ca', [{ action: 'create', kind: 'node', object: simNode(3, 8e9) }]);
    await world.runFor(2_000);
    expect(running(world.tasksOf(simId('s', 1))).map((t) => t.nodeId)).toEqual([simId('n', 3)]);
  });
});
