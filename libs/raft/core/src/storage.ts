/**
 * The raft log's storage port (what raft reads back from durable state) and MemoryStorage,
 * its in-memory reference implementation used by tests, the simulator and the raft-store
 * (behind the WAL) as the raft-visible log.
 */
import { assert } from '@shoal/assert';
import { ConfState, Entry, HardState, Snapshot } from './types';
import { emptyConfState, emptyHardState, EMPTY_BYTES, limitSize } from './util';

/** StorageError is the base of the expected failures a {@link Storage} may throw. */
export abstract class StorageError extends Error {}

/** CompactedError: the requested index precedes the first available one (compacted away). */
export class CompactedError extends StorageError {
  override readonly name = 'CompactedError';
  constructor() {
    super('requested index is unavailable due to compaction');
  }
}

/** UnavailableError: the requested index is beyond the last stored entry. */
export class UnavailableError extends StorageError {
  override readonly name = 'UnavailableError';
  constructor() {
    super('requested entry at index is unavailable');
  }
}

/** SnapOutOfDateError: a snapshot older than the storage's current one was offered. */
export class SnapOutOfDateError extends StorageError {
  override readonly name = 'SnapOutOfDateError';
  constructor() {
    super('requested index is older than the existing snapshot');
  }
}

/** SnapshotTemporarilyUnavailableError: no snapshot now; raft retries on a later send. */
export class SnapshotTemporarilyUnavailableError extends StorageError {
  override readonly name = 'SnapshotTemporarilyUnavailableError';
  constructor() {
    super('snapshot is temporarily unavailable');
  }
}

/** InitialState is what a node restarts from: its persisted HardState and membership. */
export interface InitialState {
  hardState: HardState;
  confState: ConfState;
}

/**
 * Storage is the read side of raft's durable log. The raft core never writes through it: the
 * shell persists what Ready hands out and then makes it visible here (MemoryStorage.append,
 * setHardState, applySnapshot) before calling RawNode.advance.
 *
 * Contract:
 * - `firstIndex()` is the index of the first entry still available (snapshot index + 1);
 *   `lastIndex()` the last one (equal to the snapshot index when no entry follows it).
 * - `term(i)` is valid for i in [firstIndex - 1, lastIndex]: the term at firstIndex - 1 is the
 *   snapshot's. Below that it throws CompactedError, above it UnavailableError.
 * - `entries(lo, hi, maxSizeBytes)` returns entries [lo, hi) limited by total size but always
 *   at least one when lo < hi; CompactedError when lo < firstIndex. Asking beyond lastIndex
 *   is a programmer error.
 * - `snapshot()` returns the most recent snapshot, or throws
 *   SnapshotTemporarilyUnavailableError when one is being built (raft retries later).
 * - Returned arrays and entries are owned by raft afterwards: never mutate them later.
 * - Any other error is fatal: the raft instance that observed it cannot continue.
 */
export interface Storage {
  initialState(): InitialState;
  entries(lo: number, hi: number, maxSizeBytes: number): Entry[];
  term(index: number): number;
  lastIndex(): number;
  firstIndex(): number;
  snapshot(): Snapshot;
}

/** MemoryStorageOptions seed a fresh MemoryStorage with a starting membership. */
export interface MemoryStorageOptions {
  voters?: number[];
  learners?: number[];
}

/**
 * MemoryStorage keeps the log in an array whose slot 0 is a dummy entry carrying the
 * snapshot's (index, term); `ents[i]` holds index `i + snapshotIndex`.
 * Invariant: `ents.length >= 1` and entries are contiguous by index.
 */
export class MemoryStorage implements Storage {
  private hardState: HardState = emptyHardState();
  private snap: Snapshot;
  private ents: Entry[];

  /** The constructor starts empty, optionally with a membership as of index 0. */
  constructor(options: MemoryStorageOptions = {}) {
    const confState = emptyConfState();
    confState.voters = [...(options.voters ?? [])];
    confState.learners = [...(options.learners ?? [])];
    this.snap = { metadata: { index: 0, term: 0, confState }, data: EMPTY_BYTES };
    this.ents = [dummyEntry(0, 0)];
  }

  /** initialState returns the stored HardState and the snapshot's membership. */
  initialState(): InitialState {
    return { hardState: { ...this.hardState }, confState: cloneConfState(this.snap.metadata) };
  }

  /** setHardState records the HardState the shell just persisted. */
  setHardState(hs: HardState): void {
    this.hardState = { ...hs };
  }

  /** entries implements {@link Storage.entries}. */
  entries(lo: number, hi: number, maxSizeBytes: number): Entry[] {
    const offset = this.offset();
    if (lo <= offset) throw new CompactedError();
    assert(hi <= this.lastIndex() + 1, `entries hi ${hi} beyond last ${this.lastIndex()}`);
    assert(lo <= hi, `entries range inverted: ${lo} > ${hi}`);
    if (this.ents.length === 1) throw new UnavailableError();
    return limitSize(this.ents.slice(lo - offset, hi - offset), maxSizeBytes);
  }

  /** term implements {@link Storage.term}. */
  term(index: number): number {
    const offset = this.offset();
    if (index < offset) throw new CompactedError();
    if (index - offset >= this.ents.length) throw new UnavailableError();
    return (this.ents[index - offset] as Entry).term;
  }

  /** lastIndex implements {@link Storage.lastIndex}. */
  lastIndex(): number {
    return this.offset() + this.ents.length - 1;
  }

  /** firstIndex implements {@link Storage.firstIndex}. */
  firstIndex(): number {
    return this.offset() + 1;
  }

  /** snapshot implements {@link Storage.snapshot}. */
  snapshot(): Snapshot {
    return this.snap;
  }

  /**
   * applySnapshot replaces the whole log with `snap` (a snapshot received from a leader).
   * Throws SnapOutOfDateError when `snap` is older than the current snapshot.
   */
  applySnapshot(snap: Snapshot): void {
    if (this.snap.metadata.index >= snap.metadata.index) throw new SnapOutOfDateError();
    this.snap = snap;
    this.ents = [dummyEntry(snap.metadata.index, snap.metadata.term)];
  }

  /**
   * createSnapshot records a snapshot of the state machine at applied index `index` (which
   * must be in the log) and returns it. `confState` defaults to the previous snapshot's.
   * Throws SnapOutOfDateError when `index` is not newer than the current snapshot.
   */
  createSnapshot(index: number, confState: ConfState | undefined, data: Uint8Array): Snapshot {
    if (index <= this.snap.metadata.index) throw new SnapOutOfDateError();
    assert(index <= this.lastIndex(), `snapshot ${index} is beyond last ${this.lastIndex()}`);
    const offset = this.offset();
    const term = (this.ents[index - offset] as Entry).term;
    const cs = confState ?? this.snap.metadata.confState;
    this.snap = { metadata: { index, term, confState: cloneConfState({ confState: cs }) }, data };
    return this.snap;
  }

  /**
   * compact discards entries before `compactIndex`; the entry at `compactIndex` becomes the
   * new dummy. The shell must not compact beyond what it has applied. Throws CompactedError
   * when `compactIndex` is already compacted.
   */
  compact(compactIndex: number): void {
    const offset = this.offset();
    if (compactIndex <= offset) throw new CompactedError();
    assert(compactIndex <= this.lastIndex(), `compact ${compactIndex} beyond last index`);
    const i = compactIndex - offset;
    const first = this.ents[i] as Entry;
    this.ents = [dummyEntry(first.index, first.term), ...this.ents.slice(i + 1)];
  }

  /**
   * append adds entries that the shell persisted, truncating any stored suffix that they
   * overwrite. Entries already compacted away are skipped. Entries must be contiguous and
   * must not leave a gap after the last stored index.
   */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const last = (entries[entries.length - 1] as Entry).index;
    if (last < first) return;
    const from = Math.max(first, (entries[0] as Entry).index);
    const toAdd = entries.slice(from - (entries[0] as Entry).index);
    const offset = (toAdd[0] as Entry).index - this.offset();
    assert(offset <= this.ents.length, `missing log entry [last: ${this.lastIndex()}]`);
    // In place: `ents` is never shared (entries() returns copies), and copying the whole log
    // on every append made a run of n appends O(n²).
    this.ents.length = offset;
    for (const e of toAdd) this.ents.push(e);
  }

  private offset(): number {
    return (this.ents[0] as Entry).index;
  }
}

function dummyEntry(index: number, term: number): Entry {
  return { index, term, type: 0, data: EMPTY_BYTES };
}

function cloneConfState(m: { confState: ConfState }): ConfState {
  const cs = m.confState;
  return {
    voters: [...cs.voters],
    learners: [...cs.learners],
    votersOutgoing: [...cs.votersOutgoing],
    learnersNext: [...cs.learnersNext],
    autoLeave: cs.autoLeave,
  };
}
