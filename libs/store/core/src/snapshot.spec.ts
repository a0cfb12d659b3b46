// Goal: save() captures the whole store (format version, every table, the shell's membership
// blob) and restore() replaces the store atomically, rebuilds every index, and forces every
// watcher to relist; corrupt snapshots change nothing. Method: round trips on a 10k-object
// store (timings logged, not asserted), corruption tables, and watcher checks.
import { TaskState } from '@shoal/proto';
import { MemoryStore } from './memory-store';
import { decodeSnapshot, encodeSnapshot, SNAPSHOT_FORMAT_VERSION } from './snapshot-codec';
import { change, id, mustApply, node, secret, service, task } from './testdata/fixtures';

function bigStore(objects: number): MemoryStore {
  const store = new MemoryStore();
  mustApply(store, 'user', [change('create', 'service', service(id(0, '1'), 'web'))]);
  for (let start = 0; start < objects; start += 200) {
    const changes = Array.from({ length: Math.min(200, objects - start) }, (_, i) =>
      change('create', 'task', task(id(start + i), {
        serviceId: id(0, '1'),
        slot: start + i + 1,
        nodeId: id((start + i) % 10, '2'),
        desiredState: (start + i) % 2 === 0 ? TaskState.RUNNING : TaskState.SHUTDOWN,
      })),
    );
    mustApply(store, 'orchestrator', changes);
  }
  return store;
}

describe('save and restore', () => {
  it('round-trips 10k objects with indexes and membership (timing logged)', () => {
    const store = bigStore(10_000);
    const membership = new TextEncoder().encode('{"members":[1,2,3]}');
    let t = performance.now();
    const bytes = store.save(membership);
    const saveMs = performance.now() - t;
    const copy = new MemoryStore();
    t = performance.now();
    const restored = copy.restore(bytes);
    const restoreMs = performance.now() - t;
    console.log(
      `snapshot of 10001 objects: ${bytes.length} bytes, save ${saveMs.toFixed(0)} ms, ` +
        `restore ${restoreMs.toFixed(0)} ms`,
    );
    expect(restored.version).toBe(store.version());
    expect(new TextDecoder().decode(restored.membership)).toBe('{"members":[1,2,3]}');
    expect(copy.version()).toBe(store.version());
    expect(copy.counts()).toEqual(store.counts());
    expect(copy.save(membership)).toEqual(bytes);
    for (const selector of [{ nodeId: id(3, '2') }, { desiredState: TaskState.SHUTDOWN }, { serviceId: id(0, '1'), slot: 77 }]) {
      expect(copy.find('task', selector)).toEqual(store.find('task', selector));
    }
    expect(copy.find('service', { name: 'WEB' })).toHaveLength(1);
  });

  it('saveSliced gives the bytes of save, captured at the call, pausing between slices', async () => {
    const store = bigStore(1_000);
    const membership = new TextEncoder().encode('m');
    const expected = store.save(membership);
    let pauses = 0;
    const sliced = store.saveSliced(membership, async () => {
      pauses += 1;
    });
    // A write after the call does not reach the snapshot being encoded.
    mustApply(store, 'user', [change('create', 'secret', secret(id(9), 'late'))]);
    expect(await sliced).toEqual(expected);
    expect(pauses).toBeGreaterThan(1);
  });

  it('keeps Buffers as Buffers and restores name uniqueness', () => {
    const store = new MemoryStore();
    mustApply(store, 'user', [change('create', 'secret', secret(id(1), 'pw', 'abc'))]);
    const copy = new MemoryStore();
    copy.restore(store.save());
    expect(Buffer.isBuffer(copy.get('secret', id(1))?.spec?.data)).toBe(true);
    const dup = copy.applyTransaction(
      { changes: [change('create', 'secret', secret(id(2), 'PW'))] },
      { caller: 'user', version: 10, now: new Date(0) },
    );
    expect(dup.ok || dup.error.code).toBe('NAME_CONFLICT');
  });

  it('closes every watcher with COMPACTED and resumes only from the snapshot version on', () => {
    const source = new MemoryStore();
    for (let i = 0; i < 5; i++) mustApply(source, 'user', [change('create', 'service', service(id(i), `s${i}`))]);
    const store = new MemoryStore();
    mustApply(store, 'user', [change('create', 'service', service(id(9), 'old'))]);
    const w = store.watch();
    store.restore(source.save());
    const last = w.poll().at(-1);
    expect(last?.type === 'closed' && last.error.code).toBe('COMPACTED');
    expect(store.watcherCount()).toBe(0);
    expect(store.get('service', id(9))).toBeUndefined();
    const before = store.watch({ fromVersion: 4 }).poll()[0];
    expect(before?.type === 'closed' && before.error.code).toBe('COMPACTED');
    const at = store.watch({ fromVersion: 5 });
    mustApply(store, 'user', [change('create', 'service', service(id(7), 'new'))]);
    expect(at.poll().map((m) => m.type)).toEqual(['progress', 'transaction']);
  });
});

describe('corrupt snapshots', () => {
  const good = (() => {
    const store = new MemoryStore();
    mustApply(store, 'user', [change('create', 'service', service(id(1), 'a'))]);
    return store.save(new Uint8Array([1, 2]));
  })();
  const withBytes = (edit: (b: Uint8Array) => Uint8Array) => edit(good.slice());
  const duplicate = encodeSnapshot({
    version: 3,
    objects: [
      { kind: 'node', object: node(id(1), 'h') },
      { kind: 'node', object: node(id(1), 'h') },
    ],
    membership: new Uint8Array(0),
  });
  const duplicateName = encodeSnapshot({
    version: 3,
    objects: [
      { kind: 'service', object: service(id(1), 'a') },
      { kind: 'service', object: service(id(2), 'A') },
    ],
    membership: new Uint8Array(0),
  });

  it.each<[string, Uint8Array]>([
    ['empty', new Uint8Array(0)],
    ['bad magic', withBytes((b) => { b[0] = 0; return b; })],
    ['unknown format version', withBytes((b) => { b[7] = SNAPSHOT_FORMAT_VERSION + 1; return b; })],
    ['truncated', good.slice(0, good.length - 1)],
    ['trailing garbage', new Uint8Array([...good, 0])],
    ['duplicate ids', duplicate],
    ['duplicate unique names', duplicateName],
  ])('%s → INVALID_ARGUMENT and nothing changes', (_name, bytes) => {
    const store = new MemoryStore();
    mustApply(store, 'user', [change('create', 'service', service(id(5), 'keep'))]);
    const before = store.save();
    expect(() => store.restore(bytes)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(store.save()).toEqual(before);
  });

  it('decodes what it encodes', () => {
    const data = decodeSnapshot(good);
    expect(data.version).toBe(1);
    expect(data.objects.map((o) => o.kind)).toEqual(['service']);
    expect([...data.membership]).toEqual([1, 2]);
  });
});
