// Goal: the store keeps one table per kind with a unique id, case-insensitive unique names
// where SwarmKit has them, and indexes that `find` answers exactly as the proto Selector
// says (AND of set fields; fields foreign to the kind never match). Objects are copied in and
// out. Method: table-driven CRUD per kind through real transactions, selector tables over a
// seeded store, and a fast-check property comparing `find` with a naive filter of `list`.
import fc from 'fast-check';
import { NodeRole, NodeSpec_Membership, TaskState, type StoredKindName } from '@shoal/proto';
import { MemoryStore } from './memory-store';
import { matchesSelector, normalizeSelector, type SelectorInput } from './selector';
import {
  RIGHTS,
  apply,
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

type Maker = (oid: string, name: string) => { id: string } & object;

const MAKERS: Array<[StoredKindName, Maker]> = [
  ['node', (i, n) => node(i, n)],
  ['service', (i, n) => service(i, n)],
  ['task', (i, n) => task(i, { name: n })],
  ['network', (i, n) => network(i, n)],
  ['cluster', (i, n) => cluster(i, n)],
  ['secret', (i, n) => secret(i, n)],
  ['config', (i, n) => config(i, n)],
  ['resource', (i, n) => resource(i, n)],
];

describe('CRUD per kind', () => {
  it.each(MAKERS)('%s: create, get, find by name, update, delete', (kind, make) => {
    const store = new MemoryStore();
    const { creator, deleter } = RIGHTS[kind];
    const object = make(id(1), 'Alpha');
    expect(mustApply(store, creator, [change('create', kind, object as never)])).toBe(1);
    const stored = store.get(kind, id(1));
    expect(stored?.meta?.version?.index).toBe(1);
    expect(store.find(kind, { name: 'ALPHA' }).map((o) => o.id)).toEqual([id(1)]);
    expect(store.find(kind, { idPrefix: id(1).slice(0, 20) }).map((o) => o.id)).toEqual([id(1)]);
    expect(store.counts()[kind]).toBe(1);
    const del = apply(store, deleter, [change('delete', kind, { id: id(1) } as never)]);
    expect(del.ok).toBe(true);
    expect(store.get(kind, id(1))).toBeUndefined();
    expect(store.find(kind, { name: 'alpha' })).toEqual([]);
    expect(store.counts()[kind]).toBe(0);
  });

  it('rejects a second create of the same id with ALREADY_EXISTS', () => {
    const store = new MemoryStore();
    mustApply(store, 'user', [change('create', 'service', service(id(1), 'a'))]);
    const r = apply(store, 'user', [change('create', 'service', service(id(1), 'b'))]);
    expect(r.ok || r.error.code).toBe('ALREADY_EXISTS');
  });

  it.each(['', 'short', 'A'.repeat(25), id(1).slice(0, 24) + '-'])(
    'rejects create with invalid id %j',
    (bad) => {
      const r = apply(new MemoryStore(), 'user', [change('create', 'service', service(bad, 'a'))]);
      expect(r.ok || r.error.code).toBe('INVALID_ARGUMENT');
    },
  );

  it.each([
    ['update', 'NOT_FOUND'],
    ['delete', 'NOT_FOUND'],
  ] as const)('%s of a missing object fails %s', (action, code) => {
    const r = apply(new MemoryStore(), 'user', [change(action, 'service', service(id(9), 'x'))]);
    expect(r.ok || r.error.code).toBe(code);
  });
});

describe('name uniqueness', () => {
  it.each(MAKERS)('%s names are unique case-insensitively where SwarmKit says so', (kind, make) => {
    const store = new MemoryStore();
    const { creator } = RIGHTS[kind];
    mustApply(store, creator, [change('create', kind, make(id(1), 'Web') as never)]);
    const r = apply(store, creator, [change('create', kind, make(id(2), 'wEB') as never)]);
    const unique = kind !== 'node' && kind !== 'task';
    if (unique) expect(r.ok || r.error.code).toBe('NAME_CONFLICT');
    else expect(r.ok).toBe(true);
  });

  it('frees a name on delete and on rename within one transaction, in change order', () => {
    const store = new MemoryStore();
    mustApply(store, 'user', [change('create', 'service', service(id(1), 'web'))]);
    const renamed = { ...must(store.get('service', id(1))) };
    renamed.spec = { ...must(renamed.spec), annotations: { name: 'web-old', labels: {} } };
    const ok = apply(store, 'user', [
      change('update', 'service', renamed),
      change('create', 'service', service(id(2), 'WEB')),
    ]);
    expect(ok.ok).toBe(true);
    const swapped = apply(store, 'user', [
      change('create', 'service', service(id(3), 'web-old')),
      change('delete', 'service', service(id(1), '')),
    ]);
    expect(swapped.ok || swapped.error.code).toBe('NAME_CONFLICT');
    expect(swapped.ok || swapped.changeIndex).toBe(0);
  });

  it('rejects a rename onto a taken name and allows empty names to repeat', () => {
    const store = new MemoryStore();
    mustApply(store, 'user', [
      change('create', 'service', service(id(1), 'a')),
      change('create', 'service', service(id(2), 'b')),
      change('create', 'secret', secret(id(3), '')),
      change('create', 'secret', secret(id(4), '')),
    ]);
    const b = must(store.get('service', id(2)));
    must(b.spec?.annotations).name = 'A';
    const r = apply(store, 'user', [change('update', 'service', b)]);
    expect(r.ok || r.error.code).toBe('NAME_CONFLICT');
  });
});

describe('copies in and out', () => {
  it('never lets a caller mutate a stored object', () => {
    const store = new MemoryStore();
    const s = secret(id(1), 'pw', 'abc');
    mustApply(store, 'user', [change('create', 'secret', s)]);
    must(s.spec?.annotations).name = 'changed-after-create';
    const out = must(store.get('secret', id(1)));
    must(out.spec?.annotations).name = 'changed-after-get';
    must(out.spec).data[0] = 0x7a;
    const again = must(store.get('secret', id(1)));
    expect(again.spec?.annotations?.name).toBe('pw');
    expect(Buffer.isBuffer(again.spec?.data)).toBe(true);
    expect(again.spec?.data.toString()).toBe('abc');
  });
});

/** A seeded store with tasks across services, nodes, slots and states, and some nodes. */
function seeded(): MemoryStore {
  const store = new MemoryStore();
  const services = [id(100, '1'), id(101, '1')];
  const nodes = [id(200, '2'), id(201, '2'), ''];
  const states = [TaskState.RUNNING, TaskState.SHUTDOWN, TaskState.REMOVE];
  const tasks = Array.from({ length: 30 }, (_, i) =>
    change('create', 'task', task(id(i), {
      serviceId: services[i % 2],
      nodeId: nodes[i % 3],
      slot: (i % 5) + 1,
      desiredState: states[i % 3],
      labels: i % 4 === 0 ? { tier: 'front' } : { tier: 'back', canary: '' },
    })),
  );
  mustApply(store, 'orchestrator', tasks);
  mustApply(store, 'ca', [
    change('create', 'node', node(id(200, '2'), 'alpha', NodeRole.MANAGER)),
    change('create', 'node', node(id(201, '2'), 'beta', NodeRole.WORKER)),
    change('create', 'node', node(id(202, '2'), 'gamma', NodeRole.WORKER, NodeSpec_Membership.PENDING)),
  ]);
  return store;
}

describe('find implements Selector semantics', () => {
  const store = seeded();
  const count = (kind: StoredKindName, s: SelectorInput): number => store.find(kind, s).length;

  it.each<[string, StoredKindName, SelectorInput, number]>([
    ['empty selector = all', 'task', {}, 30],
    ['by service', 'task', { serviceId: id(100, '1') }, 15],
    ['by node', 'task', { nodeId: id(200, '2') }, 10],
    ['by service AND slot', 'task', { serviceId: id(100, '1'), slot: 1 }, 3],
    ['by slot alone', 'task', { slot: 1 }, 6],
    ['by desired state', 'task', { desiredState: TaskState.SHUTDOWN }, 10],
    ['by observed state (NEW: no status yet)', 'task', { observedState: TaskState.NEW }, 30],
    ['by label value', 'task', { labels: { tier: 'front' } }, 8],
    ['by label presence (empty value)', 'task', { labels: { canary: '' } }, 22],
    ['AND of node and desired', 'task', { nodeId: id(201, '2'), desiredState: TaskState.SHUTDOWN }, 10],
    ['AND that excludes everything', 'task', { nodeId: id(200, '2'), desiredState: TaskState.SHUTDOWN }, 0],
    ['id', 'task', { id: id(7) }, 1],
    ['task name is service.slot.id', 'task', { namePrefix: 'SVC.1.' }, 6],
    ['node by role', 'node', { role: NodeRole.MANAGER }, 1],
    ['node by membership', 'node', { membership: NodeSpec_Membership.PENDING }, 1],
    ['node by hostname', 'node', { name: 'BETA' }, 1],
    ['node label', 'node', { labels: { zone: 'a' } }, 3],
    ['task field on nodes never matches', 'node', { serviceId: id(100, '1') }, 0],
    ['node field on tasks never matches', 'task', { role: NodeRole.WORKER }, 0],
    ['slot on services never matches', 'service', { slot: 0 }, 0],
  ])('%s', (_name, kind, selector, expected) => {
    expect(count(kind, selector)).toBe(expected);
  });

  it('ORs a list of selectors, each result once, in id order', () => {
    const found = store.find('task', [{ id: id(3) }, { id: id(1) }, { id: id(3) }]);
    expect(found.map((t) => t.id)).toEqual([id(1), id(3)]);
  });

  it('agrees with a naive filter over list() for random selectors (property)', () => {
    const all = store.list(['task', 'node']).objects;
    const selector = fc.record(
      {
        id: fc.constantFrom('', id(3), id(200, '2')),
        idPrefix: fc.constantFrom('', '0', '00000000000000000000000', '2'),
        namePrefix: fc.constantFrom('', 'svc.1', 'al', 'b'),
        labels: fc.constantFrom<Record<string, string>>({}, { tier: 'back' }, { canary: '' }, { zone: 'a' }),
        serviceId: fc.constantFrom('', id(100, '1'), id(101, '1')),
        nodeId: fc.constantFrom('', id(200, '2'), id(201, '2')),
        slot: fc.constantFrom(undefined, 1, 2, 5),
        desiredState: fc.constantFrom(undefined, TaskState.RUNNING, TaskState.REMOVE),
        role: fc.constantFrom(undefined, NodeRole.MANAGER, NodeRole.WORKER),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.constantFrom<StoredKindName>('task', 'node'), selector, (kind, s) => {
        const normalized = normalizeSelector(s);
        const naive = all
          .filter((o) => o.kind === kind && matchesSelector(kind, o.object, normalized))
          .map((o) => o.object.id);
        expect(store.find(kind, s).map((o) => o.id)).toEqual(naive);
      }),
      { numRuns: 300, seed: 42 },
    );
  });
});
