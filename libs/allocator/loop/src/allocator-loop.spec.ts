// Goal: the allocator shell moves NEW tasks to PENDING "pending task scheduling" with their
// service's endpoint, allocates ingress published ports into Service.endpoint (dynamic ones
// from 30000, user ones conflict-checked, with the error on the tasks), releases a service's
// ports when it goes, and completes a pending_delete once the service's tasks are gone.
// Method: a real in-process store (LocalReplica behind gRPC) and one allocator replica on
// real timers with a short debounce; services are written as the gateway would, tasks as
// the orchestrator would; the test waits for the store to show the outcome.
import { PortConfig_PublishMode, Service, Task, TaskState } from '@shoal/proto';
import { systemClock, systemTimers } from '@shoal/runtime';
import type { StoreClient } from '@shoal/store-client';
// The in-process store is scope:store/type:testing, which an allocator lib may not import;
// only this spec does, to run the loop against a real store.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { fixtureId, startStoreFixture, testService, until, type StoreFixture } from '@shoal/testing-store-fixture';
import { createAllocatorLoop } from './allocator-loop';
import type { ControlLoop } from '@shoal/store-controller';

function newTask(n: number, service: Service): Task {
  return Task.fromPartial({
    id: fixtureId('t', n), serviceId: service.id, slot: n, specVersion: { index: 1 },
    desiredState: TaskState.RUNNING, spec: service.spec?.task,
  });
}

const ingress = (target: number, published = 0) =>
  ({ targetPort: target, publishedPort: published, publishMode: PortConfig_PublishMode.INGRESS });

describe('allocator loop against an in-process store', () => {
  let fixture: StoreFixture;
  let loop: ControlLoop;
  let gateway: StoreClient;
  let orchestrator: StoreClient;
  beforeEach(async () => {
    fixture = await startStoreFixture();
    gateway = fixture.client('gateway');
    orchestrator = fixture.client('orchestrator');
    loop = createAllocatorLoop({
      store: fixture.client('allocator'), holder: 'a', clock: systemClock, timers: systemTimers,
      leaseTtlMs: 1_000, batching: { debounceGapMs: 5, maxLatencyMs: 50 },
    });
  });
  afterEach(async () => {
    await loop.stop();
    await fixture.stop();
  });

  async function create(service: Service, tasks: number, first = 1): Promise<void> {
    await gateway.transaction([{ action: 'create', kind: 'service', object: service }], { writer: 'user' });
    const objects = Array.from({ length: tasks }, (_, i) => newTask(first + i, service));
    if (objects.length > 0) {
      await orchestrator.transaction(objects.map((object) => ({ action: 'create', kind: 'task', object })),
        { writer: 'orchestrator' });
    }
  }

  it('votes NEW tasks PENDING with the service endpoint and a dynamic ingress port', async () => {
    const web = testService(fixtureId('s', 1), 'web', { ports: [ingress(80), ingress(443, 8443)] });
    await create(web, 5);
    loop.start();
    await until(async () => (await orchestrator.findTasks()).every((t) =>
      t.allocatorStatus?.state === TaskState.PENDING), 10_000, 'every task PENDING');
    const stored = await orchestrator.get('service', web.id);
    expect(stored?.endpoint?.ports.map((p) => p.publishedPort)).toEqual([30000, 8443]);
    for (const t of await orchestrator.findTasks()) {
      expect(t.allocatorStatus?.message).toBe('pending task scheduling');
      expect(t.endpoint?.ports.map((p) => p.publishedPort)).toEqual([30000, 8443]);
    }
  });

  it('refuses a port in use, and lets it through once the owner is deleted', async () => {
    const first = testService(fixtureId('s', 1), 'first', { ports: [ingress(80, 8080)] });
    const second = testService(fixtureId('s', 2), 'second', { ports: [ingress(80, 8080)] });
    await create(first, 1, 1);
    loop.start();
    await until(async () => (await orchestrator.getTask(fixtureId('t', 1)))?.allocatorStatus?.state ===
      TaskState.PENDING, 10_000, 'the first service allocated');
    await create(second, 1, 2);
    const message = `port '8080' is already in use by service '${first.id}'`;
    await until(async () => (await orchestrator.getTask(fixtureId('t', 2)))?.allocatorStatus?.err === message,
      10_000, 'the conflict on the second task');
    expect((await orchestrator.getTask(fixtureId('t', 2)))?.allocatorStatus?.state).toBe(TaskState.NEW);

    // The first service goes (user deletes it, its task is removed): its port is released.
    await orchestrator.transaction([{ action: 'delete', kind: 'task', object: Task.fromPartial({ id: fixtureId('t', 1) }) }],
      { writer: 'orchestrator' });
    await gateway.transaction([{ action: 'delete', kind: 'service', object: Service.fromPartial({ id: first.id }) }],
      { writer: 'user' });
    await until(async () => (await orchestrator.getTask(fixtureId('t', 2)))?.allocatorStatus?.state ===
      TaskState.PENDING, 10_000, 'the second service allocated after the release');
    expect((await orchestrator.get('service', second.id))?.endpoint?.ports[0]?.publishedPort).toBe(8080);
  });

  it('completes a pending_delete once the service has no tasks left', async () => {
    const web = testService(fixtureId('s', 1), 'web', { ports: [ingress(80)] });
    await create(web, 0);
    loop.start();
    await until(async () => (await gateway.get('service', web.id))?.endpoint !== undefined, 10_000, 'allocated');
    await gateway.update('service', web.id, (s) => ({ ...s, pendingDelete: true }), { writer: 'user' });
    await until(async () => (await gateway.get('service', web.id)) === undefined, 10_000, 'the service deleted');
  });
});
