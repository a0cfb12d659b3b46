// Goal: the orchestrator shell creates one task per slot for a replicated service, scales it
// up and down (extras get desired REMOVE and the reaper deletes those that never ran), and
// when its active replica dies mid scale-up a standby takes over within 2 × ttl and finishes
// with exactly N runnable slots and no slot twice. Method: a real in-process store
// (LocalReplica behind gRPC), orchestrator replicas on real timers with a short debounce;
// the service is written as the gateway would; the test reads the store until it converges.
import { TaskState, type Task } from '@shoal/proto';
import { systemClock, systemTimers } from '@shoal/runtime';
import type { StoreClient } from '@shoal/store-client';
// The in-process store is scope:store/type:testing, which an orchestrator lib may not
// import; only this spec does, to run the loop against a real store.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { fixtureId, startStoreFixture, testService, until, type StoreFixture } from '@shoal/testing-store-fixture';
import type { ControlLoop } from '@shoal/store-controller';
import { createOrchestratorLoop } from './orchestrator-loop';

// A loaded CI machine stalls the event loop; a 1 s ttl then flaps (see orchestrator.md).
const TTL_MS = 2_000;

function runnableSlots(tasks: readonly Task[], serviceId: string): number[] {
  return tasks.filter((t) => t.serviceId === serviceId && t.desiredState <= TaskState.RUNNING)
    .map((t) => t.slot).sort((a, b) => a - b);
}

async function setReplicas(gateway: StoreClient, id: string, replicas: number): Promise<void> {
  await gateway.update('service', id, (s) => ({
    ...s, spec: s.spec === undefined ? undefined : { ...s.spec, mode: { $case: 'replicated', replicated: { replicas } } },
  }), { writer: 'user' });
}

describe('orchestrator loop against an in-process store', () => {
  let fixture: StoreFixture;
  let loops: ControlLoop[];
  let gateway: StoreClient;
  beforeEach(async () => {
    fixture = await startStoreFixture();
    gateway = fixture.client('gateway');
    loops = [];
  });
  afterEach(async () => {
    await Promise.all(loops.map((l) => l.stop()));
    await fixture.stop();
  });

  function startOrchestrator(holder: string): ControlLoop {
    const loop = createOrchestratorLoop({
      store: fixture.client('orchestrator'), holder, clock: systemClock, timers: systemTimers,
      leaseTtlMs: TTL_MS, batching: { debounceGapMs: 5, maxLatencyMs: 50 },
    });
    loop.start();
    loops.push(loop);
    return loop;
  }

  it('creates N tasks, scales up, and scales down with the reaper removing the extras', async () => {
    const web = testService(fixtureId('s', 1), 'web', { replicas: 5 });
    await gateway.transaction([{ action: 'create', kind: 'service', object: web }], { writer: 'user' });
    startOrchestrator('a');
    const reader = fixture.client('gateway');
    await until(async () => runnableSlots(await reader.findTasks(), web.id).length === 5, 30_000, '5 tasks');
    const first = await reader.findTasks();
    expect(runnableSlots(first, web.id)).toEqual([1, 2, 3, 4, 5]);
    for (const t of first) {
      expect(t.desiredState).toBe(TaskState.RUNNING);
      expect(t.annotations?.name).toBe(`web.${t.slot}`);
      expect(t.allocatorStatus).toBeUndefined();
    }
    await setReplicas(gateway, web.id, 8);
    await until(async () => runnableSlots(await reader.findTasks(), web.id).length === 8, 30_000, '8 tasks');
    await setReplicas(gateway, web.id, 3);
    await until(async () => (await reader.findTasks()).length === 3, 30_000, 'the extras reaped');
    expect(runnableSlots(await reader.findTasks(), web.id)).toHaveLength(3);
  });

  it('converges to exactly 1,000 slots when the active replica dies mid scale-up', async () => {
    const replicas = 1_000;
    const web = testService(fixtureId('s', 1), 'web', { replicas: 1 });
    await gateway.transaction([{ action: 'create', kind: 'service', object: web }], { writer: 'user' });
    // The active replica dies (its connection goes, no resign) right after it committed its
    // second chunk of the scale-up: 400 of the 1,000 tasks exist.
    const client = fixture.client('orchestrator');
    let created = 0;
    const dying: typeof client = Object.create(client) as typeof client;
    dying.transaction = async (changes, options) => {
      const committed = await client.transaction(changes, options);
      created += changes.filter((c) => c.action === 'create').length;
      if (created >= 401) client.close();
      return committed;
    };
    const a = createOrchestratorLoop({ store: dying, holder: 'a', clock: systemClock,
      timers: systemTimers, leaseTtlMs: TTL_MS, batching: { debounceGapMs: 5, maxLatencyMs: 50 } });
    a.start();
    loops.push(a);
    await until(() => a.stats.active, 5_000, 'a leader');
    const b = startOrchestrator('b');
    const reader = fixture.client('gateway');
    await until(async () => (await reader.findTasks()).length === 1, 5_000, 'the first task');
    await setReplicas(gateway, web.id, replicas);
    await until(() => created >= 401, 5_000, 'the death mid scale-up');
    const diedAt = Date.now();
    expect((await reader.findTasks()).length).toBe(401);
    await until(() => b.stats.active, 2 * TTL_MS + 1_000, 'the standby to lead');
    expect(Date.now() - diedAt).toBeLessThan(2 * TTL_MS + 1_000);
    await until(async () => runnableSlots(await reader.findTasks(), web.id).length >= replicas, 30_000,
      `${replicas} slots`);
    const tasks = await reader.findTasks();
    expect(tasks).toHaveLength(replicas);
    expect(runnableSlots(tasks, web.id)).toEqual(Array.from({ length: replicas }, (_, i) => i + 1));
  }, 60_000);
});
