/**
 * The WAL's on-disk format: segment file names and the records inside them.
 *
 * A WAL is a directory of segment files named `%016x-%016x.wal` (segment sequence number,
 * index of the first entry the segment was cut for), both lower-case hex. Segments are
 * preallocated with zeros to the segment size; records are appended from offset 0. An open
 * WAL also keeps the next segment preallocated as `next.wal.tmp` (segment-preparation.ts);
 * any `*.wal.tmp` file is temporary, never read, and removed when the WAL is opened.
 *
 * Every record is 8-byte aligned, so its length word never straddles a sector boundary:
 *
 * ```
 *  offset  size  field
 *   0      u32   length    L, payload bytes (1 <= L <= recordBytesMax), little-endian
 *   4      u32   crc       CRC-32C over bytes [0,4) ++ [8,16+L), seeded with the CRC-32C of
 *                          the record's position: segment seq (u64 LE) ++ offset (u64 LE)
 *   8      u8    type      1 Segment, 2 Entry, 3 HardState, 4 SnapshotMarker
 *   9      u8    version   1
 *  10      u16   reserved  0
 *  12      u32   reserved  0
 *  16      L     payload   see below; every integer is an unsigned 64-bit little-endian
 *                          number below 2^53 unless stated
 *  16+L    0..7  padding   zeros up to the next multiple of 8
 * ```
 *
 * Payloads:
 * - Segment (72 B), always the first record of a segment: seq, firstIndex, nodeId, clusterId,
 *   hardState {term, vote, commit}, snapshot marker {index, term}. It repeats all state a
 *   reader needs, so segments before a snapshot can be deleted without losing any of it.
 * - Entry (20 B + data): term, index, entry type (u32), data.
 * - HardState (24 B): term, vote, commit.
 * - SnapshotMarker (16 B): index, term.
 *
 * Design: the CRC is per record (no rolling chain) and bound to the record's position. A
 * per-record CRC lets recovery look past a bad record: if any valid record follows it, the
 * bad one is corruption in the middle of the log and is refused; if none does, it is a torn
 * tail and is cut off. Binding the CRC to (segment, offset) means a valid-looking record that
 * appears inside another record's data, or in a segment copied from elsewhere, never checks.
 * A length word of 0 is never valid (every payload is at least 16 bytes), so preallocated
 * zeros read as "no record here".
 */
import { assert, assertNever } from '@shoal/assert';
import { crc32c } from './crc32c';
import { WAL_LIMITS } from '@shoal/limits';
import type { Entry, EntryType, HardState } from '@shoal/raft';

/** RecordType tags a WAL record; the numbers are part of the on-disk format. */
export enum RecordType {
  Segment = 1,
  Entry = 2,
  HardState = 3,
  SnapshotMarker = 4,
}

/** RECORD_FORMAT_VERSION is the only record version this code writes and reads. */
export const RECORD_FORMAT_VERSION = 1;

/** WalMetadata identifies the node and cluster a WAL belongs to; it never changes. */
export interface WalMetadata {
  nodeId: number;
  clusterId: number;
}

/**
 * SnapshotMarker records that a snapshot at (index, term) is durable in the snapshot
 * directory. Invariant: index 0 (with term 0) means "no snapshot".
 */
export interface SnapshotMarker {
  index: number;
  term: number;
}

/** SegmentHeader is the payload of the first record of every segment. */
export interface SegmentHeader {
  seq: number;
  firstIndex: number;
  metadata: WalMetadata;
  hardState: HardState;
  snapshotMarker: SnapshotMarker;
}

/** WalRecord is one decoded record. */
export type WalRecord =
  | { type: RecordType.Segment; header: SegmentHeader }
  | { type: RecordType.Entry; entry: Entry }
  | { type: RecordType.HardState; hardState: HardState }
  | { type: RecordType.SnapshotMarker; snapshotMarker: SnapshotMarker };

/** RecordPosition is where a record sits: its segment's sequence number and byte offset. */
export interface RecordPosition {
  segmentSeq: number;
  offset: number;
}

const U64_BYTES = 8;
const SEGMENT_PAYLOAD_BYTES = 9 * U64_BYTES;
assert(
  WAL_LIMITS.recordHeaderBytes + SEGMENT_PAYLOAD_BYTES === WAL_LIMITS.segmentHeaderRecordBytes,
  'the named segment header size matches the format',
);
const ENTRY_FIXED_BYTES = 2 * U64_BYTES + 4;
const HARD_STATE_PAYLOAD_BYTES = 3 * U64_BYTES;
const MARKER_PAYLOAD_BYTES = 2 * U64_BYTES;
const TWO_POW_32 = 2 ** 32;

/** entryDataBytesMax is the largest entry `data` a record of `recordBytesMax` can hold. */
export function entryDataBytesMax(recordBytesMax: number): number {
  return recordBytesMax - ENTRY_FIXED_BYTES;
}

/** alignUp rounds `bytes` up to the record alignment (8). */
export function alignUp(bytes: number): number {
  const align = WAL_LIMITS.alignmentBytes;
  return Math.ceil(bytes / align) * align;
}

/** payloadBytes returns the payload length of `record` (without header and padding). */
export function payloadBytes(record: WalRecord): number {
  switch (record.type) {
    case RecordType.Segment:
      return SEGMENT_PAYLOAD_BYTES;
    case RecordType.Entry:
      return ENTRY_FIXED_BYTES + record.entry.data.length;
    case RecordType.HardState:
      return HARD_STATE_PAYLOAD_BYTES;
    case RecordType.SnapshotMarker:
      return MARKER_PAYLOAD_BYTES;
    default:
      return assertNever(record, 'wal record type');
  }
}

/** recordBytes returns the bytes `record` takes on disk: header, payload and padding. */
export function recordBytes(record: WalRecord): number {
  return alignUp(WAL_LIMITS.recordHeaderBytes + payloadBytes(record));
}

function writeU64(view: DataView, at: number, value: number): void {
  assert(Number.isSafeInteger(value), 'u64 field is a safe integer');
  assert(value >= 0, 'u64 field is not negative');
  view.setUint32(at, value % TWO_POW_32, true);
  view.setUint32(at + 4, Math.floor(value / TWO_POW_32), true);
}

/** readU64 returns the number at `at`, or -1 if it is not below 2^53 (a malformed field). */
function readU64(view: DataView, at: number): number {
  const high = view.getUint32(at + 4, true);
  if (high >= 2 ** 21) return -1;
  return high * TWO_POW_32 + view.getUint32(at, true);
}

function positionCrc(position: RecordPosition): number {
  const bytes = new Uint8Array(2 * U64_BYTES);
  const view = new DataView(bytes.buffer);
  writeU64(view, 0, position.segmentSeq);
  writeU64(view, U64_BYTES, position.offset);
  return crc32c(bytes);
}

/** recordCrc computes the checksum of the record whose header starts at `at` in `bytes`. */
function recordCrc(bytes: Uint8Array, at: number, length: number, position: RecordPosition) {
  const header = WAL_LIMITS.recordHeaderBytes;
  let crc = positionCrc(position);
  crc = crc32c(bytes.subarray(at, at + 4), crc);
  return crc32c(bytes.subarray(at + 8, at + header + length), crc);
}

function writePayload(view: DataView, at: number, record: WalRecord, target: Uint8Array): void {
  switch (record.type) {
    case RecordType.Segment: {
      const { header } = record;
      const fields = [
        header.seq,
        header.firstIndex,
        header.metadata.nodeId,
        header.metadata.clusterId,
        header.hardState.term,
        header.hardState.vote,
        header.hardState.commit,
        header.snapshotMarker.index,
        header.snapshotMarker.term,
      ];
      fields.forEach((value, i) => writeU64(view, at + i * U64_BYTES, value));
      return;
    }
    case RecordType.Entry: {
      const { entry } = record;
      writeU64(view, at, entry.term);
      writeU64(view, at + U64_BYTES, entry.index);
      view.setUint32(at + 2 * U64_BYTES, entry.type, true);
      target.set(entry.data, at + ENTRY_FIXED_BYTES);
      return;
    }
    case RecordType.HardState:
      writeU64(view, at, record.hardState.term);
      writeU64(view, at + U64_BYTES, record.hardState.vote);
      writeU64(view, at + 2 * U64_BYTES, record.hardState.commit);
      return;
    case RecordType.SnapshotMarker:
      writeU64(view, at, record.snapshotMarker.index);
      writeU64(view, at + U64_BYTES, record.snapshotMarker.term);
      return;
    default:
      assertNever(record, 'wal record type');
  }
}

/**
 * encodeRecordInto writes `record` into `target` at byte `at` (a multiple of 8) as it must
 * appear at `position` on disk, padding included, and returns the bytes written. Contract:
 * `target` has room for {@link recordBytes}(record) bytes at `at`, and its padding bytes
 * are zero on return. The CRC depends on `position`, so the record is only valid there.
 */
export function encodeRecordInto(
  target: Uint8Array,
  at: number,
  record: WalRecord,
  position: RecordPosition,
): number {
  assert(at % WAL_LIMITS.alignmentBytes === 0, 'record starts aligned in the buffer');
  assert(position.offset % WAL_LIMITS.alignmentBytes === 0, 'record starts aligned on disk');
  const length = payloadBytes(record);
  const size = recordBytes(record);
  assert(at + size <= target.length, 'record fits in the target buffer');
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  const header = WAL_LIMITS.recordHeaderBytes;
  target.fill(0, at, at + size);
  view.setUint32(at, length, true);
  view.setUint8(at + 8, record.type);
  view.setUint8(at + 9, RECORD_FORMAT_VERSION);
  writePayload(view, at + header, record, target);
  view.setUint32(at + 4, recordCrc(target, at, length, position), true);
  return size;
}

/** encodeRecord returns `record` encoded for `position` in a fresh buffer. */
export function encodeRecord(record: WalRecord, position: RecordPosition): Uint8Array {
  const bytes = new Uint8Array(recordBytes(record));
  encodeRecordInto(bytes, 0, record, position);
  return bytes;
}

/**
 * RecordRead is what {@link decodeRecord} found at an offset:
 * - `valid`: a record whose frame and checksum hold, and `bytes` on disk (aligned);
 * - `zero`: a header of all zeros, i.e. preallocated space (or a hole);
 * - `invalid`: a frame that does not check (torn or corrupt), with the reason;
 * - `malformed`: the checksum holds but the payload breaks the format (never torn: refuse).
 */
export type RecordRead =
  | { kind: 'valid'; record: WalRecord; bytes: number }
  | { kind: 'zero' }
  | { kind: 'invalid'; reason: string }
  | { kind: 'malformed'; reason: string };

function isRecordType(value: number): value is RecordType {
  return value >= RecordType.Segment && value <= RecordType.SnapshotMarker;
}

/** frameProblem checks a header at `at` without the CRC; it returns why it is bad, if so. */
function frameProblem(bytes: Uint8Array, view: DataView, at: number, recordBytesMax: number) {
  const length = view.getUint32(at, true);
  if (length === 0) return 'zero length';
  if (length > recordBytesMax) return `length ${length} above the maximum ${recordBytesMax}`;
  if (at + alignUp(WAL_LIMITS.recordHeaderBytes + length) > bytes.length) {
    return `length ${length} runs past the end of the segment`;
  }
  if (!isRecordType(bytes[at + 8])) return `unknown record type ${bytes[at + 8]}`;
  if (bytes[at + 9] !== RECORD_FORMAT_VERSION) return `unknown version ${bytes[at + 9]}`;
  if (view.getUint16(at + 10, true) !== 0) return 'reserved bits set';
  if (view.getUint32(at + 12, true) !== 0) return 'reserved bits set';
  return undefined;
}

/**
 * decodeRecord reads the record at `position.offset` of `bytes` (a whole segment file).
 * Contract: never throws on bad input; see {@link RecordRead}. Payload data is copied, so
 * decoded entries do not pin the segment buffer. `recordBytesMax` bounds a payload.
 */
export function decodeRecord(
  bytes: Uint8Array,
  position: RecordPosition,
  recordBytesMax: number,
): RecordRead {
  const at = position.offset;
  const header = WAL_LIMITS.recordHeaderBytes;
  assert(at % WAL_LIMITS.alignmentBytes === 0, 'records are read at aligned offsets');
  if (at + header > bytes.length) return { kind: 'invalid', reason: 'header past end' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isZero(bytes, at, at + header)) return { kind: 'zero' };
  const problem = frameProblem(bytes, view, at, recordBytesMax);
  if (problem !== undefined) return { kind: 'invalid', reason: problem };
  const length = view.getUint32(at, true);
  const stored = view.getUint32(at + 4, true);
  if (recordCrc(bytes, at, length, position) !== stored) {
    return { kind: 'invalid', reason: 'checksum mismatch' };
  }
  const type = bytes[at + 8] as RecordType;
  const record = decodePayload(bytes, view, at + header, length, type);
  if (typeof record === 'string') return { kind: 'malformed', reason: record };
  return { kind: 'valid', record, bytes: alignUp(header + length) };
}

function decodePayload(
  bytes: Uint8Array,
  view: DataView,
  at: number,
  length: number,
  type: RecordType,
): WalRecord | string {
  const u64s = (count: number): number[] | string => {
    const values: number[] = [];
    for (let i = 0; i < count; i++) values.push(readU64(view, at + i * U64_BYTES));
    return values.some((v) => v < 0) ? 'integer field at or above 2^53' : values;
  };
  switch (type) {
    case RecordType.Segment: {
      if (length !== SEGMENT_PAYLOAD_BYTES) return `segment header of ${length} bytes`;
      const v = u64s(9);
      if (typeof v === 'string') return v;
      const [seq, firstIndex, nodeId, clusterId, term, vote, commit, index, markerTerm] = v;
      const header: SegmentHeader = {
        seq,
        firstIndex,
        metadata: { nodeId, clusterId },
        hardState: { term, vote, commit },
        snapshotMarker: { index, term: markerTerm },
      };
      return { type, header };
    }
    case RecordType.Entry:
      return decodeEntry(bytes, view, at, length);
    case RecordType.HardState: {
      if (length !== HARD_STATE_PAYLOAD_BYTES) return `hard state of ${length} bytes`;
      const v = u64s(3);
      if (typeof v === 'string') return v;
      return { type, hardState: { term: v[0], vote: v[1], commit: v[2] } };
    }
    case RecordType.SnapshotMarker: {
      if (length !== MARKER_PAYLOAD_BYTES) return `snapshot marker of ${length} bytes`;
      const v = u64s(2);
      if (typeof v === 'string') return v;
      return { type, snapshotMarker: { index: v[0], term: v[1] } };
    }
    default:
      return assertNever(type, 'wal record type');
  }
}

function decodeEntry(bytes: Uint8Array, view: DataView, at: number, length: number) {
  if (length < ENTRY_FIXED_BYTES) return `entry of ${length} bytes`;
  const term = readU64(view, at);
  const index = readU64(view, at + U64_BYTES);
  const entryType = view.getUint32(at + 2 * U64_BYTES, true);
  if (term < 0 || index < 0) return 'entry term or index at or above 2^53';
  if (entryType > 2) return `unknown entry type ${entryType}`;
  const start = at + ENTRY_FIXED_BYTES;
  const data = new Uint8Array(bytes.subarray(start, at + length));
  const entry: Entry = { term, index, type: entryType as EntryType, data };
  return { type: RecordType.Entry as const, entry };
}

/** isZero reports whether bytes [from, to) of `bytes` are all zero. */
export function isZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** SEGMENT_SUFFIX is the file name suffix of a WAL segment. */
export const SEGMENT_SUFFIX = '.wal';

/** SegmentName is a parsed segment file name. */
export interface SegmentName {
  seq: number;
  firstIndex: number;
}

/** formatSegmentName returns `%016x-%016x.wal` for (seq, firstIndex). */
export function formatSegmentName(name: SegmentName): string {
  return `${hex16(name.seq)}-${hex16(name.firstIndex)}${SEGMENT_SUFFIX}`;
}

/** parseSegmentName inverts {@link formatSegmentName}; other names give `undefined`. */
export function parseSegmentName(fileName: string): SegmentName | undefined {
  const match = /^([0-9a-f]{16})-([0-9a-f]{16})\.wal$/.exec(fileName);
  if (match === null) return undefined;
  const seq = parseInt(match[1], 16);
  const firstIndex = parseInt(match[2], 16);
  if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(firstIndex)) return undefined;
  return { seq, firstIndex };
}

/** hex16 formats a safe non-negative integer as 16 lower-case hex digits. */
export function hex16(value: number): string {
  assert(Number.isSafeInteger(value), 'file name number is a safe integer');
  assert(value >= 0, 'file name number is not negative');
  return value.toString(16).padStart(16, '0');
}
