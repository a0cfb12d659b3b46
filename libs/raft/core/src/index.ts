// Public surface of @shoal/raft: the pure raft core (RawNode), its storage port and
// MemoryStorage, membership changes and their codec, and the shared data-model types.
export * from './types';
export { type Config, type ElectionRandom, resolveConfig } from './config';
export { RaftError, ErrProposalDropped, type StepResult } from './errors';
export { type RaftLogger, NOOP_LOGGER } from './logger';
export { RawNode, type Ready, SnapshotStatus, mustSync } from './raw-node';
export { type Status, type ProgressStatus } from './status';
export { StateType, type SoftState } from './raft';
export { ReadOnlyOption, type ReadState } from './read-only';
export { ProgressState } from './progress';
export { type TrackerConfig, describeTrackerConfig } from './tracker';
export {
  type Storage,
  type InitialState,
  type MemoryStorageOptions,
  MemoryStorage,
  StorageError,
  CompactedError,
  UnavailableError,
  SnapOutOfDateError,
  SnapshotTemporarilyUnavailableError,
} from './storage';
export {
  ConfChangeType,
  ConfChangeTransition,
  type ConfChange,
  type ConfChangeV2,
  type ConfChangeSingle,
  type AnyConfChange,
  confChangeV1,
  confChangeV2,
  asV2,
  encodeConfChange,
  decodeConfChange,
  describeConfChange,
} from './conf-change';
export {
  VoteResult,
  majorityCommittedIndex,
  majorityVoteResult,
  jointCommittedIndex,
  jointVoteResult,
} from './quorum';
export {
  describeEntry,
  describeEntries,
  describeMessage,
  describeReady,
  describeHardState,
  describeSnapshot,
} from './describe';
export { isEmptyHardState, isEmptySnapshot, emptySnapshot, NONE } from './util';
