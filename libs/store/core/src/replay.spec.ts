// Goal: applying is deterministic. Replaying the raft log (the encoded entries, failures
// included) on a second store yields byte-identical state, and so does applying the first
// store's committed transactions verbatim on a third. The entry codec round-trips and bad
// entries fail the same way everywhere. Method: a seeded random workload (fast-check) of
// creates, updates by different owners, deletes and stale writes; compare save() bytes.
import fc from 'fast-check';
import { StoreProposal, TaskState } from '@shoal/proto';
import { ShoalError } from '@shoal/errors';
import { decodeStoreEntry, encodeStoreEntry } from './entry-codec';
import { MemoryStore } from './memory-store';
import type { Caller, Change, CommittedTransaction } from './types';
import { at, change, id, must, service, task } from './testdata/fixtures';

interface Op {
  readonly kind: 'service' | 'task';
  readonly n: number;
  readonly what: 'create' | 'update' | 'delete' | 'stale';
  readonly caller: Caller;
}

const op = fc.record<Op>({
  kind: fc.constantFrom('service', 'task'),
  n: fc.integer({ min: 0, max: 7 }),
  what: fc.constantFrom('create', 'update', 'delete', 'stale'),
  caller: fc.constantFrom<Caller>('user', 'orchestrator', 'scheduler', 'dispatcher'),
});

/** changeFor turns a random op into a change against the store's current state. */
function changeFor(store: MemoryStore, op: Op): Change {
  const oid = id(op.n);
  // Missing objects are mostly created, so that the workload keeps committing.
  const missing = store.get(op.kind, oid) === undefined;
  const o: Op = missing && op.what !== 'delete' ? { ...op, what: 'create' } : op;
  if (o.kind === 'service') {
    const s = store.get('service', oid) ?? service(oid, `svc-${o.n % 5}`);
    if (o.what === 'update' || o.what === 'stale') s.pendingDelete = !s.pendingDelete;
    if (o.what === 'stale') s.meta = { version: { index: 0 } };
    return change(o.what === 'stale' ? 'update' : o.what, 'service', s);
  }
  const t = store.get('task', oid) ?? task(oid, { serviceId: id(1, '1'), slot: o.n });
  if (o.what === 'update' || o.what === 'stale') {
    // Each writer changes its own field; a user's write is refused.
    if (o.caller === 'scheduler') t.nodeId = id(o.n + 1, '2');
    else if (o.caller === 'dispatcher') t.status = { state: TaskState.RUNNING } as never;
    else t.desiredState = TaskState.SHUTDOWN;
  }
  if (o.what === 'stale') t.meta = { version: { index: 0 } };
  return change(o.what === 'stale' ? 'update' : o.what, 'task', t);
}

describe('deterministic apply', () => {
  it('log replay and verbatim replay reproduce the leader state byte for byte (property)', () => {
    const tally = new Map<string, number>();
    fc.assert(
      fc.property(fc.array(fc.array(op, { minLength: 1, maxLength: 3 }), { maxLength: 40 }), (txs) => {
        const leader = new MemoryStore();
        const log: Array<{ bytes: Uint8Array; version: number }> = [];
        const committed: CommittedTransaction[] = [];
        const outcomes: string[] = [];
        for (const [i, ops] of txs.entries()) {
          const changes = ops.map((o) => changeFor(leader, o));
          const unique = changes.filter((c, j) => changes.findIndex((d) => d.kind === c.kind && d.object.id === c.object.id) === j);
          const first = must(ops[0]);
          const caller = first.kind === 'service' ? 'user' : first.what === 'create' || first.what === 'delete' ? 'orchestrator' : first.caller;
          const bytes = encodeStoreEntry({ requestId: i + 1, caller, transaction: { changes: unique }, proposedAt: at(i) });
          const version = 10 + 3 * i;
          log.push({ bytes, version });
          const r = leader.applyEntry(bytes, version);
          outcomes.push(r.ok ? 'ok' : r.error.code);
          const outcome = must(outcomes.at(-1));
          tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
          if (r.ok) committed.push(r.committed);
        }
        const follower = new MemoryStore();
        const followerOutcomes = log.map(({ bytes, version }) => {
          const r = follower.applyEntry(bytes, version);
          return r.ok ? 'ok' : r.error.code;
        });
        expect(followerOutcomes).toEqual(outcomes);
        expect(follower.version()).toBe(leader.version());
        expect(follower.save()).toEqual(leader.save());
        const mirror = new MemoryStore();
        for (const c of committed) mirror.applyCommitted(c);
        mirror.advance(leader.version());
        expect(mirror.save()).toEqual(leader.save());
      }),
      { numRuns: 100, seed: 11 },
    );
    // The workload mixes commits with every kind of rejection.
    console.log(`replayed outcomes: ${JSON.stringify([...tally].sort())}`);
    for (const code of ['ok', 'SEQUENCE_CONFLICT', 'PERMISSION_DENIED', 'NOT_FOUND', 'ALREADY_EXISTS']) {
      expect(tally.get(code) ?? 0).toBeGreaterThan(10);
    }
  });
});

describe('entry codec', () => {
  it('round-trips an entry and normalizes partial messages', () => {
    const entry = {
      requestId: 42,
      caller: 'scheduler' as const,
      transaction: { changes: [change('update', 'task', task(id(1), { nodeId: id(2) }))] },
      proposedAt: at(3),
      guard: { name: 'scheduler', holder: 'm1/1', term: 4 },
    };
    const decoded = decodeStoreEntry(encodeStoreEntry(entry));
    expect(decoded).toEqual(entry);
    expect(encodeStoreEntry(decoded)).toEqual(encodeStoreEntry(entry));
  });

  it.each<[string, Uint8Array]>([
    ['garbage', new Uint8Array([0xff, 0xff, 0xff])],
    ['no operation', StoreProposal.encode({ requestId: 1, operation: undefined, proposedAt: at(0) }).finish()],
    ['a lease operation', StoreProposal.encode({ requestId: 1, operation: { $case: 'lease', lease: { operation: undefined } }, proposedAt: at(0) }).finish()],
    ['no writer', StoreProposal.encode({ requestId: 1, operation: { $case: 'transaction', transaction: { changes: [], writer: 0 } }, proposedAt: at(0) }).finish()],
    ['no time', encodeWithout('proposedAt')],
    ['an unknown action', StoreProposal.encode({ requestId: 1, operation: { $case: 'transaction', transaction: { changes: [{ action: 9 as never, object: { kind: { $case: 'task', task: task(id(1)) } } }], writer: 2 } }, proposedAt: at(0) }).finish()],
    ['a change without object', StoreProposal.encode({ requestId: 1, operation: { $case: 'transaction', transaction: { changes: [{ action: 1 }], writer: 2 } }, proposedAt: at(0) }).finish()],
  ])('rejects an entry with %s as INVALID_ARGUMENT, identically on apply', (_name, bytes) => {
    expect(() => decodeStoreEntry(bytes)).toThrow(ShoalError);
    const store = new MemoryStore();
    const r = store.applyEntry(bytes, 7);
    expect(r.ok || r.error.code).toBe('INVALID_ARGUMENT');
    expect(store.version()).toBe(7);
  });

  it('lets the raft-store fence writers through checkGuard', () => {
    const store = new MemoryStore();
    const bytes = encodeStoreEntry({
      requestId: 1,
      caller: 'user',
      transaction: { changes: [change('create', 'service', service(id(1), 'a'))] },
      proposedAt: at(0),
      guard: { name: 'gateway', holder: 'x', term: 1 },
    });
    const lost = ShoalError.failedPrecondition('lease lost');
    const r = store.applyEntry(bytes, 1, { checkGuard: (g) => (g.term < 2 ? lost : undefined) });
    expect(r.ok || r.error).toBe(lost);
    expect(store.counts().service).toBe(0);
  });
});

function encodeWithout(field: 'proposedAt'): Uint8Array {
  const bytes = encodeStoreEntry({
    requestId: 1,
    caller: 'user',
    transaction: { changes: [] },
    proposedAt: at(0),
  });
  const proposal = StoreProposal.decode(bytes);
  proposal[field] = undefined;
  return StoreProposal.encode(proposal).finish();
}
