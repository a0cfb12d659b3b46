/**
 * WalReplayer turns the bytes of a WAL's segments, oldest first, into the state they record.
 * It is pure (no I/O) so the recovery rules can be tested byte by byte:
 *
 * - Records are read in order. Entries are a log with raft truncation: an entry at index i
 *   replaces every entry from i on.
 * - A snapshot marker past the last entry lets the log continue right after it (a follower
 *   that installed a leader's snapshot): the entries before it are kept, the log just skips
 *   to the marker. A marker never deletes an entry.
 * - A marker counts as a snapshot only if the saved hard state's commit index covers it
 *   (etcd's ValidSnapshotEntries). Raft commits a received snapshot in the Ready that carries
 *   it, and the shell saves that HardState right after the marker, so a marker the commit does
 *   not cover is an install a crash cut short: nothing recorded after it was acknowledged,
 *   while the entries before it were durable and may have been counted for a commit. Such a
 *   marker is not listed, cannot be opened from, and the log read past it ends where it
 *   skipped: the entries after the skip are left out (see {@link ReplayLog}).
 * - The first bad record of a segment (zero header, bad frame or checksum) ends it. If any
 *   valid record follows it in that segment, or the segment is not the last one, this is
 *   corruption in the middle of the log: WalCorruptError, never a guess. Otherwise it is the
 *   torn tail of the last write (or just preallocated zeros), and the log ends there.
 * - A record whose checksum holds but whose content breaks the format is always corruption.
 */
import { assert, assertNever } from '@shoal/assert';
import { WalCorruptError, WalSnapshotNotFoundError } from './errors';
import { WAL_LIMITS } from '@shoal/limits';
import {
  decodeRecord,
  isZero,
  RecordType,
  type SegmentHeader,
  type SnapshotMarker,
  type WalMetadata,
  type WalRecord,
} from './record-format';
import type { Entry, HardState } from '@shoal/raft';

/** ReplaySegment is one segment file handed to the replayer. */
export interface ReplaySegment {
  /** Path, for error messages. */
  path: string;
  seq: number;
  firstIndex: number;
  bytes: Uint8Array;
}

/**
 * ReplayTail describes the end of the last segment: `validBytes` is where the next record
 * goes, and `dirty` says bytes after it are not all zero (a torn tail to be zeroed).
 */
export interface ReplayTail {
  validBytes: number;
  dirty: boolean;
  /** Why the record at `validBytes` did not decode, when it was not plain zeros. */
  reason: string | undefined;
}

/** ReplayState is what the records say, whichever snapshot the log is read from. */
export interface ReplayState {
  metadata: WalMetadata;
  hardState: HardState;
  /**
   * Every distinct snapshot marker in the WAL whose index the saved hard state has committed,
   * oldest first: the snapshots a restart may start from (etcd's ValidSnapshotEntries).
   */
  snapshotMarkers: SnapshotMarker[];
  /** The newest marker (by index) of `snapshotMarkers`, {0, 0} if there is none. */
  newestSnapshotMarker: SnapshotMarker;
  /**
   * The last marker recorded, covered by the commit or not, and where the recorded log goes
   * on (one past the last entry, or past a later marker): what the next segment's header
   * repeats, and what the replayer checks every later header against.
   */
  recordedMarker: SnapshotMarker;
  recordedNextIndex: number;
  tail: ReplayTail;
}

/** ReplayLog is the log as read from one snapshot. */
export interface ReplayLog {
  /** Entries after the snapshot's index, contiguous, in index order. */
  entries: Entry[];
  /** The largest index the next appended entry may have (last entry + 1). */
  nextIndex: number;
  /**
   * Set when the log skips past a marker the commit does not cover and goes on after it:
   * that marker, and how many entries recorded after the skip are left out.
   */
  ignoredSnapshot?: { marker: SnapshotMarker; droppedEntries: number };
}

/**
 * WalReplayer accumulates segments via {@link WalReplayer.add} (oldest first, the last one
 * flagged), then yields the state with {@link WalReplayer.finish} and the log after a
 * snapshot with {@link WalReplayer.logAfter}. It throws WalCorruptError as soon as the bytes
 * cannot be explained by a crash.
 */
export class WalReplayer {
  private metadata: WalMetadata | undefined;
  private hardState: HardState = { term: 0, vote: 0, commit: 0 };
  /** The last marker recorded (header or record): what the next header must repeat. */
  private recordedMarker: SnapshotMarker = { index: 0, term: 0 };
  /** Every marker recorded, consecutive repeats folded, oldest first. */
  private readonly markers: SnapshotMarker[] = [];
  /** The entries the records leave, by index; gaps only where the log skipped to a marker. */
  private entries: Entry[] = [];
  /** For each entry that follows a gap opened by a marker: that marker, by entry index. */
  private readonly skips = new Map<number, SnapshotMarker>();
  /** Markers recorded since the last entry: the next entry may follow any of them. */
  private pendingMarkers: SnapshotMarker[] = [];
  /** First index of the first segment replayed: entries before it are in no segment. */
  private logStart = 1;
  private nextIndex = 1;
  private previousSeq: number | undefined;
  private tail: ReplayTail | undefined;

  constructor(
    private readonly options: {
      /** The WAL directory, for error messages. */
      dir: string;
      recordBytesMax: number;
    },
  ) {}

  /** add replays one segment; `isLast` must be true for the newest one and only for it. */
  add(segment: ReplaySegment, isLast: boolean): void {
    assert(this.tail === undefined, 'no segment is added after the last one');
    if (this.previousSeq !== undefined && segment.seq !== this.previousSeq + 1) {
      throw new WalCorruptError(segment.path, undefined, `segment ${this.previousSeq + 1} missing`);
    }
    this.previousSeq = segment.seq;
    const end = this.readRecords(segment);
    if (end.offset === 0) {
      throw new WalCorruptError(segment.path, 0, `segment header unreadable: ${end.reason}`);
    }
    if (end.offset < segment.bytes.length) this.checkEnd(segment, end, isLast);
    if (isLast) {
      const dirty = !isZero(segment.bytes, end.offset, segment.bytes.length);
      this.tail = { validBytes: end.offset, dirty, reason: end.reason };
    }
  }

  /** finish returns the replayed state; call it after the last segment. */
  finish(): ReplayState {
    assert(this.tail !== undefined, 'the last segment was added');
    assert(this.metadata !== undefined, 'a replayed WAL has metadata');
    const snapshotMarkers = this.markers.filter((m) => m.index > 0 && this.covered(m));
    let newest: SnapshotMarker = { index: 0, term: 0 };
    for (const m of snapshotMarkers) if (m.index >= newest.index) newest = m;
    return {
      metadata: this.metadata,
      hardState: this.hardState,
      snapshotMarkers,
      newestSnapshotMarker: newest,
      recordedMarker: this.recordedMarker,
      recordedNextIndex: this.nextIndex,
      tail: this.tail,
    };
  }

  /**
   * logAfter returns the log that follows snapshot `from` ({0, 0}: the whole log): the
   * entries from `from.index + 1` on, up to the first gap. A gap opened by a marker the
   * commit does not cover ends the log there (see the file comment). Throws
   * WalSnapshotNotFoundError if `from` has no marker the commit covers, or if the log skips
   * to a covered marker later than `from` (its snapshot is needed), and WalCorruptError if
   * the entries right after `from` are in no segment.
   */
  logAfter(from: SnapshotMarker): ReplayLog {
    assert(this.tail !== undefined, 'the last segment was added');
    this.checkSnapshot(from);
    const entries = this.entries;
    // The log starts at the first segment's first index, or lower where raft truncated there.
    const begin = Math.min(this.logStart, entries.length > 0 ? entries[0].index : Infinity);
    if (from.index + 1 < begin) throw this.missingStart(from, begin);
    let at = firstAfter(entries, from.index);
    const start = at;
    let expected = from.index + 1;
    for (; at < entries.length; at++, expected++) {
      const entry = entries[at];
      if (entry.index === expected) continue;
      const marker = this.skips.get(entry.index);
      assert(marker !== undefined, 'every gap in the log follows a marker');
      if (this.covered(marker)) {
        throw new WalSnapshotNotFoundError(
          `the log after ${expected - 1} goes on only after snapshot marker index ` +
            `${marker.index} term ${marker.term}, which commit ${this.hardState.commit} covers: ` +
            'open from that snapshot',
        );
      }
      const ignoredSnapshot = { marker, droppedEntries: entries.length - at };
      return { entries: entries.slice(start, at), nextIndex: expected, ignoredSnapshot };
    }
    return { entries: entries.slice(start), nextIndex: expected };
  }

  /** covered reports whether the saved commit index covers `marker` (it is trusted). */
  private covered(marker: SnapshotMarker): boolean {
    return marker.index <= this.hardState.commit;
  }

  private checkSnapshot(from: SnapshotMarker): void {
    if (from.index === 0) return;
    const found = this.markers.some((m) => m.index === from.index && m.term === from.term);
    const what = `snapshot index ${from.index} term ${from.term}`;
    if (!found) throw new WalSnapshotNotFoundError(`no marker for ${what} in the WAL`);
    if (!this.covered(from)) {
      throw new WalSnapshotNotFoundError(
        `the marker for ${what} is not covered by the saved commit ${this.hardState.commit}`,
      );
    }
  }

  private missingStart(from: SnapshotMarker, first: number): Error {
    if (from.index === 0) {
      return new WalSnapshotNotFoundError(
        `the log starts at ${first}, after released segments: open from a snapshot`,
      );
    }
    return new WalCorruptError(
      this.options.dir,
      undefined,
      `entries resume at ${first}, not right after snapshot ${from.index}`,
    );
  }

  /** readRecords applies records until the first one that does not decode. */
  private readRecords(segment: ReplaySegment): { offset: number; reason: string | undefined } {
    let offset = 0;
    while (offset < segment.bytes.length) {
      const position = { segmentSeq: segment.seq, offset };
      const read = decodeRecord(segment.bytes, position, this.options.recordBytesMax);
      switch (read.kind) {
        case 'valid':
          this.apply(segment, offset, read.record);
          offset += read.bytes;
          continue;
        case 'malformed':
          throw new WalCorruptError(segment.path, offset, read.reason);
        case 'zero':
          return { offset, reason: undefined };
        case 'invalid':
          return { offset, reason: read.reason };
        default:
          return assertNever(read, 'record read');
      }
    }
    return { offset, reason: undefined };
  }

  /** checkEnd decides between a torn tail and corruption for a segment that ends early. */
  private checkEnd(
    segment: ReplaySegment,
    end: { offset: number; reason: string | undefined },
    isLast: boolean,
  ): void {
    const what = end.reason === undefined ? 'zeros' : `bad record (${end.reason})`;
    const later = findValidRecord(segment, end.offset + WAL_LIMITS.alignmentBytes, this.options);
    if (later !== undefined) {
      throw new WalCorruptError(
        segment.path,
        end.offset,
        `${what} followed by a valid record at offset ${later}`,
      );
    }
    if (!isLast) {
      throw new WalCorruptError(segment.path, end.offset, `${what} inside a sealed segment`);
    }
  }

  private apply(segment: ReplaySegment, offset: number, record: WalRecord): void {
    const isHeader = record.type === RecordType.Segment;
    if (isHeader !== (offset === 0)) {
      throw new WalCorruptError(segment.path, offset, 'segment header not at offset 0');
    }
    switch (record.type) {
      case RecordType.Segment:
        return this.applyHeader(segment, record.header);
      case RecordType.Entry:
        return this.applyEntry(segment, offset, record.entry);
      case RecordType.HardState:
        this.hardState = record.hardState;
        return;
      case RecordType.SnapshotMarker:
        return this.applyMarker(record.snapshotMarker);
      default:
        return assertNever(record, 'wal record');
    }
  }

  /**
   * applyHeader checks a header against the state the earlier segments left, or, for the
   * first segment replayed, takes its state: the log starts at its first index (earlier
   * entries were released), and its marker is recorded without a skip, as the header was
   * written when the log went on at `firstIndex`.
   */
  private applyHeader(segment: ReplaySegment, header: SegmentHeader): void {
    const problem = headerProblem(segment, header, this.metadata && this.currentState());
    if (problem !== undefined) throw new WalCorruptError(segment.path, 0, problem);
    if (this.metadata === undefined) {
      this.metadata = header.metadata;
      this.hardState = header.hardState;
      this.logStart = header.firstIndex;
      this.nextIndex = header.firstIndex;
      this.recordMarker(header.snapshotMarker);
    }
  }

  private currentState(): SegmentHeader {
    assert(this.metadata !== undefined, 'state exists after the first header');
    return {
      seq: segmentSeqAfter(this.previousSeq),
      firstIndex: this.nextIndex,
      metadata: this.metadata,
      hardState: this.hardState,
      snapshotMarker: this.recordedMarker,
    };
  }

  /**
   * applyEntry appends `entry`, replacing every entry from its index on (raft truncation).
   * It must follow the entry before it, a marker recorded since the last entry (a skip), or
   * the start of the log; replacing the first entry after a skip keeps that skip.
   */
  private applyEntry(segment: ReplaySegment, offset: number, entry: Entry): void {
    if (entry.index < 1 || entry.term < 1) {
      throw new WalCorruptError(segment.path, offset, 'entry index or term is 0');
    }
    const entries = this.entries;
    let replacedSkip: SnapshotMarker | undefined;
    while (entries.length > 0 && entries[entries.length - 1].index >= entry.index) {
      const removed = entries.pop();
      if (removed?.index === entry.index) replacedSkip = this.skips.get(entry.index);
    }
    const previous = entries.length > 0 ? entries[entries.length - 1].index : undefined;
    const skip =
      this.pendingMarkers.find((m) => m.index === entry.index - 1) ?? replacedSkip;
    if (previous === entry.index - 1) {
      this.skips.delete(entry.index);
    } else if (skip !== undefined) {
      this.skips.set(entry.index, skip);
    } else if (previous === undefined && entry.index <= this.logStart) {
      this.skips.delete(entry.index);
    } else {
      const after = previous ?? this.logStart - 1;
      throw new WalCorruptError(
        segment.path,
        offset,
        `entry ${entry.index} leaves a gap after ${after}`,
      );
    }
    entries.push(entry);
    this.pendingMarkers = [];
    this.nextIndex = entry.index + 1;
  }

  /** applyMarker records a marker record; the log may skip to it (see applyEntry). */
  private applyMarker(marker: SnapshotMarker): void {
    this.recordMarker(marker);
    this.pendingMarkers.push(marker);
    this.nextIndex = Math.max(this.nextIndex, marker.index + 1);
  }

  private recordMarker(marker: SnapshotMarker): void {
    this.recordedMarker = marker;
    const last = this.markers[this.markers.length - 1];
    if (last === undefined || last.index !== marker.index || last.term !== marker.term) {
      this.markers.push(marker);
    }
  }
}

/** firstAfter returns the position of the first of `entries` (sorted) with index > `index`. */
function firstAfter(entries: readonly Entry[], index: number): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (entries[middle].index <= index) low = middle + 1;
    else high = middle;
  }
  return low;
}

function segmentSeqAfter(seq: number | undefined): number {
  assert(seq !== undefined, 'a segment was added');
  return seq;
}

/**
 * headerProblem checks a segment header against its file name and, for every segment but the
 * first one replayed, against the state the earlier segments left (`expected`).
 */
function headerProblem(
  segment: ReplaySegment,
  header: SegmentHeader,
  expected: SegmentHeader | undefined,
): string | undefined {
  if (header.seq !== segment.seq || header.firstIndex !== segment.firstIndex) {
    return `header says segment ${header.seq} from ${header.firstIndex}, name disagrees`;
  }
  if (expected === undefined) return undefined;
  const same = (a: object, b: object): boolean => JSON.stringify(a) === JSON.stringify(b);
  if (!same(header.metadata, expected.metadata)) return 'metadata differs from earlier segments';
  if (header.firstIndex !== expected.firstIndex) {
    return `first index ${header.firstIndex} but the log continues at ${expected.firstIndex}`;
  }
  if (!same(header.hardState, expected.hardState)) return 'hard state differs from the log';
  if (!same(header.snapshotMarker, expected.snapshotMarker)) {
    return 'snapshot marker differs from the log';
  }
  return undefined;
}

/**
 * findValidRecord returns the offset of the first record at or after `from` that decodes
 * (valid or malformed: either proves real data follows), or undefined. A record's first word
 * (its length) is never zero, so zero words are skipped cheaply.
 */
function findValidRecord(
  segment: ReplaySegment,
  from: number,
  options: { recordBytesMax: number },
): number | undefined {
  const { bytes } = segment;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = WAL_LIMITS.recordHeaderBytes;
  for (let offset = from; offset + header <= bytes.length; offset += WAL_LIMITS.alignmentBytes) {
    if (view.getUint32(offset, true) === 0) continue;
    const position = { segmentSeq: segment.seq, offset };
    const read = decodeRecord(bytes, position, options.recordBytesMax);
    if (read.kind === 'valid' || read.kind === 'malformed') return offset;
  }
  return undefined;
}
