// Goal: the scheduler shell assigns PENDING tasks to READY nodes through batched, fenced
// transactions; a task that fits nowhere stays PENDING with SwarmKit's explanation (written
// once) and is placed as soon as a node that fits appears; it never writes anything but the
// scheduler's fields. Method: a real in-process store (LocalReplica behind gRPC) with a
// scheduler replica on real timers (debounce shortened to keep the test quick); tasks are
// created as the orchestrator would, already marked PENDING as the allocator would; the test
// waits for the store to show the outcome.
import { Task, TaskState } from '@shoal/proto';
import type { StoreClient } from '@shoal/store-client';
import { systemClock, systemTimers } from '@shoal/runtime';
// The in-process store is scope:store/type:testing, which a scheduler lib may not import;
// only this spec does, to run the loop against a real store.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createNodes, fixtureId, readyNode, startStoreFixture, until, type StoreFixture } from '@shoal/testing-store-fixture';
import type { ControlLoop } from '@shoal/store-controller';
import { createSchedulerLoop } from './scheduler-loop';

function pendingTask(n: number, serviceId: string, nanoCpus = 0): Task {
  return Task.fromPartial({
    id: fixtureId('t', n), serviceId, slot: n, specVersion: { index: 1 },
    desiredState: TaskState.RUNNING,
    spec: { resources: { reservations: { nanoCpus } } },
    serviceAnnotations: { name: 'web', labels: {} },
    allocatorStatus: { state: TaskState.PENDING, message: 'pending task scheduling' },
  });
}

async function tasksOf(client: StoreClient): Promise<Task[]> {
  return client.findTasks();
}

describe('scheduler loop against an in-process store', () => {
  let fixture: StoreFixture;
  let loops: ControlLoop[];
  beforeEach(async () => {
    fixture = await startStoreFixture();
    loops = [];
  });
  afterEach(async () => {
    await Promise.all(loops.map((l) => l.stop()));
    await fixture.stop();
  });

  function startScheduler(holder: string): ControlLoop {
    const loop = createSchedulerLoop({
      store: fixture.client('scheduler'), holder, clock: systemClock, timers: systemTimers,
      leaseTtlMs: 1_000, batching: { debounceGapMs: 5, maxLatencyMs: 50 },
    });
    loop.start();
    loops.push(loop);
    return loop;
  }

  it('assigns every pending task, spread evenly, in batched transactions', async () => {
    await createNodes(fixture, [1, 2, 3].map((n) => readyNode(fixtureId('n', n))));
    const orchestrator = fixture.client('orchestrator');
    const tasks = Array.from({ length: 30 }, (_, i) => pendingTask(i + 1, 's1'));
    await orchestrator.transaction(tasks.map((object) => ({ action: 'create', kind: 'task', object })),
      { writer: 'orchestrator' });
    const loop = startScheduler('a');
    const reader = fixture.client('orchestrator');
    await until(async () => (await tasksOf(reader)).every((t) => t.nodeId !== ''), 10_000, 'all assigned');
    const stored = await tasksOf(reader);
    const perNode = new Map<string, number>();
    for (const t of stored) {
      expect(t.schedulerStatus?.state).toBe(TaskState.ASSIGNED);
      expect(t.schedulerStatus?.message).toBe('scheduler assigned task to node');
      perNode.set(t.nodeId, (perNode.get(t.nodeId) ?? 0) + 1);
    }
    expect([...perNode.values()]).toEqual([10, 10, 10]);
    expect(loop.stats.writes).toBeLessThanOrEqual(3);
    expect(loop.stats.active).toBe(true);
  });

  it('explains a task that fits nowhere once, and places it when a node that fits appears', async () => {
    await createNodes(fixture, [1, 2].map((n) => readyNode(fixtureId('n', n), { nanoCpus: 1e9 })));
    const orchestrator = fixture.client('orchestrator');
    await orchestrator.transaction([{ action: 'create', kind: 'task', object: pendingTask(1, 's1', 2e9) }],
      { writer: 'orchestrator' });
    startScheduler('a');
    const reader = fixture.client('orchestrator');
    const message = 'no suitable node (insufficient resources on 2 nodes)';
    await until(async () => (await reader.getTask(fixtureId('t', 1)))?.schedulerStatus?.err === message,
      10_000, 'the explanation');
    const explained = await reader.getTask(fixtureId('t', 1));
    expect(explained?.schedulerStatus?.state).toBe(TaskState.PENDING);
    expect(explained?.nodeId).toBe('');
    await new Promise((r) => setTimeout(r, 200));
    const again = await reader.getTask(fixtureId('t', 1));
    expect(again?.meta?.version?.index).toBe(explained?.meta?.version?.index);

    await createNodes(fixture, [readyNode(fixtureId('n', 3), { nanoCpus: 4e9 })]);
    await until(async () => (await reader.getTask(fixtureId('t', 1)))?.nodeId === fixtureId('n', 3),
      10_000, 'placement on the new node');
  });

  it('lets a standby replica take over within 2 × ttl when the active one dies', async () => {
    await createNodes(fixture, [1, 2].map((n) => readyNode(fixtureId('n', n))));
    const first = startScheduler('a');
    const second = startScheduler('b');
    await until(() => first.stats.active || second.stats.active, 5_000, 'a leader');
    const [active, standby] = first.stats.active ? [first, second] : [second, first];
    expect(standby.stats.active).toBe(false);
    const diedAt = Date.now();
    // Death without resigning: the replica's store connection goes away.
    const activeStore = (active as unknown as { options: { store: StoreClient } }).options.store;
    activeStore.close();
    await until(() => standby.stats.active, 2_000 + 500, 'the standby to lead');
    expect(Date.now() - diedAt).toBeLessThan(2 * 1_000 + 300);
    const orchestrator = fixture.client('orchestrator');
    await orchestrator.transaction([{ action: 'create', kind: 'task', object: pendingTask(1, 's1') }],
      { writer: 'orchestrator' });
    await until(async () => (await orchestrator.getTask(fixtureId('t', 1)))?.nodeId !== '', 5_000,
      'the standby to schedule');
    await until(() => !active.stats.active, 2_000, 'the dead replica to stop acting');
  });
});
