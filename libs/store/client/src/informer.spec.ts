// Goal: the informer's cache follows list-then-watch exactly: a list replaces the cache as a
// diff of handler calls, watch transactions update it in order, a client-side filter removes
// objects that leave it, COMPACTED makes it relist at once (deleting what vanished), resync
// re-delivers the cache without calling the server, and `hasSynced` turns true after the
// first list. Method: a scripted in-memory InformerSource and a ManualClock for timers; each
// step flushes the event loop and asserts the cache and the recorded handler calls.
import { ManualClock } from '@shoal/clock';
import { ShoalError } from '@shoal/errors';
import { Service, type UnwrappedStoredObject } from '@shoal/proto';
import { Informer, type InformerSource } from './informer';
import type { Listed } from './store-client';
import type { ClientEvent } from './types';
import type { WatchHandler, WatchOptions, WatchSubscription } from './watch';

function svc(id: string, version: number, label = ''): UnwrappedStoredObject {
  return {
    kind: 'service',
    object: Service.fromPartial({ id, meta: { version: { index: version } },
      spec: { annotations: { name: id, labels: label === '' ? {} : { tier: label } } } }),
  };
}

interface FakeWatch {
  readonly options: WatchOptions;
  readonly handler: WatchHandler;
  end(error: ShoalError | undefined): void;
}

class FakeSource implements InformerSource {
  listed: Listed<UnwrappedStoredObject> = { objects: [], version: 0 };
  lists = 0;
  readonly watches: FakeWatch[] = [];

  list(): Promise<Listed<UnwrappedStoredObject>> {
    this.lists++;
    return Promise.resolve(this.listed);
  }

  watch(options: WatchOptions, handler: WatchHandler): WatchSubscription {
    let resolve!: (e: ShoalError | undefined) => void;
    const done = new Promise<ShoalError | undefined>((r) => (resolve = r));
    let ended = false;
    const end = (error: ShoalError | undefined): void => {
      if (ended) return;
      ended = true;
      handler.onEnd?.(error);
      resolve(error);
    };
    this.watches.push({ options, handler, end });
    return { close: () => end(undefined), done, version: options.fromVersion };
  }

  last(): FakeWatch {
    const w = this.watches[this.watches.length - 1];
    if (w === undefined) throw new Error('no watch');
    return w;
  }
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

function event(action: ClientEvent['action'], o: UnwrappedStoredObject, old?: UnwrappedStoredObject) {
  return { action, kind: o.kind, object: o.object, oldObject: old?.object } as ClientEvent;
}

describe('Informer', () => {
  let clock: ManualClock;
  let source: FakeSource;
  let calls: string[];
  let informer: Informer;
  let stop: AbortController;
  let running: Promise<void>;

  beforeEach(async () => {
    clock = new ManualClock();
    source = new FakeSource();
    source.listed = { objects: [svc('a', 1), svc('b', 2, 'web')], version: 2 };
    calls = [];
    informer = new Informer({ client: source, kinds: ['service'], timers: clock, resyncMs: 1000,
      random: () => 0.5, filter: (o) => o.object.id !== 'hidden' });
    informer.addHandlers({
      onAdd: (k) => calls.push(`add ${k}`),
      onUpdate: (k, o, n) => calls.push(`update ${k} ${o.object.meta?.version?.index}` +
        `→${n.object.meta?.version?.index}`),
      onDelete: (k) => calls.push(`delete ${k}`),
    });
    stop = new AbortController();
    expect(informer.hasSynced()).toBe(false);
    running = informer.run(stop.signal);
    await flush();
  });

  afterEach(async () => {
    stop.abort();
    await running;
  });

  it('lists, then watches from the list version', () => {
    expect(informer.hasSynced()).toBe(true);
    expect(calls).toEqual(['add service/a', 'add service/b']);
    expect(source.last().options.fromVersion).toBe(2);
    expect(informer.list('service').map((s) => s.id).sort()).toEqual(['a', 'b']);
  });

  it('applies watch transactions in order, honouring the filter', () => {
    const { handler } = source.last();
    handler.onTransaction({ version: 3, events: [event('create', svc('c', 3)),
      event('update', svc('a', 3), svc('a', 1))] });
    handler.onTransaction({ version: 4, events: [event('delete', svc('b', 2)),
      event('create', svc('hidden', 4))] });
    expect(calls.slice(2)).toEqual(['add service/c', 'update service/a 1→3', 'delete service/b']);
    expect(informer.get('service', 'hidden')).toBeUndefined();
    expect(informer.version).toBe(4);
  });

  it('relists at once on COMPACTED and turns the difference into handler calls', async () => {
    source.listed = { objects: [svc('a', 1), svc('c', 9)], version: 9 };
    source.last().end(ShoalError.compacted(2, 5));
    await flush();
    clock.advance(0);
    await flush();
    expect(source.lists).toBe(2);
    expect(calls.slice(2)).toEqual(['add service/c', 'delete service/b']);
    expect(source.last().options.fromVersion).toBe(9);
  });

  it('relists with backoff after another failure', async () => {
    source.last().end(ShoalError.internal('boom'));
    await flush();
    clock.advance(0);
    await flush();
    expect(source.lists).toBe(1);
    clock.advance(400);
    await flush();
    expect(source.lists).toBe(2);
  });

  it('resyncs from the cache without a server call', async () => {
    clock.advance(1000);
    expect(calls.slice(2)).toEqual(['update service/a 1→1', 'update service/b 2→2']);
    expect(source.lists).toBe(1);
  });
});
