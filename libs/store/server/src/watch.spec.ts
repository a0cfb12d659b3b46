// Goal: Store.Watch gives controllers what raft.md §7 asks: list-then-watch without gap or
// duplicate under concurrent writes; a watch killed mid-stream resumes and still sees every
// transaction once, in order; a resume point that was compacted ends the watch COMPACTED and
// an informer relists and converges; a watcher that falls behind its buffer is closed loudly
// with RESOURCE_EXHAUSTED; idle watches get progress events. Method: real gRPC on
// 127.0.0.1:0 over a MemoryStore + LocalReplica; writers run concurrently with watchers;
// every committed version is recorded and compared with what watchers received.
import { credentials, Metadata, type ClientReadableStream } from '@grpc/grpc-js';
import { durationFromMs, ObjectKind, Secret, type WatchResponse } from '@shoal/proto';
import { StoreClient as StoreStub } from '@shoal/proto-grpc';
import { fromGrpcError } from '@shoal/grpc';
import type { ShoalError } from '@shoal/errors';
import {
  createInformer,
  TEST_IDENTITY_HEADER,
  type ClientChange,
  type StoreClient,
  type WatchTransaction,
} from '@shoal/store-client';
import { id, service, startHarness, until, type Harness } from './testdata/harness';

function createService(n: number): ClientChange {
  return { action: 'create', kind: 'service', object: service(id(n), `svc-${n}`) };
}

async function writeMany(client: StoreClient, from: number, count: number): Promise<number[]> {
  const versions: number[] = [];
  for (let n = from; n < from + count; n++) {
    const committed = await client.transaction([createService(n)], { writer: 'user' });
    versions.push(committed.version);
  }
  return versions;
}

describe('Watch', () => {
  let h: Harness;
  afterEach(async () => {
    await h.stop();
  });

  it('list-then-watch sees every later transaction exactly once under concurrent writes', async () => {
    h = await startHarness();
    const writer = h.client('gateway');
    const reader = h.client('orchestrator');
    const writing = Promise.all([writeMany(writer, 0, 40), writeMany(writer, 100, 40)]);
    await until(() => h.store.version() >= 10, 5_000, 'some writes');
    const listed = await reader.list(['service']);
    const seen: WatchTransaction[] = [];
    const watch = reader.watch({ fromVersion: listed.version }, { onTransaction: (t) => seen.push(t) });
    const committed = (await writing).flat();
    await until(() => seen.at(-1)?.version === h.store.version(), 5_000, 'the watch to catch up');
    watch.close();
    const expected = committed.filter((v) => v > listed.version).sort((a, b) => a - b);
    expect(seen.map((t) => t.version)).toEqual(expected);
    const ids = new Set(listed.objects.map((o) => o.object.id));
    for (const t of seen) for (const e of t.events) {
      expect(ids.has(e.object.id)).toBe(false);
      ids.add(e.object.id);
    }
    expect(ids.size).toBe(80);
  });

  it('resumes a killed stream from the last version: every event once, in order', async () => {
    h = await startHarness();
    const writer = h.client('gateway');
    const reader = h.client('orchestrator');
    const seen: number[] = [];
    let progress = 0;
    reader.watch({}, {
      onTransaction: (t) => seen.push(t.version),
      onProgress: () => progress++,
    });
    await until(() => progress > 0, 5_000, 'the watch to open');
    const first = await writeMany(writer, 0, 10);
    await until(() => seen.length === 10, 5_000, 'the first events');
    h.services.store.close();
    const second = await writeMany(writer, 10, 10);
    await until(() => seen.length >= 20, 5_000, 'the events after the resume');
    h.services.store.close();
    const third = await writeMany(writer, 20, 5);
    await until(() => seen.length >= 25, 5_000, 'the events after a second resume');
    expect(seen).toEqual([...first, ...second, ...third]);
  });

  it('ends a watch COMPACTED when its resume point is gone, and an informer relists', async () => {
    h = await startHarness({ history: { historyTransactionsMax: 5, historyBytesMax: 1 << 30 } });
    const writer = h.client('gateway');
    await writeMany(writer, 0, 10);
    const reader = h.client('orchestrator');
    const ended = await new Promise<ShoalError | undefined>((resolve) => {
      reader.watch({ fromVersion: 1 }, { onTransaction: () => undefined, onEnd: resolve });
    });
    expect(ended?.code).toBe('COMPACTED');

    const informer = createInformer({ client: reader, kinds: ['service'] });
    const stop = new AbortController();
    const running = informer.run(stop.signal);
    await until(() => informer.hasSynced(), 5_000, 'the informer to sync');
    expect(informer.relistCount).toBe(1);
    h.services.store.close();
    for (let n = 10; n < 20; n++) {
      await h.replica.propose({ caller: 'user', transaction: { changes: [createService(n)] } });
    }
    await until(() => informer.relistCount === 2 && informer.version === h.store.version(), 5_000,
      'the informer to relist');
    expect(informer.list('service').map((s) => s.id).sort())
      .toEqual(h.store.list(['service']).objects.map((o) => o.object.id).sort());
    stop.abort();
    await running;
  });

  it('closes a watcher that overflows its buffer with RESOURCE_EXHAUSTED, after what it held', async () => {
    h = await startHarness({ watchBufferEvents: 5 });
    const stub = new StoreStub(h.address, credentials.createInsecure());
    const md = new Metadata();
    md.set(TEST_IDENTITY_HEADER, 'orchestrator');
    const stream: ClientReadableStream<WatchResponse> = stub.watch({ filters: [] }, md);
    const received: WatchResponse[] = [];
    stream.on('data', (m: WatchResponse) => received.push(m));
    await until(() => received.length > 0, 5_000, 'the first progress event');
    stream.pause();
    const data = Buffer.alloc(16 * 1024, 7);
    for (let n = 0; n < 300 && h.store.watcherCount() > 0; n++) {
      await h.replica.propose({ caller: 'user', transaction: { changes: [{ action: 'create',
        kind: 'secret', object: Secret.fromPartial({ id: id(n), spec: { data } }) }] } });
      await new Promise((r) => setImmediate(r));
    }
    expect(h.store.watcherCount()).toBe(0);
    const error = await new Promise<ShoalError>((resolve) => {
      stream.on('error', (e) => resolve(fromGrpcError(e)));
      stream.resume();
    });
    expect(error.code).toBe('RESOURCE_EXHAUSTED');
    expect(error.message).toContain('overflowed');
    const versions = received.flatMap((m) =>
      m.event?.$case === 'transaction' ? [m.event.transaction.version?.index] : []);
    expect(versions).toEqual(versions.map((_, i) => i + 1));
    stub.close();
  });

  it('sends a progress event first and then periodically while idle', async () => {
    h = await startHarness();
    const stub = new StoreStub(h.address, credentials.createInsecure());
    const md = new Metadata();
    md.set(TEST_IDENTITY_HEADER, 'scheduler');
    const stream = stub.watch({ filters: [{ kinds: [ObjectKind.TASK], actions: [], id: '',
      idPrefix: '', name: '', namePrefix: '', labels: {}, serviceId: '', nodeId: '' }],
    progressInterval: durationFromMs(100) }, md);
    const kinds: string[] = [];
    stream.on('data', (m: WatchResponse) => kinds.push(m.event?.$case ?? 'none'));
    stream.on('error', () => undefined);
    await until(() => kinds.length >= 3, 5_000, 'three progress events');
    expect(kinds.slice(0, 3)).toEqual(['progress', 'progress', 'progress']);
    stream.cancel();
    const tooFast = stub.watch({ filters: [], progressInterval: durationFromMs(10) }, md);
    const refused = await new Promise<ShoalError>((r) => tooFast.on('error', (e) => r(fromGrpcError(e))));
    expect(refused.code).toBe('INVALID_ARGUMENT');
    stub.close();
  });
});
