/**
 * WalReplayer turns the bytes of a WAL's segments, oldest first, into the state they record.
 * It is pure (no I/O) so the recovery rules can be tested byte by byte:
 *
 * - Records are read in order. Entries are a log with raft truncation: an entry at index i
 *   replaces every entry from i on. A snapshot marker at or past the log's end starts the log
 *   afresh after it (a follower that installed a leader's snapshot).
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

/** ReplayResult is the state a WAL records, as seen from `fromSnapshot`. */
export interface ReplayResult {
  metadata: WalMetadata;
  hardState: HardState;
  /** The latest snapshot marker in the WAL ({0, 0} if none). */
  snapshotMarker: SnapshotMarker;
  /**
   * Every distinct snapshot marker in the WAL whose index the saved hard state has committed,
   * oldest first: the snapshots a restart may start from (etcd's ValidSnapshotEntries).
   */
  snapshotMarkers: SnapshotMarker[];
  /** Entries after `fromSnapshot.index`, contiguous, in index order. */
  entries: Entry[];
  /** The largest index the next appended entry may have (last entry + 1). */
  nextIndex: number;
  tail: ReplayTail;
}

/**
 * WalReplayer accumulates segments via {@link WalReplayer.add} (oldest first, the last one
 * flagged) and then yields the state with {@link WalReplayer.finish}. It throws
 * WalCorruptError as soon as the bytes cannot be explained by a crash.
 */
export class WalReplayer {
  private metadata: WalMetadata | undefined;
  private hardState: HardState = { term: 0, vote: 0, commit: 0 };
  private snapshotMarker: SnapshotMarker = { index: 0, term: 0 };
  private snapshotMatched: boolean;
  private readonly snapshotMarkers: SnapshotMarker[] = [];
  private entries: Entry[] = [];
  private nextIndex = 1;
  private previousSeq: number | undefined;
  private tail: ReplayTail | undefined;

  constructor(
    private readonly options: {
      /** The WAL directory, for error messages. */
      dir: string;
      fromSnapshot: SnapshotMarker;
      recordBytesMax: number;
    },
  ) {
    this.snapshotMatched = options.fromSnapshot.index === 0;
  }

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

  /** finish returns the replayed state; call it once, after the last segment. */
  finish(): ReplayResult {
    assert(this.tail !== undefined, 'the last segment was added');
    assert(this.metadata !== undefined, 'a replayed WAL has metadata');
    const from = this.options.fromSnapshot;
    if (!this.snapshotMatched) {
      throw new WalSnapshotNotFoundError(
        `no marker for snapshot index ${from.index} term ${from.term} in the WAL`,
      );
    }
    const entries = this.entries.filter((entry) => entry.index > from.index);
    if (entries.length > 0 && from.index > 0 && entries[0].index !== from.index + 1) {
      throw new WalCorruptError(
        this.options.dir,
        undefined,
        `entries resume at ${entries[0].index}, not right after snapshot ${from.index}`,
      );
    }
    const commit = this.hardState.commit;
    return {
      metadata: this.metadata,
      hardState: this.hardState,
      snapshotMarker: this.snapshotMarker,
      snapshotMarkers: this.snapshotMarkers.filter((m) => m.index > 0 && m.index <= commit),
      entries,
      nextIndex: this.nextIndex,
      tail: this.tail,
    };
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

  private applyHeader(segment: ReplaySegment, header: SegmentHeader): void {
    const problem = headerProblem(segment, header, this.metadata && this.currentState());
    if (problem !== undefined) throw new WalCorruptError(segment.path, 0, problem);
    if (this.metadata === undefined) {
      this.metadata = header.metadata;
      this.hardState = header.hardState;
      this.nextIndex = header.firstIndex;
      this.applyMarker(header.snapshotMarker);
    }
  }

  private currentState(): SegmentHeader {
    assert(this.metadata !== undefined, 'state exists after the first header');
    return {
      seq: segmentSeqAfter(this.previousSeq),
      firstIndex: this.nextIndex,
      metadata: this.metadata,
      hardState: this.hardState,
      snapshotMarker: this.snapshotMarker,
    };
  }

  private applyEntry(segment: ReplaySegment, offset: number, entry: Entry): void {
    if (entry.index > this.nextIndex) {
      throw new WalCorruptError(
        segment.path,
        offset,
        `entry ${entry.index} leaves a gap after ${this.nextIndex - 1}`,
      );
    }
    if (entry.index < 1 || entry.term < 1) {
      throw new WalCorruptError(segment.path, offset, 'entry index or term is 0');
    }
    const first = this.entries.length > 0 ? this.entries[0].index : entry.index;
    if (entry.index < first) this.entries = [];
    else this.entries.length = entry.index - first;
    this.entries.push(entry);
    this.nextIndex = entry.index + 1;
  }

  private applyMarker(marker: SnapshotMarker): void {
    this.snapshotMarker = marker;
    const last = this.snapshotMarkers[this.snapshotMarkers.length - 1];
    if (last === undefined || last.index !== marker.index || last.term !== marker.term) {
      this.snapshotMarkers.push(marker);
    }
    const from = this.options.fromSnapshot;
    if (marker.index === from.index && marker.term === from.term) this.snapshotMatched = true;
    if (marker.index >= this.nextIndex) {
      this.entries = [];
      this.nextIndex = marker.index + 1;
    }
  }
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
