// Goal: the lease table decides campaigns, keep-alives, resignations and guards from the
// entries alone (index and leader clock), so every replica agrees: a lease is granted when
// vacant, lapsed or already the candidate's, its term is the granting entry's index and only
// grows, keep-alives after expiry fail, and guards fence a holder that lost the lease.
// Method: table-driven sequences of entries applied to fresh tables; a second table replaying
// the same encoded entries through the state machine must reach identical snapshots.
import { MemoryStore } from '@shoal/store';
import { durationFromMs, type LeaseOperation } from '@shoal/proto';
import { LeaseTable } from './lease-table';
import { encodeLeaseEntry, StoreStateMachine } from './state-machine';

const T0 = Date.parse('2024-01-01T00:00:00Z');

function campaign(name: string, candidate: string, ttlMs = 1000): LeaseOperation {
  return { operation: { $case: 'campaign', campaign: { name, candidate, ttl: durationFromMs(ttlMs) } } };
}
function keepAlive(name: string, holder: string, term: number): LeaseOperation {
  return { operation: { $case: 'keepAlive', keepAlive: { name, holder, term } } };
}
function resign(name: string, holder: string, term: number): LeaseOperation {
  return { operation: { $case: 'resign', resign: { name, holder, term } } };
}

describe('LeaseTable', () => {
  it('grants a vacant lease with the entry index as term and refuses a rival while live', () => {
    const t = new LeaseTable();
    const a = t.apply(campaign('sched', 'A'), 5, T0);
    expect(a).toMatchObject({ ok: true, elected: true, lease: { holder: 'A', term: 5 } });
    const b = t.apply(campaign('sched', 'B'), 6, T0 + 999);
    expect(b).toMatchObject({ ok: true, elected: false, lease: { holder: 'A', term: 5 } });
    const again = t.apply(campaign('sched', 'A'), 7, T0 + 500);
    expect(again).toMatchObject({ ok: true, elected: true, lease: { term: 5, expiresAtMs: T0 + 1500 } });
  });

  it('lets a rival take a lapsed lease with a greater term; the old term is fenced', () => {
    const t = new LeaseTable();
    t.apply(campaign('sched', 'A'), 5, T0);
    const b = t.apply(campaign('sched', 'B'), 9, T0 + 1000);
    expect(b).toMatchObject({ ok: true, elected: true, lease: { holder: 'B', term: 9 } });
    expect(t.checkGuard({ name: 'sched', holder: 'A', term: 5 }, T0 + 1001)?.code)
      .toBe('FAILED_PRECONDITION');
    expect(t.checkGuard({ name: 'sched', holder: 'B', term: 9 }, T0 + 1001)).toBeUndefined();
    const late = t.apply(keepAlive('sched', 'A', 5), 10, T0 + 1002);
    expect(late.ok).toBe(false);
  });

  it('renews on keep-alive, fails it after expiry, and fences guards at expiry', () => {
    const t = new LeaseTable();
    t.apply(campaign('l', 'A'), 1, T0);
    expect(t.apply(keepAlive('l', 'A', 1), 2, T0 + 900)).toMatchObject({ ok: true,
      lease: { expiresAtMs: T0 + 1900 } });
    expect(t.checkGuard({ name: 'l', holder: 'A', term: 1 }, T0 + 1899)).toBeUndefined();
    expect(t.checkGuard({ name: 'l', holder: 'A', term: 1 }, T0 + 1900)?.code)
      .toBe('FAILED_PRECONDITION');
    const lapsed = t.apply(keepAlive('l', 'A', 1), 3, T0 + 1900);
    expect(lapsed.ok).toBe(false);
    expect(t.apply(campaign('l', 'A'), 4, T0 + 2000)).toMatchObject({ lease: { term: 4 } });
  });

  it('vacates on resign by the holder only', () => {
    const t = new LeaseTable();
    const seen: Array<string | undefined> = [];
    t.subscribe((_, lease) => seen.push(lease?.holder));
    t.apply(campaign('l', 'A'), 1, T0);
    expect(t.apply(resign('l', 'B', 1), 2, T0)).toMatchObject({ ok: true, elected: false });
    expect(t.live('l', T0)?.holder).toBe('A');
    t.apply(resign('l', 'A', 1), 3, T0 + 1);
    expect(t.live('l', T0 + 1)).toBeUndefined();
    expect(t.apply(campaign('l', 'B'), 4, T0 + 2)).toMatchObject({ elected: true, lease: { term: 4 } });
    expect(seen).toEqual(['A', undefined, 'B']);
  });

  it('reaches the same state on every replica replaying the same entries', () => {
    const ops: Array<[LeaseOperation, number]> = [
      [campaign('a', 'x'), T0], [campaign('b', 'y', 2000), T0 + 10], [keepAlive('a', 'x', 1), T0 + 500],
      [campaign('a', 'z'), T0 + 1600], [resign('b', 'y', 2), T0 + 1700], [campaign('b', 'z'), T0 + 1800],
    ];
    const entries = ops.map(([op, at], i) => encodeLeaseEntry({ requestId: i + 1, operation: op,
      proposedAt: new Date(at) }));
    const replicas = [0, 1].map(() => new StoreStateMachine(new MemoryStore()));
    for (const r of replicas) entries.forEach((bytes, i) => r.apply(bytes, i + 1));
    const [one, two] = replicas.map((r) => r.leases.snapshot());
    expect(one).toEqual(two);
    expect(one?.map((l) => [l.name, l.holder, l.term])).toEqual([['a', 'z', 4], ['b', 'z', 6]]);
    expect(replicas[0]?.store.version()).toBe(6);
    const restored = new LeaseTable();
    restored.restore(one ?? []);
    expect(restored.snapshot()).toEqual(one);
  });
});
