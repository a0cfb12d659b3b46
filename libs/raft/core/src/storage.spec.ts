/**
 * Goal: MemoryStorage honours the Storage contract (term/entries bounds and typed errors,
 * size limits, snapshots, compaction, conflict truncation on append), and the raft log's
 * unstable tail keeps its invariants (stableTo ignores mismatched terms).
 * Method: table-style unit tests on small logs, mirroring etcd-raft's storage_test.go and
 * log_unstable_test.go.
 */
import { CompactedError, MemoryStorage, SnapOutOfDateError, UnavailableError } from './storage';
import { Unstable } from './log-unstable';
import { NOOP_LOGGER } from './logger';
import { RaftLog } from './log';
import { confState, entriesWithTerms, entry } from './testing/helpers';
import { ENTRY_OVERHEAD_BYTES } from './util';

function storage345(): MemoryStorage {
  const s = new MemoryStorage();
  s.applySnapshot({
    metadata: { index: 3, term: 3, confState: confState([1]) },
    data: new Uint8Array(),
  });
  s.append([entry(4, 4), entry(5, 5)]);
  return s;
}

describe('MemoryStorage', () => {
  test('term is valid from firstIndex-1 to lastIndex', () => {
    const s = storage345();
    expect(() => s.term(2)).toThrow(CompactedError);
    expect([s.term(3), s.term(4), s.term(5)]).toEqual([3, 4, 5]);
    expect(() => s.term(6)).toThrow(UnavailableError);
    expect([s.firstIndex(), s.lastIndex()]).toEqual([4, 5]);
  });

  test('entries respects bounds and size limits, always returning one entry', () => {
    const s = storage345();
    s.append([entry(6, 6)]);
    expect(() => s.entries(3, 5, 1000)).toThrow(CompactedError);
    expect(s.entries(4, 7, 1000).map((e) => e.index)).toEqual([4, 5, 6]);
    expect(s.entries(4, 7, 0).map((e) => e.index)).toEqual([4]);
    expect(s.entries(4, 7, 2 * ENTRY_OVERHEAD_BYTES).map((e) => e.index)).toEqual([4, 5]);
  });

  test('append truncates a conflicting suffix and skips compacted entries', () => {
    const s = storage345();
    s.append([entry(3, 3), entry(6, 4), entry(6, 5), entry(6, 6)]);
    expect(s.entries(4, 7, 1000).map((e) => e.term)).toEqual([6, 6, 6]);
    s.append([entry(7, 5)]);
    expect([s.lastIndex(), s.term(5)]).toEqual([5, 7]);
    expect(() => s.append([entry(7, 9)])).toThrow('missing log entry');
  });

  test('compact and createSnapshot move the first index; stale requests are refused', () => {
    const s = storage345();
    const snap = s.createSnapshot(4, undefined, new Uint8Array([1]));
    expect([snap.metadata.index, snap.metadata.term, snap.metadata.confState.voters]).toEqual(
      [4, 4, [1]],
    );
    expect(() => s.createSnapshot(4, undefined, new Uint8Array())).toThrow(SnapOutOfDateError);
    s.compact(4);
    expect([s.firstIndex(), s.lastIndex(), s.term(4)]).toEqual([5, 5, 4]);
    expect(() => s.compact(4)).toThrow(CompactedError);
    expect(() => s.applySnapshot(snap)).toThrow(SnapOutOfDateError);
  });
});

describe('unstable log and RaftLog', () => {
  test('stableTo ignores a report whose term no longer matches (append ABA)', () => {
    const u = new Unstable(4, NOOP_LOGGER);
    u.truncateAndAppend([entry(1, 5), entry(1, 6)]);
    u.acceptInProgress(6);
    u.truncateAndAppend([entry(2, 6)]);
    expect(u.offsetInProgress).toBe(6);
    u.stableTo(6, 1);
    expect(u.entries.map((e) => [e.index, e.term])).toEqual([
      [5, 1],
      [6, 2],
    ]);
    u.stableTo(6, 2);
    expect([u.entries.length, u.offset]).toEqual([0, 7]);
  });

  test('findConflictByTerm walks back to the last entry with term <= the given term', () => {
    const s = new MemoryStorage();
    s.append(entriesWithTerms(1, 1, 1, 2, 2, 5, 5, 5));
    const l = new RaftLog(s, NOOP_LOGGER);
    expect(l.findConflictByTerm(7, 4)).toEqual({ index: 4, term: 2 });
    expect(l.findConflictByTerm(7, 5)).toEqual({ index: 7, term: 5 });
    expect(l.findConflictByTerm(4, 1)).toEqual({ index: 2, term: 1 });
    expect(l.findConflictByTerm(3, 0)).toEqual({ index: 0, term: 0 });
  });

  test('maybeAppend refuses a mismatching predecessor and commits up to the new last index', () => {
    const s = new MemoryStorage();
    s.append(entriesWithTerms(1, 1, 2, 3));
    const l = new RaftLog(s, NOOP_LOGGER);
    expect(l.maybeAppend({ index: 3, term: 2 }, [entry(4, 4)], 3)).toBeUndefined();
    expect(l.maybeAppend({ index: 3, term: 3 }, [entry(4, 4)], 10)).toBe(4);
    expect(l.committed).toBe(4);
    expect(() => l.maybeAppend({
      index: 1,
      term: 1,
    }, [entry(9, 2)], 4)).toThrow('conflicts with committed');
  });

  test('isUpToDate compares last term, then length', () => {
    const s = new MemoryStorage();
    s.append(entriesWithTerms(1, 1, 2, 3));
    const l = new RaftLog(s, NOOP_LOGGER);
    expect(l.isUpToDate({ index: 2, term: 4 })).toBe(true);
    expect(l.isUpToDate({ index: 3, term: 3 })).toBe(true);
    expect(l.isUpToDate({ index: 2, term: 3 })).toBe(false);
    expect(l.isUpToDate({ index: 9, term: 2 })).toBe(false);
  });
});
