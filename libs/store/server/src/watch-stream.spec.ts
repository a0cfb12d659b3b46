// Goal: a WatchStream polls its watcher only while the gRPC stream accepts writes: when
// `write` returns false it stops, leaving events in the watcher's bounded buffer, and goes
// on after 'drain'; a client cancel closes the watcher. Method: a fake server call (an
// EventEmitter whose `write` result the test controls) over a MemoryStore with a ManualClock
// as timers; commits are made with applyTransaction and the event loop is flushed.
import { EventEmitter } from 'node:events';
import { ManualClock } from '@shoal/clock';
import { silentLogger } from '@shoal/logging';
import { Service, type WatchRequest, type WatchResponse } from '@shoal/proto';
import { MemoryStore } from '@shoal/store';
import type { AnyServerStream } from './stream-writer';
import { id } from './testdata/harness';
import { WatchStream } from './watch-stream';

class FakeCall extends EventEmitter {
  readonly written: WatchResponse[] = [];
  accept = true;
  cancelled = false;
  writableEnded = false;
  destroyed = false;
  constructor(readonly request: WatchRequest) {
    super();
  }
  write(message: WatchResponse): boolean {
    this.written.push(message);
    return this.accept;
  }
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

function commit(store: MemoryStore, n: number): void {
  const object = Service.fromPartial({ id: id(n), spec: { annotations: { name: `s${n}`, labels: {} } } });
  const result = store.applyTransaction({ changes: [{ action: 'create', kind: 'service', object }] },
    { caller: 'user', version: store.version() + 1, now: new Date(0) });
  expect(result.ok).toBe(true);
}

describe('WatchStream back-pressure', () => {
  it('stops polling while the stream is full and resumes on drain', async () => {
    const store = new MemoryStore();
    const clock = new ManualClock();
    const call = new FakeCall({ filters: [] });
    new WatchStream(call as unknown as AnyServerStream<WatchRequest, WatchResponse>,
      store, { timers: clock, logger: silentLogger() });
    await flush();
    expect(call.written.map((m) => m.event?.$case)).toEqual(['progress']);
    call.accept = false;
    commit(store, 1);
    commit(store, 2);
    await flush();
    expect(call.written).toHaveLength(2);
    expect(store.watcherCount()).toBe(1);
    call.accept = true;
    call.emit('drain');
    await flush();
    expect(call.written.map((m) => m.event?.$case)).toEqual(['progress', 'transaction', 'transaction']);
    clock.advance(10_000);
    await flush();
    expect(call.written.at(-1)?.event?.$case).toBe('progress');
    call.cancelled = true;
    call.emit('cancelled');
    expect(store.watcherCount()).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });
});
