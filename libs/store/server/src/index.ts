// Public surface of @shoal/store-server: the raft-store's gRPC services (Store, Leases,
// Members) over transport-independent ports, the replicated lease table, the state machine
// that applies raft entries, and the follower-to-leader write forwarder.
export { forwardDeadlineMs, forwardTarget, proposerError, writerOf } from './store-service';
export { createLeaderForwarder, type GrpcForwarderOptions } from './forwarder';
export {
  callerIdentity,
  LEASE_ROLES,
  MEMBER_ADMIN_ROLES,
  OWNER_OF_ROLE,
  READ_ROLES,
  requireRole,
  testIdentityPermitted,
  TEST_IDENTITY_ENV,
  type CallerIdentity,
  type IdentityOptions,
} from './identity';
export {
  leaseFromProto,
  LeaseTable,
  leaseToProto,
  leaseTtlMs,
  validateLeaseOperation,
  type LeaseListener,
  type LeaseRecord,
  type LeaseResult,
} from './lease-table';
export { STORE_SERVER_LIMITS, type StoreServerLimits } from '@shoal/limits';
export type {
  ForwardContext,
  LeaderForwarder,
  LeaderInfo,
  MembersPort,
  StoreServerPorts,
} from './ports';
export {
  encodeLeaseEntry,
  LocalReplica,
  StoreStateMachine,
  type EntryResult,
  type LeaseEntry,
  type LeaseProposer,
} from './state-machine';
export {
  addStoreServices,
  type StoreServerOptions,
  type StoreServices,
} from './store-server';
export { WatchStream, progressIntervalMs, type WatchStreamOptions } from './watch-stream';
