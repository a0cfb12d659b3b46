/**
 * RaftLog: the replicated log as raft sees it, stitched from durable Storage and the
 * Unstable tail, with the commit and apply cursors.
 */
import { assert } from '@shoal/assert';
import { Entry, Snapshot } from './types';
import { RaftLogger } from './logger';
import { Unstable } from './log-unstable';
import { CompactedError, Storage, UnavailableError } from './storage';
import { entriesSizeBytes, limitSize, NO_LIMIT } from './util';

/** EntryId names one log position: the (term, index) pair the Log Matching property uses. */
export interface EntryId {
  term: number;
  index: number;
}

/**
 * RaftLog combines Storage (durable, possibly compacted) and Unstable (not yet durable).
 * Invariant: applied <= applying <= committed <= lastIndex().
 * Invariant: firstIndex() - 1 <= committed (a snapshot is always committed).
 */
export class RaftLog {
  readonly unstable: Unstable;
  /** committed is the highest index known to be stored on a quorum. */
  committed: number;
  /** applying is the highest index handed to the shell for application. */
  applying: number;
  /** applied is the highest index the shell reported applied. */
  applied: number;
  /** applyingBytes sums the sizes of entries handed out but not yet reported applied. */
  private applyingBytes = 0;

  /** The constructor reads the storage bounds; a storage error here is fatal. */
  constructor(
    readonly storage: Storage,
    private readonly logger: RaftLogger,
    readonly maxApplyingBytes: number = NO_LIMIT,
  ) {
    const firstIndex = storage.firstIndex();
    const lastIndex = storage.lastIndex();
    this.unstable = new Unstable(lastIndex, logger);
    this.committed = firstIndex - 1;
    this.applying = firstIndex - 1;
    this.applied = firstIndex - 1;
  }

  /** toString summarises the cursors for log lines. */
  toString(): string {
    return (
      `committed=${this.committed}, applied=${this.applied}, applying=${this.applying}, ` +
      `unstable.offset=${this.unstable.offset}, ` +
      `unstable.offsetInProgress=${this.unstable.offsetInProgress}, ` +
      `len(unstable.Entries)=${this.unstable.entries.length}`
    );
  }

  /**
   * maybeAppend appends `entries` (which follow `prev`) when the log matches `prev`, and then
   * commits up to min(committed, last new index). Returns the last new index, or undefined
   * when `prev` does not match (the caller rejects the MsgApp).
   */
  maybeAppend(prev: EntryId, entries: Entry[], committed: number): number | undefined {
    if (!this.matchTerm(prev)) return undefined;
    const lastNewIndex = prev.index + entries.length;
    const ci = this.findConflict(entries);
    if (ci !== 0) {
      assert(ci > this.committed, `entry ${ci} conflicts with committed ${this.committed}`);
      const offset = prev.index + 1;
      assert(ci - offset <= entries.length, `conflict index ${ci} out of range`);
      this.append(entries.slice(ci - offset));
    }
    this.commitTo(Math.min(committed, lastNewIndex));
    return lastNewIndex;
  }

  /** append adds entries to the unstable tail, truncating a conflicting suffix. */
  append(entries: Entry[]): number {
    if (entries.length === 0) return this.lastIndex();
    const after = (entries[0] as Entry).index - 1;
    assert(after >= this.committed, `after(${after}) is below committed(${this.committed})`);
    this.unstable.truncateAndAppend(entries);
    return this.lastIndex();
  }

  /**
   * findConflict returns the index of the first entry of `entries` whose term differs from
   * ours (or that we lack), or 0 when every entry is already present.
   */
  findConflict(entries: readonly Entry[]): number {
    for (const e of entries) {
      if (!this.matchTerm(e)) {
        if (e.index <= this.lastIndex()) {
          this.logger.info(
            `found conflict at index ${e.index} [existing term: ${this.termOrZero(e.index)}, ` +
              `conflicting term: ${e.term}]`,
          );
        }
        return e.index;
      }
    }
    return 0;
  }

  /**
   * findConflictByTerm walks back from `index` to the last entry whose term is <= `term`
   * and returns its (index, term). Entries above it certainly disagree with a log whose entry
   * at `index` has `term`, so a leader can skip them all in one round trip. When the walk hits
   * compacted entries it returns (index, 0).
   */
  findConflictByTerm(index: number, term: number): EntryId {
    for (let i = index; i > 0; i--) {
      const ourTerm = this.term(i);
      if (ourTerm === undefined) return { index: i, term: 0 };
      if (ourTerm <= term) return { index: i, term: ourTerm };
    }
    return { index: 0, term: 0 };
  }

  /** nextUnstableEntries are the entries the next Ready must hand out for persistence. */
  nextUnstableEntries(): Entry[] {
    return this.unstable.nextEntries();
  }

  /** hasNextUnstableEntries reports whether {@link nextUnstableEntries} is non-empty. */
  hasNextUnstableEntries(): boolean {
    return this.unstable.nextEntries().length > 0;
  }

  /** hasNextOrInProgressUnstableEntries reports whether any entry is not yet durable. */
  hasNextOrInProgressUnstableEntries(): boolean {
    return this.unstable.entries.length > 0;
  }

  /**
   * nextCommittedEntries are the committed entries to hand out for application: those after
   * `applying`, limited in bytes by what is still being applied. They may include unstable
   * entries (the shell persists a Ready's entries before applying its committed ones). None
   * while a snapshot is pending, since it must be applied first. `maxIndex` caps them at
   * the entries the caller knows will be durable before they are applied.
   */
  nextCommittedEntries(maxIndex: number = this.committed): Entry[] {
    if (this.applyingPaused() || this.hasNextOrInProgressSnapshot()) return [];
    const lo = this.applying + 1;
    const hi = Math.min(this.committed, maxIndex) + 1;
    if (lo >= hi) return [];
    const ents = this.slice(lo, hi, this.maxApplyingBytes - this.applyingBytes);
    assert(ents !== undefined, `unapplied entries [${lo}, ${hi}) were compacted`);
    return ents;
  }

  /** hasNextCommittedEntries reports whether {@link nextCommittedEntries} is non-empty. */
  hasNextCommittedEntries(): boolean {
    if (this.applyingPaused() || this.hasNextOrInProgressSnapshot()) return false;
    return this.applying < this.committed;
  }

  /** hasNextUnstableSnapshot reports whether a snapshot awaits hand-out. */
  hasNextUnstableSnapshot(): boolean {
    return this.unstable.nextSnapshot() !== undefined;
  }

  /** hasNextOrInProgressSnapshot reports whether a snapshot is not yet durable. */
  hasNextOrInProgressSnapshot(): boolean {
    return this.unstable.snapshot !== undefined;
  }

  /** snapshot returns the pending unstable snapshot, else the storage's (which may throw). */
  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  /** firstIndex is the first index still available in the log. */
  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  /** lastIndex is the index of the last entry (or of the snapshot when no entry follows). */
  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  /** commitTo raises the commit index; it never lowers it. */
  commitTo(toCommit: number): void {
    if (this.committed >= toCommit) return;
    assert(
      toCommit <= this.lastIndex(),
      `tocommit(${toCommit}) is out of range [lastIndex(${this.lastIndex()})]; log corrupted?`,
    );
    this.committed = toCommit;
  }

  /** appliedTo records that the shell applied everything up to `index`. */
  appliedTo(index: number, sizeBytes: number): void {
    assert(index <= this.committed, `applied(${index}) beyond committed(${this.committed})`);
    assert(index >= this.applied, `applied(${index}) below prevApplied(${this.applied})`);
    this.applied = index;
    this.applying = Math.max(this.applying, index);
    this.applyingBytes = Math.max(0, this.applyingBytes - sizeBytes);
  }

  /** acceptApplying records that entries up to `index` were handed out for application. */
  acceptApplying(index: number, sizeBytes: number): void {
    assert(index <= this.committed, `applying(${index}) beyond committed(${this.committed})`);
    this.applying = index;
    this.applyingBytes += sizeBytes;
  }

  /** stableTo forwards a durability report to the unstable log. */
  stableTo(id: EntryId): void {
    this.unstable.stableTo(id.index, id.term);
  }

  /** stableSnapTo forwards a snapshot durability report to the unstable log. */
  stableSnapTo(index: number): void {
    this.unstable.stableSnapTo(index);
  }

  /** lastEntryId is the (term, index) of the last entry. */
  lastEntryId(): EntryId {
    const index = this.lastIndex();
    const term = this.term(index);
    assert(term !== undefined, `no term for the last index ${index}`);
    return { term, index };
  }

  /**
   * term returns the term of entry `i`, or undefined when `i` is compacted or beyond the
   * last index. Any other storage failure is fatal.
   */
  term(i: number): number | undefined {
    const t = this.unstable.maybeTerm(i);
    if (t !== undefined) return t;
    if (i + 1 < this.firstIndex()) return undefined;
    if (i > this.lastIndex()) return undefined;
    try {
      return this.storage.term(i);
    } catch (e) {
      if (e instanceof CompactedError || e instanceof UnavailableError) return undefined;
      throw e;
    }
  }

  /** termOrZero is {@link term} with 0 for out-of-bounds indexes (for log lines and reads). */
  termOrZero(i: number): number {
    return this.term(i) ?? 0;
  }

  /**
   * entries returns entries from `i` to the end, limited by `maxSizeBytes` (at least one).
   * Returns [] when `i` is past the end, undefined when `i` is compacted.
   */
  entries(i: number, maxSizeBytes: number): Entry[] | undefined {
    if (i > this.lastIndex()) return [];
    return this.slice(i, this.lastIndex() + 1, maxSizeBytes);
  }

  /** allEntries returns every available entry (tests and debugging only). */
  allEntries(): Entry[] {
    const ents = this.entries(this.firstIndex(), NO_LIMIT);
    assert(ents !== undefined, 'allEntries raced with compaction');
    return ents;
  }

  /** isUpToDate reports whether a log ending at `their` is at least as up to date as ours. */
  isUpToDate(their: EntryId): boolean {
    const our = this.lastEntryId();
    return their.term > our.term || (their.term === our.term && their.index >= our.index);
  }

  /** matchTerm reports whether our entry at `id.index` has term `id.term`. */
  matchTerm(id: EntryId): boolean {
    const t = this.term(id.index);
    return t !== undefined && t === id.term;
  }

  /**
   * maybeCommit commits up to `at.index` when our entry there has term `at.term` (a leader
   * only commits entries of its own term by counting replicas: Raft §5.4.2).
   */
  maybeCommit(at: EntryId): boolean {
    if (at.term !== 0 && at.index > this.committed && this.matchTerm(at)) {
      this.commitTo(at.index);
      return true;
    }
    return false;
  }

  /** restore resets the log to snapshot `s`, which becomes committed. */
  restore(s: Snapshot): void {
    this.logger.info(
      `log [${this.toString()}] starts to restore snapshot ` +
        `[index: ${s.metadata.index}, term: ${s.metadata.term}]`,
    );
    this.committed = s.metadata.index;
    this.unstable.restore(s);
  }

  /**
   * slice returns entries [lo, hi) limited in bytes (at least one), reading storage for the
   * durable part and the unstable tail for the rest. Returns undefined when lo is compacted.
   */
  slice(lo: number, hi: number, maxSizeBytes: number): Entry[] | undefined {
    if (!this.checkOutOfBounds(lo, hi)) return undefined;
    if (lo === hi) return [];
    const uOffset = this.unstable.offset;
    if (lo >= uOffset) return limitSize(this.unstable.slice(lo, hi), maxSizeBytes);
    const cut = Math.min(hi, uOffset);
    let stored: Entry[];
    try {
      stored = this.storage.entries(lo, cut, maxSizeBytes);
    } catch (e) {
      if (e instanceof CompactedError) return undefined;
      assert(!(e instanceof UnavailableError), `entries[${lo}:${cut}) unavailable in storage`);
      throw e;
    }
    if (hi <= uOffset || stored.length < cut - lo) return stored;
    const size = entriesSizeBytes(stored);
    if (size >= maxSizeBytes) return stored;
    const tail = limitSize(this.unstable.slice(uOffset, hi), maxSizeBytes - size);
    if (tail.length === 1 && size + entriesSizeBytes(tail) > maxSizeBytes) return stored;
    return [...stored, ...tail];
  }

  /** someUnapplied visits committed, unapplied entries in order until `visit` returns true. */
  someUnapplied(visit: (e: Entry) => boolean): boolean {
    const lo = this.applied + 1;
    const hi = this.committed + 1;
    for (let next = lo; next < hi; ) {
      const page = this.slice(next, hi, this.maxApplyingBytes);
      assert(page !== undefined && page.length > 0, `cannot scan unapplied [${next}, ${hi})`);
      for (const e of page) if (visit(e)) return true;
      next += page.length;
    }
    return false;
  }

  private applyingPaused(): boolean {
    return this.applyingBytes >= this.maxApplyingBytes;
  }

  private checkOutOfBounds(lo: number, hi: number): boolean {
    assert(lo <= hi, `invalid slice ${lo} > ${hi}`);
    const fi = this.firstIndex();
    if (lo < fi) return false;
    const last = this.lastIndex();
    assert(hi <= last + 1, `slice[${lo},${hi}) out of bound [${fi},${last}]`);
    return true;
  }
}
