// Goal: transactions are validated whole and applied all-or-nothing: optimistic concurrency
// on meta.version ("update out of sequence"), meta stamped by the store, field ownership
// checked field by field against the caller, creators/deleters per kind, named limits, and a
// failed transaction writes nothing and emits no event. Method: table-driven cases through
// MemoryStore.applyTransaction on small fixtures; a watcher observes events.
import { OWNERSHIP, OWNER_NAMES, Endpoint, TaskState, STORED_KINDS } from '@shoal/proto';
import { MemoryStore } from './memory-store';
import type { Caller, Change } from './types';
import {
  RIGHTS,
  apply,
  at,
  change,
  cluster,
  config,
  id,
  must,
  mustApply,
  network,
  node,
  resource,
  secret,
  service,
  task,
} from './testdata/fixtures';

const MAKE = {
  node: () => node(id(1), 'h'),
  service: () => service(id(1), 's'),
  task: () => task(id(1)),
  network: () => network(id(1), 'n'),
  cluster: () => cluster(id(1)),
  secret: () => secret(id(1), 's'),
  config: () => config(id(1), 'c'),
  resource: () => resource(id(1), 'r'),
};

function storeWithTask(): MemoryStore {
  const store = new MemoryStore();
  mustApply(store, 'orchestrator', [change('create', 'task', task(id(1), { serviceId: id(9) }))]);
  return store;
}

describe('versions and timestamps', () => {
  it('stamps meta.version with the transaction version and created/updated with now', () => {
    const store = new MemoryStore({ version: 41 });
    const r = store.applyTransaction(
      { changes: [change('create', 'service', service(id(1), 'a')), change('create', 'service', service(id(2), 'b'))] },
      { caller: 'user', version: 42, now: at(1) },
    );
    expect(r.ok).toBe(true);
    for (const sid of [id(1), id(2)]) {
      const meta = store.get('service', sid)?.meta;
      expect(meta).toEqual({ version: { index: 42 }, createdAt: at(1), updatedAt: at(1) });
    }
    const s = must(store.get('service', id(1)));
    must(s.spec?.annotations).labels = { x: 'y' };
    const u = store.applyTransaction(
      { changes: [change('update', 'service', s)] },
      { caller: 'user', version: 50, now: at(9) },
    );
    expect(u.ok).toBe(true);
    expect(store.get('service', id(1))?.meta).toEqual({
      version: { index: 50 },
      createdAt: at(1),
      updatedAt: at(9),
    });
    expect(store.version()).toBe(50);
  });

  it('ignores the meta a create carries', () => {
    const store = new MemoryStore();
    const s = service(id(1), 'a');
    s.meta = { version: { index: 999 }, createdAt: at(-5), updatedAt: at(-5) };
    mustApply(store, 'user', [change('create', 'service', s)]);
    expect(store.get('service', id(1))?.meta?.version?.index).toBe(1);
    expect(store.get('service', id(1))?.meta?.createdAt).toEqual(at(1));
  });

  it.each<[string, (v: number) => { index: number } | undefined, string | true]>([
    ['current version', (v) => ({ index: v }), true],
    ['stale version', (v) => ({ index: v - 1 }), 'SEQUENCE_CONFLICT'],
    ['future version', (v) => ({ index: v + 1 }), 'SEQUENCE_CONFLICT'],
    ['no version', () => undefined, 'SEQUENCE_CONFLICT'],
  ])('update with %s → %s', (_name, versionOf, expected) => {
    const store = new MemoryStore();
    mustApply(store, 'user', [change('create', 'service', service(id(1), 'a'))]);
    mustApply(store, 'user', [change('create', 'service', service(id(2), 'b'))]);
    const s = must(store.get('service', id(1)));
    s.meta = { ...s.meta, version: versionOf(1) };
    s.pendingDelete = true;
    const r = apply(store, 'user', [change('update', 'service', s)]);
    expect(r.ok || r.error.code).toBe(expected);
    if (!r.ok) expect(r.error.message).toBe('update out of sequence');
  });

  it.each<[string, { index: number } | undefined, string | true]>([
    ['no version (unconditional)', undefined, true],
    ['the stored version', { index: 1 }, true],
    ['a stale version', { index: 0 }, 'SEQUENCE_CONFLICT'],
  ])('delete with %s → %s', (_name, version, expected) => {
    const store = new MemoryStore();
    mustApply(store, 'user', [change('create', 'service', service(id(1), 'a'))]);
    const s = service(id(1), '');
    s.meta = version === undefined ? undefined : { version };
    const r = apply(store, 'user', [change('delete', 'service', s)]);
    expect(r.ok || r.error.code).toBe(expected);
  });
});

type Mutation = (t: ReturnType<typeof task>) => void;

describe('field ownership on tasks', () => {
  it.each<[Caller, string, Mutation, string | true]>([
    ['scheduler', 'node_id', (t) => { t.nodeId = id(5); }, true],
    ['scheduler', 'scheduler_status', (t) => { t.schedulerStatus = { state: TaskState.ASSIGNED, message: 'assigned', err: '', appliedBy: '' } as never; }, true],
    ['scheduler', 'desired_state', (t) => { t.desiredState = TaskState.SHUTDOWN; }, 'desired_state'],
    ['orchestrator', 'desired_state', (t) => { t.desiredState = TaskState.SHUTDOWN; }, true],
    ['orchestrator', 'status', (t) => { t.status = { state: TaskState.RUNNING } as never; }, 'status'],
    ['dispatcher', 'status', (t) => { t.status = { state: TaskState.RUNNING } as never; }, true],
    ['dispatcher', 'spec', (t) => { t.spec = { forceUpdate: 1 } as never; }, 'spec'],
    ['allocator', 'allocator_status', (t) => { t.allocatorStatus = { state: TaskState.PENDING } as never; }, true],
    ['allocator', 'node_id', (t) => { t.nodeId = id(5); }, 'node_id'],
    ['user', 'annotations', (t) => { t.annotations = { name: 'x', labels: {} }; }, 'annotations'],
  ])('%s changing %s → %s', (caller, _field, mutate, expected) => {
    const store = storeWithTask();
    const t = must(store.get('task', id(1)));
    mutate(t);
    const r = apply(store, caller, [change('update', 'task', t)]);
    if (expected === true) {
      expect(r.ok).toBe(true);
      return;
    }
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('PERMISSION_DENIED');
    expect(r.error.details).toMatchObject({ kind: 'task', id: id(1), field: expected, caller });
    expect(r.error.message).toContain(`${caller} may not change field ${expected} of task ${id(1)}`);
  });

  it('lets a writer round-trip fields it does not own, including meta', () => {
    const store = storeWithTask();
    const t = must(store.get('task', id(1)));
    t.nodeId = id(5);
    t.meta = { ...t.meta, createdAt: at(-100) };
    const r = apply(store, 'scheduler', [change('update', 'task', t)]);
    expect(r.ok).toBe(true);
    expect(store.get('task', id(1))?.meta?.createdAt).toEqual(at(1));
  });

  it('checks the first changed field in declaration order and names it', () => {
    const store = storeWithTask();
    const t = must(store.get('task', id(1)));
    t.desiredState = TaskState.SHUTDOWN;
    t.status = { state: TaskState.FAILED } as never;
    const r = apply(store, 'allocator', [change('update', 'task', t)]);
    expect(r.ok || r.error.details?.['field']).toBe('status');
  });
});

describe('field ownership on services and nodes', () => {
  it('lets the user update a service spec but not its endpoint', () => {
    const store = new MemoryStore();
    mustApply(store, 'user', [change('create', 'service', service(id(1), 'web'))]);
    const s = must(store.get('service', id(1)));
    must(s.spec?.annotations).labels = { v: '2' };
    expect(apply(store, 'user', [change('update', 'service', s)]).ok).toBe(true);
    const e = must(store.get('service', id(1)));
    e.endpoint = Endpoint.fromPartial({ virtualIps: [{ networkId: id(3), addr: '10.0.0.2/24' }] });
    const denied = apply(store, 'user', [change('update', 'service', e)]);
    expect(denied.ok || denied.error.details?.['field']).toBe('endpoint');
    expect(apply(store, 'allocator', [change('update', 'service', e)]).ok).toBe(true);
  });

  it('treats an unset message and an empty one as equal and keeps the stored form', () => {
    const store = new MemoryStore();
    mustApply(store, 'user', [change('create', 'service', service(id(1), 'web'))]);
    const s = must(store.get('service', id(1)));
    expect(s.endpoint).toBeUndefined();
    s.endpoint = Endpoint.fromPartial({});
    s.pendingDelete = true;
    expect(apply(store, 'user', [change('update', 'service', s)]).ok).toBe(true);
    expect(store.get('service', id(1))?.endpoint).toBeUndefined();
  });

  it('lets only the store write Node.manager_status and only the CA write role', () => {
    const store = new MemoryStore();
    mustApply(store, 'ca', [change('create', 'node', node(id(1), 'h'))]);
    const n = must(store.get('node', id(1)));
    n.managerStatus = { raftId: 7, addr: '10.0.0.1:4242', leader: false, reachability: 2 } as never;
    const byUser = apply(store, 'user', [change('update', 'node', n)]);
    expect(byUser.ok || byUser.error.details?.['field']).toBe('manager_status');
    expect(apply(store, 'store', [change('update', 'node', n)]).ok).toBe(true);
  });
});

describe('create and delete rights follow stored_kind', () => {
  const cases = STORED_KINDS.flatMap((kind) =>
    OWNER_NAMES.map((caller) => [kind, caller] as const),
  );
  it.each(cases)('%s by %s', (kind, caller) => {
    const store = new MemoryStore();
    const make = MAKE[kind];
    const created = apply(store, caller, [change('create', kind, make() as never)]);
    const mayCreate = (OWNERSHIP[kind].creators ?? []).includes(caller);
    expect(created.ok || created.error.code).toBe(mayCreate ? true : 'PERMISSION_DENIED');
    if (!created.ok) mustApply(store, RIGHTS[kind].creator, [change('create', kind, make() as never)]);
    const deleted = apply(store, caller, [change('delete', kind, make() as never)]);
    const mayDelete = (OWNERSHIP[kind].deleters ?? []).includes(caller);
    expect(deleted.ok || deleted.error.code).toBe(mayDelete ? true : 'PERMISSION_DENIED');
  });
});

describe('atomicity', () => {
  it('a failing change leaves every table, index and watcher untouched', () => {
    const store = new MemoryStore();
    mustApply(store, 'user', [change('create', 'service', service(id(1), 'a'))]);
    const before = store.save();
    const watcher = store.watch();
    watcher.poll();
    const r = apply(store, 'user', [
      change('create', 'service', service(id(2), 'b')),
      change('delete', 'service', service(id(1), '')),
      change('update', 'service', service(id(7), 'missing')),
    ]);
    expect(r.ok || [r.error.code, r.changeIndex]).toEqual(['NOT_FOUND', 2]);
    expect(store.get('service', id(2))).toBeUndefined();
    expect(store.find('service', { name: 'b' })).toEqual([]);
    expect(store.get('service', id(1))).toBeDefined();
    expect(watcher.poll()).toEqual([]);
    // The entry was applied (as a failure): the version moves, the objects do not.
    expect(store.version()).toBe(2);
    const after = new MemoryStore();
    after.restore(store.save());
    const reference = new MemoryStore();
    reference.restore(before);
    expect(after.list()).toEqual({ ...reference.list(), version: 2 });
  });

  it.each<[string, () => Change[], string]>([
    ['no change', () => [], 'INVALID_ARGUMENT'],
    ['201 changes', () => Array.from({ length: 201 }, (_, i) => change('create', 'service', service(id(i), `s${i}`))), 'RESOURCE_EXHAUSTED'],
    ['more than 1.5 MiB', () => Array.from({ length: 4 }, (_, i) => change('create', 'secret', secret(id(i), `s${i}`, 'x'.repeat(500 * 1024)))), 'RESOURCE_EXHAUSTED'],
    ['one object twice', () => [change('create', 'service', service(id(1), 'a')), change('delete', 'service', service(id(1), 'a'))], 'INVALID_ARGUMENT'],
  ])('rejects a transaction with %s: %s', (_name, changes, code) => {
    const store = new MemoryStore();
    const r = apply(store, 'user', changes());
    expect(r.ok || r.error.code).toBe(code);
    expect(store.counts().service + store.counts().secret).toBe(0);
  });

  it('accepts exactly 200 changes', () => {
    const store = new MemoryStore();
    const changes = Array.from({ length: 200 }, (_, i) => change('create', 'service', service(id(i), `s${i}`)));
    expect(apply(store, 'user', changes).ok).toBe(true);
    expect(store.counts().service).toBe(200);
  });
});

describe('leader pre-check and apply', () => {
  it('a transaction valid at proposal but stale at apply fails identically on every replica', () => {
    const replicas = [new MemoryStore(), new MemoryStore()];
    for (const r of replicas) mustApply(r, 'user', [change('create', 'service', service(id(1), 'a'))]);
    const leader = must(replicas[0]);
    const mine = must(leader.get('service', id(1)));
    mine.pendingDelete = true;
    expect(leader.validate({ changes: [change('update', 'service', mine)] }, 'user', at(2))).toBeUndefined();
    const theirs = must(leader.get('service', id(1)));
    must(theirs.spec?.annotations).labels = { by: 'someone else' };
    const results = replicas.map((r) => {
      mustApply(r, 'user', [change('update', 'service', theirs)]);
      return apply(r, 'user', [change('update', 'service', mine)]);
    });
    for (const res of results) expect(res.ok || res.error.code).toBe('SEQUENCE_CONFLICT');
    expect(must(replicas[0]).save()).toEqual(must(replicas[1]).save());
  });

  it('validate reports the same failure apply would, without writing', () => {
    const store = new MemoryStore();
    const failure = store.validate({ changes: [change('create', 'task', task(id(1)))] }, 'user', at(0));
    expect(failure?.error.code).toBe('PERMISSION_DENIED');
    expect(store.version()).toBe(0);
  });
});
