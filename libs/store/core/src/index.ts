// Public surface of @shoal/store: the pure in-memory store model (tables, transactions with
// field ownership, watch hub, snapshots), its raft entry codec and its Proposer port.
export { changeBytes, DEFAULT_BATCH_LIMITS, splitChanges, type BatchLimits } from './batch';
export { cloneObject, deepFreeze, isDefaultValue, messageEqual } from './clone';
export {
  decodeStoreEntry,
  encodeStoreEntry,
  fromProtoChange,
  ownerOf,
  toProtoChange,
  type StoreEntry,
} from './entry-codec';
export {
  changeActionOf,
  kindOfObjectKind,
  labelsOf,
  nameOf,
  objectKindOf,
  storeActionOf,
  taskName,
  UNIQUE_NAME_KINDS,
} from './kinds';
export { STORE_CORE_LIMITS, type StoreCoreLimits } from '@shoal/limits';
export {
  MemoryStore,
  type ApplyOptions,
  type ListResult,
  type MemoryStoreOptions,
} from './memory-store';
export { checkOwnership, type OwnershipResult } from './ownership-check';
export {
  LocalProposer,
  StoreWriter,
  type BatchResult,
  type ProposalRequest,
  type Proposer,
} from './proposer';
export {
  compileFilter,
  labelsMatch,
  matchesSelector,
  normalizeSelector,
  type CompiledFilter,
  type SelectorInput,
  type StoreSelector,
  type WatchFilterInput,
} from './selector';
export {
  decodeSnapshot,
  encodeSnapshot,
  SNAPSHOT_FORMAT_VERSION,
  SNAPSHOT_MAGIC,
  type StoreSnapshotData,
} from './snapshot-codec';
export {
  STORE_ACTIONS,
  type ApplyContext,
  type Caller,
  type Change,
  type CommittedTransaction,
  type StoreAction,
  type StoreEvent,
  type StoredRef,
  type Transaction,
  type TransactionFailure,
  type TransactionResult,
} from './types';
export {
  WatchHub,
  type HistoryLimits,
  type WatchMessage,
  type WatchOptions,
  type Watcher,
} from './watch-hub';
