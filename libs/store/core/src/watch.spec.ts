// Goal: the watch hub gives controllers what raft.md §7 lists: list-then-watch with no gap
// and no duplicate, events grouped per transaction with its version, old objects on updates,
// server-side filters, resume from any retained version, a distinct COMPACTED error, progress
// bookmarks, and bounded buffers that close loudly. Method: scenario tests on a MemoryStore
// plus a fast-check property that interleaves random transactions with random watcher start
// points and checks each watcher sees exactly the suffix of committed transactions.
import fc from 'fast-check';
import { ChangeAction, ObjectKind, TaskState } from '@shoal/proto';
import { MemoryStore } from './memory-store';
import type { Change, CommittedTransaction } from './types';
import type { WatchMessage, Watcher } from './watch-hub';
import { apply, change, id, must, mustApply, service, task } from './testdata/fixtures';

function transactions(messages: WatchMessage[]): Array<{ version: number; ids: string[] }> {
  return messages.flatMap((m) =>
    m.type === 'transaction' ? [{ version: m.version, ids: m.events.map((e) => e.object.id) }] : [],
  );
}

describe('watch basics', () => {
  it('opens with a progress message, then delivers transactions with versions and old objects', () => {
    const store = new MemoryStore();
    const w = store.watch();
    mustApply(store, 'user', [change('create', 'service', service(id(1), 'a'))]);
    const s = must(store.get('service', id(1)));
    s.pendingDelete = true;
    mustApply(store, 'user', [change('update', 'service', s)]);
    mustApply(store, 'user', [change('delete', 'service', service(id(1), ''))]);
    const messages = w.poll();
    expect(messages.map((m) => m.type)).toEqual(['progress', 'transaction', 'transaction', 'transaction']);
    expect(messages[0]).toEqual({ type: 'progress', version: 0 });
    const [, created, updated, deleted] = messages as Array<Extract<WatchMessage, { type: 'transaction' }>>;
    expect(must(created).version).toBe(1);
    expect(must(created).events[0]).toMatchObject({ action: 'create', kind: 'service' });
    expect(must(must(updated).events[0]).oldObject).toMatchObject({ pendingDelete: false, meta: { version: { index: 1 } } });
    expect(must(must(updated).events[0]).object).toMatchObject({ pendingDelete: true, meta: { version: { index: 2 } } });
    expect(must(deleted).events[0]).toMatchObject({ action: 'delete', object: { pendingDelete: true } });
    expect(Object.isFrozen(must(must(updated).events[0]).object)).toBe(true);
  });

  it('calls onReady synchronously and poll(max) drains in order', () => {
    const store = new MemoryStore();
    let ready = 0;
    const w = store.watch({ onReady: () => ready++ });
    for (let i = 0; i < 3; i++) mustApply(store, 'user', [change('create', 'service', service(id(i), `s${i}`))]);
    expect(ready).toBe(4);
    expect(w.bufferedEvents).toBe(3);
    expect(w.poll(2).map((m) => m.type)).toEqual(['progress', 'transaction']);
    expect(transactions(w.poll()).map((t) => t.version)).toEqual([2, 3]);
    expect(w.bufferedEvents).toBe(0);
  });

  it('progress() bookmarks every watcher at the current version without piling up', () => {
    const store = new MemoryStore();
    const w = store.watch();
    w.poll();
    store.advance(5);
    store.progress();
    store.progress();
    expect(w.poll()).toEqual([{ type: 'progress', version: 5 }]);
    w.requestProgress();
    expect(w.poll()).toEqual([{ type: 'progress', version: 5 }]);
  });

  it('close() ends a watch with CANCELLED and frees its slot', () => {
    const store = new MemoryStore();
    const w = store.watch();
    expect(store.watcherCount()).toBe(1);
    w.close();
    expect(store.watcherCount()).toBe(0);
    const last = w.poll().at(-1);
    expect(last?.type === 'closed' && last.error.code).toBe('CANCELLED');
    mustApply(store, 'user', [change('create', 'service', service(id(1), 'a'))]);
    expect(w.poll()).toEqual([]);
  });
});

describe('filters', () => {
  function seed(store: MemoryStore): void {
    mustApply(store, 'user', [change('create', 'service', service(id(1, '1'), 'web', { tier: 'front' }))]);
    mustApply(store, 'orchestrator', [
      change('create', 'task', task(id(1), { serviceId: id(1, '1'), slot: 1 })),
      change('create', 'task', task(id(2), { serviceId: id(2, '1'), slot: 1 })),
    ]);
    const t = must(store.get('task', id(1)));
    t.desiredState = TaskState.SHUTDOWN;
    mustApply(store, 'orchestrator', [change('update', 'task', t)]);
    mustApply(store, 'orchestrator', [change('delete', 'task', task(id(2)))]);
  }

  it.each<[string, object[], Array<{ version: number; ids: string[] }>]>([
    ['everything', [], [{ version: 1, ids: [id(1, '1')] }, { version: 2, ids: [id(1), id(2)] }, { version: 3, ids: [id(1)] }, { version: 4, ids: [id(2)] }]],
    ['kind task', [{ kinds: [ObjectKind.TASK] }], [{ version: 2, ids: [id(1), id(2)] }, { version: 3, ids: [id(1)] }, { version: 4, ids: [id(2)] }]],
    ['deletes', [{ actions: [ChangeAction.DELETE] }], [{ version: 4, ids: [id(2)] }]],
    ['service id', [{ serviceId: id(2, '1') }], [{ version: 2, ids: [id(2)] }, { version: 4, ids: [id(2)] }]],
    ['desired RUNNING (an update leaving it still shows)', [{ desiredState: TaskState.RUNNING, kinds: [ObjectKind.TASK] }], [{ version: 2, ids: [id(1), id(2)] }, { version: 3, ids: [id(1)] }, { version: 4, ids: [id(2)] }]],
    ['desired SHUTDOWN', [{ desiredState: TaskState.SHUTDOWN }], [{ version: 3, ids: [id(1)] }]],
    ['labels', [{ labels: { tier: 'front' } }], [{ version: 1, ids: [id(1, '1')] }]],
    ['name prefix', [{ namePrefix: 'WE' }], [{ version: 1, ids: [id(1, '1')] }]],
    ['ORed filters', [{ id: id(2) }, { kinds: [ObjectKind.SERVICE] }], [{ version: 1, ids: [id(1, '1')] }, { version: 2, ids: [id(2)] }, { version: 4, ids: [id(2)] }]],
  ])('%s', (_name, filters, expected) => {
    const store = new MemoryStore();
    const w = store.watch({ filters });
    seed(store);
    expect(transactions(w.poll())).toEqual(expected);
  });
});

describe('resume and compaction', () => {
  it('resumes from any retained version and replays exactly the later transactions', () => {
    const store = new MemoryStore();
    for (let i = 0; i < 5; i++) mustApply(store, 'user', [change('create', 'service', service(id(i), `s${i}`))]);
    const w = store.watch({ fromVersion: 2 });
    const messages = w.poll();
    expect(messages[0]).toEqual({ type: 'progress', version: 2 });
    expect(transactions(messages).map((t) => t.version)).toEqual([3, 4, 5]);
  });

  it('fails a resume from an evicted version with COMPACTED and says what is left', () => {
    const store = new MemoryStore({ history: { historyTransactionsMax: 3, historyBytesMax: 1 << 30 } });
    for (let i = 0; i < 6; i++) mustApply(store, 'user', [change('create', 'service', service(id(i), `s${i}`))]);
    expect(store.oldestResumableVersion()).toBe(3);
    expect(transactions(store.watch({ fromVersion: 3 }).poll()).map((t) => t.version)).toEqual([4, 5, 6]);
    const w = store.watch({ fromVersion: 2 });
    const [only, ...rest] = w.poll();
    expect(rest).toEqual([]);
    expect(w.closed).toBe(true);
    expect(only?.type === 'closed' && only.error.code).toBe('COMPACTED');
    expect(only?.type === 'closed' && only.error.details).toEqual({
      requestedVersion: '2',
      oldestVersion: '3',
      currentVersion: '6',
    });
  });

  it('evicts by estimated bytes too', () => {
    const store = new MemoryStore({ history: { historyTransactionsMax: 100, historyBytesMax: 2_000 } });
    for (let i = 0; i < 20; i++) mustApply(store, 'user', [change('create', 'service', service(id(i), `s${i}`))]);
    expect(store.oldestResumableVersion()).toBeGreaterThan(0);
    expect(store.oldestResumableVersion()).toBeLessThan(20);
  });

  it('skips transactions up to a fromVersion ahead of the store', () => {
    const store = new MemoryStore();
    const w = store.watch({ fromVersion: 2 });
    for (let i = 0; i < 3; i++) mustApply(store, 'user', [change('create', 'service', service(id(i), `s${i}`))]);
    const messages = w.poll();
    expect(messages[0]).toEqual({ type: 'progress', version: 2 });
    expect(transactions(messages).map((t) => t.version)).toEqual([3]);
  });
});

describe('bounded buffers', () => {
  it('closes an overflowing watcher with RESOURCE_EXHAUSTED after the messages it holds', () => {
    const store = new MemoryStore();
    const slow = store.watch({ bufferEvents: 3 });
    const fast = store.watch({ bufferEvents: 3 });
    for (let i = 0; i < 3; i++) {
      const two = [change('create', 'service', service(id(2 * i), `a${i}`)), change('create', 'service', service(id(2 * i + 1), `b${i}`))];
      mustApply(store, 'user', two);
      fast.poll();
    }
    expect(slow.closed).toBe(true);
    expect(fast.closed).toBe(false);
    expect(store.watcherCount()).toBe(1);
    const messages = slow.poll();
    expect(messages.map((m) => m.type)).toEqual(['progress', 'transaction', 'closed']);
    const last = must(messages.at(-1));
    expect(last.type === 'closed' && last.error.code).toBe('RESOURCE_EXHAUSTED');
    expect(last.type === 'closed' && last.error.message).toContain('resume from the last version');
  });

  it('refuses watchers beyond WATCH_LIMITS.maxWatchers', () => {
    const store = new MemoryStore();
    const watchers: Watcher[] = [];
    for (let i = 0; i < 1000; i++) watchers.push(store.watch());
    const refused = store.watch();
    const [msg] = refused.poll();
    expect(msg?.type === 'closed' && msg.error.code).toBe('RESOURCE_EXHAUSTED');
    expect(store.watcherCount()).toBe(1000);
  });
});

/** Applies a committed transaction's events to a map of `kind/id` → version (a cache). */
function replay(cache: Map<string, number>, t: { events: CommittedTransaction['events'] }): void {
  for (const e of t.events) {
    const key = `${e.kind}/${e.object.id}`;
    if (e.action === 'create') expect(cache.has(key)).toBe(false);
    if (e.action === 'delete') cache.delete(key);
    else cache.set(key, e.object.meta?.version?.index ?? -1);
  }
}

function snapshotOf(store: MemoryStore): Map<string, number> {
  return new Map(store.list().objects.map((o) => [`${o.kind}/${o.object.id}`, o.object.meta?.version?.index ?? -1]));
}

describe('list-then-watch (property)', () => {
  const step = fc.oneof(
    fc.record({ op: fc.constant('tx' as const), n: fc.integer({ min: 0, max: 11 }), k: fc.integer({ min: 1, max: 3 }), del: fc.boolean() }),
    fc.record({ op: fc.constant('watch' as const), back: fc.integer({ min: 0, max: 6 }) }),
    fc.record({ op: fc.constant('poll' as const) }),
  );

  it('every watcher sees exactly the committed suffix after its start: no gap, no duplicate', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const store = new MemoryStore({ history: { historyTransactionsMax: 8, historyBytesMax: 1 << 30 } });
        const committed: number[] = [];
        const watchers: Array<{ w: Watcher; from: number; cache: Map<string, number>; seen: number[] }> = [];
        const drain = (entry: (typeof watchers)[number]): void => {
          for (const m of entry.w.poll()) {
            if (m.type === 'transaction') {
              entry.seen.push(m.version);
              replay(entry.cache, m);
            }
          }
        };
        for (const s of steps) {
          if (s.op === 'tx') {
            const changes: Change[] = [];
            for (let j = 0; j < s.k; j++) {
              const oid = id((s.n + j) % 12);
              const current = store.get('service', oid);
              if (current === undefined) changes.push(change('create', 'service', service(oid, `n${(s.n + j) % 12}`)));
              else if (s.del) changes.push(change('delete', 'service', current));
              else changes.push(change('update', 'service', { ...current, pendingDelete: !current.pendingDelete }));
            }
            const unique = changes.filter((c, i) => changes.findIndex((d) => d.object.id === c.object.id) === i);
            const r = apply(store, 'user', unique);
            if (r.ok) committed.push(r.committed.version);
          } else if (s.op === 'watch') {
            // Either list now and watch from the list's version, or resume from an older version.
            const listed = store.list();
            const from = Math.max(0, listed.version - s.back);
            const w = store.watch({ fromVersion: from });
            if (from < store.oldestResumableVersion()) {
              expect(w.closed).toBe(true);
              continue;
            }
            const cache = from === listed.version ? snapshotOf(store) : undefined;
            watchers.push({ w, from, cache: cache ?? new Map(), seen: [] });
            if (cache === undefined) watchers.pop();
          } else {
            for (const entry of watchers) drain(entry);
          }
        }
        const final = snapshotOf(store);
        for (const entry of watchers) {
          drain(entry);
          expect(entry.seen).toEqual(committed.filter((v) => v > entry.from));
          expect(entry.cache).toEqual(final);
        }
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('a resumed watcher replays the same transactions a live one received', () => {
    const store = new MemoryStore();
    const live = store.watch();
    for (let i = 0; i < 10; i++) mustApply(store, 'user', [change('create', 'service', service(id(i), `s${i}`))]);
    const resumed = store.watch({ fromVersion: 0 });
    expect(transactions(resumed.poll())).toEqual(transactions(live.poll()));
  });
});
