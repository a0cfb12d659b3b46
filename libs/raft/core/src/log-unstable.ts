/**
 * The unstable part of the raft log: entries (and at most one snapshot) that raft has
 * accepted but the shell has not yet reported durable through RawNode.advance.
 */
import { assert } from '@shoal/assert';
import { Entry, Snapshot } from './types';
import { RaftLogger } from './logger';

/**
 * Unstable holds `entries` starting at index `offset`, optionally preceded by an incoming
 * `snapshot`. Entries before `offsetInProgress` were handed to the shell in a Ready and are
 * being persisted; the rest have not been handed out yet.
 * Invariant: snapshot === undefined || offset === snapshot.metadata.index + 1.
 * Invariant: offset <= offsetInProgress <= offset + entries.length.
 */
export class Unstable {
  snapshot: Snapshot | undefined = undefined;
  entries: Entry[] = [];
  offset: number;
  snapshotInProgress = false;
  offsetInProgress: number;

  /** The constructor starts an empty unstable log right after stored index `lastIndex`. */
  constructor(
    lastIndex: number,
    private readonly logger: RaftLogger,
  ) {
    this.offset = lastIndex + 1;
    this.offsetInProgress = lastIndex + 1;
  }

  /** maybeFirstIndex is the index after the unstable snapshot, if there is one. */
  maybeFirstIndex(): number | undefined {
    return this.snapshot === undefined ? undefined : this.snapshot.metadata.index + 1;
  }

  /** maybeLastIndex is the last unstable entry's index, or the snapshot's, if any. */
  maybeLastIndex(): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot === undefined ? undefined : this.snapshot.metadata.index;
  }

  /** maybeTerm is the term of entry `i` when the unstable log knows it. */
  maybeTerm(i: number): number | undefined {
    if (i < this.offset) {
      const s = this.snapshot;
      return s !== undefined && s.metadata.index === i ? s.metadata.term : undefined;
    }
    const last = this.maybeLastIndex();
    if (last === undefined || i > last) return undefined;
    return (this.entries[i - this.offset] as Entry).term;
  }

  /** nextEntries are the entries not yet handed to the shell. */
  nextEntries(): Entry[] {
    const inProgress = this.offsetInProgress - this.offset;
    if (inProgress === this.entries.length) return [];
    return this.entries.slice(inProgress);
  }

  /** nextSnapshot is the snapshot if it was not yet handed to the shell. */
  nextSnapshot(): Snapshot | undefined {
    return this.snapshotInProgress ? undefined : this.snapshot;
  }

  /**
   * acceptInProgress marks entries up to `lastIndex` (and the snapshot) as handed to the
   * shell, so the next Ready does not repeat them.
   */
  acceptInProgress(lastIndex: number): void {
    if (this.entries.length > 0) {
      const upper = this.offset + this.entries.length;
      this.offsetInProgress = Math.min(Math.max(this.offsetInProgress, lastIndex + 1), upper);
    }
    if (this.snapshot !== undefined) this.snapshotInProgress = true;
  }

  /**
   * stableTo drops entries up to (index, term) now that the shell reports them durable. It
   * ignores the report when the entry at `index` has since been replaced (a different term)
   * or is covered by the snapshot: an overwrite in flight must not be mistaken for durable.
   */
  stableTo(index: number, term: number): void {
    const gt = this.maybeTerm(index);
    if (gt === undefined) {
      this.logger.info(`entry at index ${index} missing from unstable log; ignoring`);
      return;
    }
    if (index < this.offset) {
      this.logger.info(`entry at index ${index} matched unstable snapshot; ignoring`);
      return;
    }
    if (gt !== term) {
      this.logger.info(
        `entry at (index,term)=(${index},${term}) mismatched with ` +
          `entry at (${index},${gt}) in unstable log; ignoring`,
      );
      return;
    }
    this.entries = this.entries.slice(index + 1 - this.offset);
    this.offset = index + 1;
    this.offsetInProgress = Math.max(this.offsetInProgress, this.offset);
  }

  /** stableSnapTo drops the unstable snapshot once the shell reports it durable. */
  stableSnapTo(index: number): void {
    if (this.snapshot !== undefined && this.snapshot.metadata.index === index) {
      this.snapshot = undefined;
      this.snapshotInProgress = false;
    }
  }

  /** restore replaces everything with snapshot `s`. */
  restore(s: Snapshot): void {
    this.offset = s.metadata.index + 1;
    this.offsetInProgress = this.offset;
    this.entries = [];
    this.snapshot = s;
    this.snapshotInProgress = false;
  }

  /**
   * truncateAndAppend appends `ents`, first discarding any unstable entries at or after
   * `ents[0].index`. Callers guarantee that `ents[0].index <= lastIndex + 1`.
   */
  truncateAndAppend(ents: Entry[]): void {
    const fromIndex = (ents[0] as Entry).index;
    if (fromIndex === this.offset + this.entries.length) {
      this.entries = [...this.entries, ...ents];
    } else if (fromIndex <= this.offset) {
      this.logger.info(`replace the unstable entries from index ${fromIndex}`);
      this.entries = [...ents];
      this.offset = fromIndex;
      this.offsetInProgress = this.offset;
    } else {
      this.logger.info(`truncate the unstable entries before index ${fromIndex}`);
      this.entries = [...this.slice(this.offset, fromIndex), ...ents];
      this.offsetInProgress = Math.min(this.offsetInProgress, fromIndex);
    }
  }

  /** slice returns the unstable entries [lo, hi); the range must lie inside them. */
  slice(lo: number, hi: number): Entry[] {
    assert(lo <= hi, `invalid unstable.slice ${lo} > ${hi}`);
    const upper = this.offset + this.entries.length;
    assert(lo >= this.offset, `unstable.slice[${lo},${hi}) below offset ${this.offset}`);
    assert(hi <= upper, `unstable.slice[${lo},${hi}) out of bound [${this.offset},${upper}]`);
    return this.entries.slice(lo - this.offset, hi - this.offset);
  }
}
