/**
 * WAL_LIMITS are the write-ahead log's and snapshot files' named maxima and defaults. The
 * relationships between them are asserted when this module loads, so a bad edit fails fast.
 * Sources: etcd `wal` (64 MB segments, 8-byte frames, 1 s slow-fsync warning) and etcd `snap`
 * (5 files kept), see `shared/reference/raft.md` §3.1, §3.2 and requirements 11-12.
 */
import { assert } from '@shoal/assert';
import { MIB } from './units';


/**
 * WAL_LIMITS holds every size, count and time limit of `@shoal/raft-wal`. Options that
 * override a default (segment size, record size) are checked against these at use.
 */
export const WAL_LIMITS = Object.freeze({
  /** Size a segment file is preallocated to; a batch that would pass it cuts a new segment. */
  segmentBytesDefault: 64 * MIB,
  /** Smallest segment size accepted (tests use small segments to exercise rollover). */
  segmentBytesMin: 4096,
  /** Largest single record payload by default (one entry's data plus its 20-byte header). */
  recordBytesMaxDefault: 16 * MIB,
  /** Smallest record payload limit a WAL may be configured with. */
  recordBytesMaxFloor: 64,
  /** Bytes of the record that opens every segment (16-byte header, 72-byte payload). */
  segmentHeaderRecordBytes: 88,
  /** Every record starts on a multiple of this, so a record's length word is never torn. */
  alignmentBytes: 8,
  /** Bytes of the fixed record header: length, crc, type, version, reserved. */
  recordHeaderBytes: 16,
  /** Zeros written per call when preallocating or zeroing a torn tail. */
  zeroChunkBytes: 1 * MIB,
  /** An fsync slower than this is reported through `onSlowSync` (etcd warns at 1 s). */
  syncWarnMs: 1000,
  /** Snapshot files `purge` keeps by default (etcd `--max-snapshots`). */
  snapshotFilesKeepDefault: 5,
  /** Largest snapshot file accepted, header included; a bigger one is refused on save. */
  snapshotBytesMax: 1024 * MIB,
  /** Voters, learners, outgoing voters or next learners in one snapshot's ConfState. */
  confStateMembersMax: 4096,
});

/** WalLimits is the type of {@link WAL_LIMITS}. */
export type WalLimits = typeof WAL_LIMITS;

assert(WAL_LIMITS.recordHeaderBytes % WAL_LIMITS.alignmentBytes === 0, 'header is aligned');
assert(WAL_LIMITS.segmentBytesMin % WAL_LIMITS.alignmentBytes === 0, 'min segment aligned');
assert(WAL_LIMITS.segmentBytesDefault % WAL_LIMITS.alignmentBytes === 0, 'segment aligned');
assert(WAL_LIMITS.segmentBytesMin <= WAL_LIMITS.segmentBytesDefault, 'min segment <= default');
assert(
  WAL_LIMITS.segmentHeaderRecordBytes +
    WAL_LIMITS.recordHeaderBytes +
    WAL_LIMITS.recordBytesMaxDefault +
    WAL_LIMITS.alignmentBytes <=
    WAL_LIMITS.segmentBytesDefault,
  'the largest record fits in a default segment after its header record',
);
assert(WAL_LIMITS.recordBytesMaxFloor <= WAL_LIMITS.recordBytesMaxDefault, 'record floor');
assert(WAL_LIMITS.recordBytesMaxDefault < 2 ** 32, 'record length fits its u32 field');
assert(WAL_LIMITS.zeroChunkBytes % WAL_LIMITS.alignmentBytes === 0, 'zero chunk aligned');
assert(WAL_LIMITS.snapshotFilesKeepDefault >= 1, 'keep at least one snapshot');
