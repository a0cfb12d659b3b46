// Goal: the Store service, driven through @shoal/store-client over real gRPC, does CRUD with
// linearizable and stale reads, maps every store failure to its status and code (ownership
// → PERMISSION_DENIED naming the field, stale versions → "update out of sequence", limits →
// RESOURCE_EXHAUSTED), binds the writer to the caller's identity, refuses the test identity
// header unless allowed, streams List/Find in chunks under the message cap, and keeps the
// object-count metrics. Method: a MemoryStore + LocalReplica behind the services on
// 127.0.0.1:0; clients with test identities; assertions on results, ShoalError codes and
// details, and the metrics registry.
import { credentials, Metadata } from '@grpc/grpc-js';
import { isShoalError, type ShoalError } from '@shoal/errors';
import { metricsText } from '@shoal/metrics';
import { ObjectKind, Secret, TaskState } from '@shoal/proto';
import { StoreClient as StoreStub } from '@shoal/proto-grpc';
import {
  collectStream,
  connectStore,
  TEST_IDENTITY_HEADER,
  type ClientChange,
} from '@shoal/store-client';
import { testIdentityPermitted } from './identity';
import { STORE_SERVER_LIMITS } from '@shoal/limits';
import { id, node, service, startHarness, task, type Harness } from './testdata/harness';

async function failure(promise: Promise<unknown>): Promise<ShoalError> {
  try {
    await promise;
  } catch (err) {
    if (isShoalError(err)) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('Store service through the client', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it('creates, reads, finds, lists, updates and deletes', async () => {
    const user = h.client('gateway');
    const orchestrator = h.client('orchestrator');
    const created = await user.transaction(
      [{ action: 'create', kind: 'service', object: service(id(1), 'web') }], { writer: 'user' });
    expect(created.version).toBe(1);
    const tasks: ClientChange[] = [1, 2, 3].map((slot) =>
      ({ action: 'create', kind: 'task', object: task(id(10 + slot), id(1), slot) }));
    await orchestrator.transaction(tasks, { writer: 'orchestrator' });

    expect((await user.get('service', id(1)))?.spec?.annotations?.name).toBe('web');
    expect(await user.get('service', id(99))).toBeUndefined();
    expect((await orchestrator.getTask(id(12)))?.slot).toBe(2);
    const found = await orchestrator.findTasks({ serviceId: id(1), slot: 3 });
    expect(found.map((t) => t.id)).toEqual([id(13)]);
    const listed = await user.list(['service', 'task']);
    expect(listed.version).toBe(2);
    expect(listed.objects.map((o) => o.kind)).toEqual(['service', 'task', 'task', 'task']);
    const stale = await user.list([], { stale: true });
    expect(stale.objects).toHaveLength(4);

    const updated = await orchestrator.update('task', id(11), (t) => ({
      ...t, desiredState: TaskState.SHUTDOWN }), { writer: 'orchestrator' });
    expect(updated.desiredState).toBe(TaskState.SHUTDOWN);
    expect(updated.meta?.version?.index).toBe(3);

    const removed = await orchestrator.transaction(
      [{ action: 'delete', kind: 'task', object: task(id(11), '', 0) }], { writer: 'orchestrator' });
    expect(removed.objects[0]?.object.id).toBe(id(11));
    expect(await user.getTask(id(11))).toBeUndefined();
  });

  it('refuses a change to a field the writer does not own, naming the field', async () => {
    const orchestrator = h.client('orchestrator');
    const scheduler = h.client('scheduler');
    await orchestrator.transaction([{ action: 'create', kind: 'task', object: task(id(1), id(9), 1) }],
      { writer: 'orchestrator' });
    const err = await failure(scheduler.update('task', id(1),
      (t) => ({ ...t, desiredState: TaskState.SHUTDOWN }), { writer: 'scheduler' }));
    expect(err.code).toBe('PERMISSION_DENIED');
    expect(err.details?.['field']).toBe('desired_state');
    expect(err.message).toContain('desired_state');
    expect(err.details?.['changeIndex']).toBe('0');
    const ok = await scheduler.update('task', id(1), (t) => ({ ...t, nodeId: id(5) }),
      { writer: 'scheduler' });
    expect(ok.nodeId).toBe(id(5));
  });

  it('binds the writer to the identity: a mismatch is PERMISSION_DENIED on field writer', async () => {
    const scheduler = h.client('scheduler');
    const err = await failure(scheduler.transaction(
      [{ action: 'create', kind: 'task', object: task(id(1), id(9), 1) }], { writer: 'orchestrator' }));
    expect(err.code).toBe('PERMISSION_DENIED');
    expect(err.details?.['field']).toBe('writer');
    const worker = h.client('worker');
    expect((await failure(worker.get('task', id(1)))).code).toBe('PERMISSION_DENIED');
  });

  it('answers a stale update "update out of sequence", and update() retries it', async () => {
    const user = h.client('gateway');
    await user.transaction([{ action: 'create', kind: 'service', object: service(id(1), 'web') }],
      { writer: 'user' });
    const read = await user.get('service', id(1));
    if (read === undefined) throw new Error('missing');
    await user.update('service', id(1), (s) => ({ ...s, pendingDelete: true }), { writer: 'user' });
    const stale = await failure(user.transaction(
      [{ action: 'update', kind: 'service', object: { ...read, pendingDelete: false } }],
      { writer: 'user' }));
    expect(stale.code).toBe('SEQUENCE_CONFLICT');
    expect(stale.message).toBe('update out of sequence');

    let calls = 0;
    const result = await user.update('service', id(1), (s) => {
      calls++;
      if (calls === 1) {
        // A concurrent writer commits between this read and its write.
        void h.replica.propose({ caller: 'user', transaction: { changes: [{
          action: 'update', kind: 'service',
          object: { ...s, spec: { ...s.spec, annotations: { name: 'web', labels: { x: '1' } } } },
        }] } });
      }
      return { ...s, pendingDelete: false };
    }, { writer: 'user' });
    expect(calls).toBe(2);
    expect(result.pendingDelete).toBe(false);
    expect(result.spec?.annotations?.labels).toEqual({ x: '1' });
  });

  it('maps limits to RESOURCE_EXHAUSTED and malformed requests to INVALID_ARGUMENT', async () => {
    const user = h.client('gateway');
    const many: ClientChange[] = Array.from({ length: 201 }, (_, i) =>
      ({ action: 'create', kind: 'secret', object: Secret.fromPartial({ id: id(i) }) }));
    const tooMany = await failure(user.transaction(many, { writer: 'user' }));
    expect(tooMany.code).toBe('RESOURCE_EXHAUSTED');
    expect(tooMany.details?.['limit']).toBe('maxChangesPerTransaction');
    const big = Secret.fromPartial({ id: id(1), spec: { annotations: { name: 's', labels: {} },
      data: Buffer.alloc(1_600_000, 1) } });
    const tooBig = await failure(user.transaction([{ action: 'create', kind: 'secret', object: big }],
      { writer: 'user' }));
    expect(tooBig.code).toBe('RESOURCE_EXHAUSTED');
    const none = await failure(user.transaction([], { writer: 'user' }));
    expect(none.code).toBe('INVALID_ARGUMENT');
    const duplicate = await failure(user.transaction(
      [{ action: 'create', kind: 'service', object: service(id(2), 'a') },
        { action: 'create', kind: 'service', object: service(id(3), 'A') }], { writer: 'user' }));
    expect(duplicate.code).toBe('NAME_CONFLICT');
    expect(duplicate.details?.['changeIndex']).toBe('1');
  });

  it('streams List and Find in chunks under the message cap, all at one version', async () => {
    const ca = h.client('ca');
    const nodes = Array.from({ length: STORE_SERVER_LIMITS.listChunkObjects + 5 }, (_, i) =>
      ({ action: 'create', kind: 'node', object: node(id(i), `host-${i}`) }) as ClientChange);
    for (let i = 0; i < nodes.length; i += 200) {
      await ca.transaction(nodes.slice(i, i + 200), { writer: 'ca' });
    }
    const stub = new StoreStub(h.address, credentials.createInsecure());
    const md = new Metadata();
    md.set(TEST_IDENTITY_HEADER, 'ca');
    const chunks = await collectStream(stub.list({ kinds: [ObjectKind.NODE] }, md));
    expect(chunks.length).toBe(2);
    expect(chunks.map((c) => c.objects.length)).toEqual([STORE_SERVER_LIMITS.listChunkObjects, 5]);
    expect(new Set(chunks.map((c) => c.version?.index))).toEqual(new Set([h.store.version()]));
    const empty = await collectStream(stub.find({ kind: ObjectKind.SECRET, selectors: [] }, md));
    expect(empty).toHaveLength(1);
    expect(empty[0]?.objects).toEqual([]);
    stub.close();
    expect((await ca.list(['node'])).objects).toHaveLength(nodes.length);
  });

  it('counts objects per kind in shoal_store_objects', async () => {
    const user = h.client('gateway');
    await user.transaction([{ action: 'create', kind: 'service', object: service(id(1), 'web') }],
      { writer: 'user' });
    h.services.refreshMetrics();
    const { body } = await metricsText(h.metrics);
    expect(body).toContain('shoal_store_objects{kind="service"} 1');
    expect(body).toContain('shoal_store_objects{kind="task"} 0');
    expect(body).toMatch(/shoal_grpc_server_handled_total\{[^}]*method="Transaction",code="OK"\} 1/);
  });
});

describe('identity', () => {
  it('refuses the test identity header unless the server allows it', async () => {
    const h = await startHarness({ allowTestIdentity: false });
    try {
      const client = h.client('orchestrator');
      const err = await failure(client.get('task', id(1)));
      expect(err.code).toBe('UNAUTHENTICATED');
      expect(err.message).toContain(TEST_IDENTITY_HEADER);
      const anonymous = connectStore({ endpoints: [h.address], deadlineMs: 1_000 });
      expect((await failure(anonymous.get('task', id(1)))).code).toBe('UNAUTHENTICATED');
      anonymous.close();
    } finally {
      await h.stop();
    }
  });

  it('refuses to build a test-identity server outside tests', () => {
    expect(testIdentityPermitted({})).toBe(false);
    expect(testIdentityPermitted({ SHOAL_ALLOW_TEST_IDENTITY: '1' })).toBe(true);
    expect(testIdentityPermitted({ JEST_WORKER_ID: '1' })).toBe(true);
  });
});
