/**
 * The snapshot file format. A snapshot file is named `%016x-%016x.snap` (term, index, lower-
 * case hex, as etcd names them) and holds one raft snapshot, checked by one CRC-32C:
 *
 * ```
 *  offset  size  field
 *   0      u32   magic     0x50414e53 (the bytes "SNAP"), little-endian like every field
 *   4      u32   crc       CRC-32C of bytes [8, end of file)
 *   8      u32   version   1
 *  12      u32   M         bytes of the metadata that follows
 *  16      M     metadata  index u64, term u64, autoLeave u32 (0 or 1), then voters, learners,
 *                          votersOutgoing, learnersNext: each a u32 count and count u64 ids
 *  16+M    u64   D         bytes of data
 *  24+M    D     data      the state machine's image, opaque here
 * ```
 * The file must end exactly after the data. Integers are below 2^53.
 */
import { assert } from '@shoal/assert';
import { crc32c } from './crc32c';
import { WAL_LIMITS } from '@shoal/limits';
import { hex16 } from './record-format';
import type { ConfState, Snapshot } from '@shoal/raft';

/** SNAPSHOT_MAGIC is the first word of every snapshot file. */
export const SNAPSHOT_MAGIC = 0x50414e53;
/** SNAPSHOT_FORMAT_VERSION is the only version this code writes and reads. */
export const SNAPSHOT_FORMAT_VERSION = 1;
/** SNAPSHOT_SUFFIX is the file name suffix of a snapshot file. */
export const SNAPSHOT_SUFFIX = '.snap';

const TWO_POW_32 = 2 ** 32;
const MEMBER_LISTS = ['voters', 'learners', 'votersOutgoing', 'learnersNext'] as const;

/** SnapshotName is a parsed snapshot file name. */
export interface SnapshotName {
  term: number;
  index: number;
}

/** formatSnapshotName returns `%016x-%016x.snap` for (term, index). */
export function formatSnapshotName(name: SnapshotName): string {
  return `${hex16(name.term)}-${hex16(name.index)}${SNAPSHOT_SUFFIX}`;
}

/** parseSnapshotName inverts {@link formatSnapshotName}; other names give `undefined`. */
export function parseSnapshotName(fileName: string): SnapshotName | undefined {
  const match = /^([0-9a-f]{16})-([0-9a-f]{16})\.snap$/.exec(fileName);
  if (match === null) return undefined;
  const term = parseInt(match[1], 16);
  const index = parseInt(match[2], 16);
  if (!Number.isSafeInteger(term) || !Number.isSafeInteger(index)) return undefined;
  return { term, index };
}

class Writer {
  private readonly view: DataView;
  at = 0;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u32(value: number): void {
    this.view.setUint32(this.at, value, true);
    this.at += 4;
  }

  u64(value: number): void {
    assert(Number.isSafeInteger(value) && value >= 0, 'u64 field is a safe natural number');
    this.u32(value % TWO_POW_32);
    this.u32(Math.floor(value / TWO_POW_32));
  }
}

/** metadataBytes returns M, the size of the metadata section for `conf`. */
function metadataBytes(conf: ConfState): number {
  const ids = MEMBER_LISTS.reduce((sum, list) => sum + conf[list].length, 0);
  return 8 + 8 + 4 + MEMBER_LISTS.length * 4 + ids * 8;
}

/**
 * encodeSnapshotFile returns the file content for `snapshot`. Contract: index >= 1, each
 * member list has at most WAL_LIMITS.confStateMembersMax ids, and the file stays within
 * WAL_LIMITS.snapshotBytesMax.
 */
export function encodeSnapshotFile(snapshot: Snapshot): Uint8Array {
  const { metadata, data } = snapshot;
  assert(metadata.index >= 1, 'a snapshot covers at least one entry');
  for (const list of MEMBER_LISTS) {
    assert(metadata.confState[list].length <= WAL_LIMITS.confStateMembersMax, 'members max');
  }
  const m = metadataBytes(metadata.confState);
  const total = 16 + m + 8 + data.length;
  assert(total <= WAL_LIMITS.snapshotBytesMax, 'snapshot within the size limit');
  const writer = new Writer(new Uint8Array(total));
  writer.u32(SNAPSHOT_MAGIC);
  writer.u32(0);
  writer.u32(SNAPSHOT_FORMAT_VERSION);
  writer.u32(m);
  writer.u64(metadata.index);
  writer.u64(metadata.term);
  writer.u32(metadata.confState.autoLeave ? 1 : 0);
  for (const list of MEMBER_LISTS) {
    writer.u32(metadata.confState[list].length);
    for (const id of metadata.confState[list]) writer.u64(id);
  }
  writer.u64(data.length);
  writer.bytes.set(data, writer.at);
  const crc = crc32c(writer.bytes.subarray(8));
  new DataView(writer.bytes.buffer).setUint32(4, crc, true);
  return writer.bytes;
}

/** SnapshotFileProblem says why a snapshot file does not decode. */
export class SnapshotFileProblem {
  constructor(readonly reason: string) {}
}

class Reader {
  private readonly view: DataView;
  at = 0;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u32(): number {
    if (this.at + 4 > this.bytes.length) throw new SnapshotFileProblem('truncated');
    const value = this.view.getUint32(this.at, true);
    this.at += 4;
    return value;
  }

  u64(): number {
    const low = this.u32();
    const high = this.u32();
    if (high >= 2 ** 21) throw new SnapshotFileProblem('integer at or above 2^53');
    return high * TWO_POW_32 + low;
  }
}

/**
 * decodeSnapshotFile parses a snapshot file's content, or returns a SnapshotFileProblem if it
 * is damaged or not a snapshot file. It never throws on bad input. Data is copied.
 */
export function decodeSnapshotFile(bytes: Uint8Array): Snapshot | SnapshotFileProblem {
  try {
    const reader = new Reader(bytes);
    if (reader.u32() !== SNAPSHOT_MAGIC) return new SnapshotFileProblem('bad magic');
    const crc = reader.u32();
    if (crc32c(bytes.subarray(8)) !== crc) return new SnapshotFileProblem('checksum mismatch');
    if (reader.u32() !== SNAPSHOT_FORMAT_VERSION) return new SnapshotFileProblem('bad version');
    const m = reader.u32();
    const index = reader.u64();
    const term = reader.u64();
    const autoLeave = reader.u32();
    if (autoLeave > 1) return new SnapshotFileProblem('bad autoLeave');
    const lists: number[][] = [];
    for (let l = 0; l < MEMBER_LISTS.length; l++) {
      const count = reader.u32();
      if (count > WAL_LIMITS.confStateMembersMax) return new SnapshotFileProblem('too many ids');
      lists.push(Array.from({ length: count }, () => reader.u64()));
    }
    if (reader.at !== 16 + m) return new SnapshotFileProblem('metadata length mismatch');
    const dataBytes = reader.u64();
    if (reader.at + dataBytes !== bytes.length) return new SnapshotFileProblem('bad data length');
    const [voters, learners, votersOutgoing, learnersNext] = lists;
    const confState = {
      voters,
      learners,
      votersOutgoing,
      learnersNext,
      autoLeave: autoLeave === 1,
    };
    const data = new Uint8Array(bytes.subarray(reader.at));
    return { metadata: { index, term, confState }, data };
  } catch (error) {
    if (error instanceof SnapshotFileProblem) return error;
    throw error;
  }
}
