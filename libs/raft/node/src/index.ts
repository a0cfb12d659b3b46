// Public surface of @shoal/raft-node: the I/O shell that runs a raft member (RaftNode), its
// ports (Applier, Transport, RaftPersistence) and their implementations (WalPersistence,
// MemoryPersistence, LocalTransportHub, GrpcTransport), errors, limits and metrics.
export type { Applier, AppliedConfChange, AppliedEntry } from './applier';
export { bootstrapState } from './bootstrap';
export { ENVELOPE_HEADER_BYTES } from './envelope';
export {
  RAFT_REASON_KEY,
  RaftNodeFatalError,
  raftReason,
  type RaftReason,
} from './errors';
export {
  GrpcTransport,
  SnapshotAssembly,
  type GrpcTransportOptions,
} from './grpc-transport';
export { RAFT_NODE_LIMITS, type RaftNodeLimits } from '@shoal/limits';
export {
  LocalTransport,
  LocalTransportHub,
  type LocalTransportOptions,
  type LocalTransportStats,
} from './local-transport';
export { fromWire, toWire } from './message-codec';
export type { RaftNodeOptions, RaftTuning } from './options';
export {
  MemoryPersistence,
  type PersistedState,
  type RaftPersistence,
  type SaveBatch,
} from './persistence';
export { RaftNode } from './raft-node';
export type {
  LeaderChange,
  MembershipResult,
  Phase,
  ProposeResult,
  RaftNodeStats,
  RaftNodeStatus,
  StopOptions,
} from './raft-node-types';
export type { Transport, TransportHandler } from './transport';
export { WalPersistence, type WalPersistenceOptions } from './wal-persistence';
