// Public surface of @shoal/raft-wal: raft's durable storage (write-ahead log and snapshot
// files) behind an injectable file system, plus the fault-injecting double for tests.
export { crc32c } from './crc32c';
export {
  WalCorruptError,
  WalError,
  WalExistsError,
  WalFailedError,
  WalNotFoundError,
  WalSnapshotNotFoundError,
} from './errors';
export { WAL_LIMITS, type WalLimits } from '@shoal/limits';
export { MemoryWalFs, type CrashPolicy, type FsOperation } from './memory-wal-fs';
export { NODE_WAL_FS } from './node-wal-fs';
export {
  Snapshotter,
  type SnapshotFileInfo,
  type SnapshotterOptions,
} from './snapshotter';
export type { SnapshotMarker, WalMetadata } from './record-format';
export {
  Wal,
  type SlowSyncEvent,
  type WalCreateOptions,
  type WalOpenOptions,
  type WalOpenResult,
  type WalOptions,
  type WalSaveBatch,
} from './wal';
export type { WalFile, WalFs } from './wal-fs';
