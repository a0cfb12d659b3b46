// Public surface of @shoal/limits: every named limit in Shoal, one file per area, with the
// relationships between them asserted when this module loads.
import { assert } from '@shoal/assert';
import { DISPATCHER_LIMITS } from './dispatcher';
import { GRPC_LIMITS } from './grpc';
import { NETWORK_LIMITS } from './network';
import { OBJECT_LIMITS } from './objects';
import { RAFT_LIMITS } from './raft';
import { SCHEDULER_LIMITS } from './scheduler';
import { SCHEDULER_LOOP_LIMITS } from './scheduler-loop';
import { STORE_LIMITS } from './store';
import { WATCH_LIMITS } from './watch';
import { WORKQUEUE_LIMITS } from './workqueue';

export { CA_LIMITS, type CaLimits } from './ca';
export { DISPATCHER_LIMITS, type DispatcherLimits } from './dispatcher';
export { GATEWAY_LIMITS, type GatewayLimits } from './gateway';
export { GRPC_LIMITS, type GrpcLimits } from './grpc';
export { NETWORK_LIMITS, type NetworkLimits } from './network';
export { OBJECT_LIMITS, type ObjectLimits } from './objects';
export { ORCHESTRATOR_LIMITS, type OrchestratorLimits } from './orchestrator';
export { RAFT_LIMITS, type RaftLimits } from './raft';
export { SCHEDULER_LIMITS, type SchedulerLimits } from './scheduler';
export { STORE_LIMITS, type StoreLimits } from './store';
export { DOCKER_API_LIMITS, type DockerApiLimits } from './docker-api';
export { DAY_MS, HOUR_MS, KIB, MIB, MINUTE_MS, SECOND_MS } from './units';
export { WATCH_LIMITS, type WatchLimits } from './watch';
export { WORKQUEUE_LIMITS, type WorkqueueLimits } from './workqueue';
export * from './pki';
export * from './ca-service';
export * from './raft-sim';
export * from './agent-core';
export * from './agent-runtime';
export * from './scheduler-loop';
export * from './allocator-loop';
export * from './orchestrator-loop';
export * from './loop-sim';
export { LINEARIZABILITY_LIMITS, type LinearizabilityLimits } from './linearizability';
export { WAL_LIMITS, type WalLimits } from './wal';
export { ORCHESTRATOR_CORE_LIMITS, type OrchestratorCoreLimits } from './orchestrator-core';
export { SCHEDULER_CORE_LIMITS, type SchedulerCoreLimits } from './scheduler-core';
export { STORE_CORE_LIMITS, type StoreCoreLimits } from './store-core';

/** Bytes reserved in a gRPC message for framing and fields around a payload. */
const ENVELOPE_BYTES = 64 * 1024;
const grpcMax = Math.min(GRPC_LIMITS.maxReceiveMessageBytes, GRPC_LIMITS.maxSendMessageBytes);

// Raft.
assert(RAFT_LIMITS.heartbeatTicks < RAFT_LIMITS.electionTicks, 'raft heartbeat < election timeout');
assert(RAFT_LIMITS.maxInflightMsgs > 0, 'raft inflight window is positive');
assert(RAFT_LIMITS.maxSizePerMsgBytes + ENVELOPE_BYTES <= grpcMax, 'raft MsgApp fits gRPC');

// Store ↔ gRPC: one transaction is one raft entry, which must fit one message on its own.
assert(STORE_LIMITS.maxTransactionBytes + ENVELOPE_BYTES <= grpcMax, 'store tx fits gRPC');
assert(STORE_LIMITS.snapshotChunkBytes + ENVELOPE_BYTES <= grpcMax, 'snapshot chunk fits gRPC');
assert(STORE_LIMITS.batchSplitBytes < STORE_LIMITS.maxTransactionBytes, 'batch cuts before max');
assert(STORE_LIMITS.maxChangesPerTransaction > 0, 'transactions hold changes');
const electionTimeoutMs = RAFT_LIMITS.electionTicks * RAFT_LIMITS.tickMs;
assert(STORE_LIMITS.proposalTimeoutMs > 2 * electionTimeoutMs, 'proposals outlive an election');
assert(STORE_LIMITS.logEntriesForSlowFollowers < STORE_LIMITS.snapshotIntervalEntries, 'log tail');

// Objects must fit a transaction, so a single secret or config create can be proposed.
assert(OBJECT_LIMITS.secretDataBytes < STORE_LIMITS.maxTransactionBytes, 'secret fits a tx');
assert(OBJECT_LIMITS.configDataBytes < STORE_LIMITS.maxTransactionBytes, 'config fits a tx');
assert(OBJECT_LIMITS.shortIdLength < OBJECT_LIMITS.idLength, 'short ID is a prefix');

// gRPC.
assert(GRPC_LIMITS.keepaliveTimeoutMs < GRPC_LIMITS.keepaliveTimeMs, 'keepalive timeout < time');
assert(GRPC_LIMITS.unaryDeadlineMs > 0, 'unary deadline is positive');

// Dispatcher: the earliest possible expiry outlasts the latest possible next heartbeat.
const { heartbeatPeriodMs, heartbeatEpsilon } = DISPATCHER_LIMITS;
const heartbeatMaxMs = heartbeatPeriodMs * (1 + heartbeatEpsilon);
const heartbeatMinMs = heartbeatPeriodMs * (1 - heartbeatEpsilon);
assert(DISPATCHER_LIMITS.heartbeatEpsilon > 0, 'heartbeat jitter is positive');
assert(DISPATCHER_LIMITS.heartbeatEpsilon < 0.5, 'heartbeat jitter is under half a period');
assert(DISPATCHER_LIMITS.gracePeriodMultiplier >= 2, 'heartbeat grace covers a lost beat');
assert(
  heartbeatMinMs * DISPATCHER_LIMITS.gracePeriodMultiplier > heartbeatMaxMs,
  'heartbeat grace > period',
);
assert(
  DISPATCHER_LIMITS.unknownGracePeriodMultiplier > DISPATCHER_LIMITS.gracePeriodMultiplier,
  'post-election grace is longer than the normal grace',
);
assert(DISPATCHER_LIMITS.rpcTimeoutMs < heartbeatMinMs * 3, 'agent RPCs end before node DOWN');
assert(DISPATCHER_LIMITS.statusBatchIntervalMs < heartbeatMinMs, 'status flush < heartbeat');
assert(DISPATCHER_LIMITS.statusWriteMinGapMs >= DISPATCHER_LIMITS.statusBatchIntervalMs, 'status writes are spaced no closer than a batch waits');
assert(DISPATCHER_LIMITS.statusWriteMinGapMs < heartbeatMinMs, 'status writes are spaced less than a heartbeat');

// Scheduler, workqueue, watch.
assert(SCHEDULER_LOOP_LIMITS.debounceGapMs < SCHEDULER_LIMITS.maxLatencyMs, 'debounce < cap');
assert(WORKQUEUE_LIMITS.perKeyBaseDelayMs > 0, 'backoff starts positive');
assert(WORKQUEUE_LIMITS.perKeyBaseDelayMs < WORKQUEUE_LIMITS.perKeyMaxDelayMs, 'backoff grows');
assert(WORKQUEUE_LIMITS.globalQps > 0, 'token bucket refills');
assert(WORKQUEUE_LIMITS.globalBurst >= 1, 'token bucket holds a token');
assert(WATCH_LIMITS.watcherBufferEvents >= STORE_LIMITS.maxChangesPerTransaction, 'buffer ≥ tx');

// Network.
assert(NETWORK_LIMITS.portMin <= NETWORK_LIMITS.dynamicPortStart, 'dynamic range ≥ min port');
assert(NETWORK_LIMITS.dynamicPortStart <= NETWORK_LIMITS.dynamicPortEnd, 'dynamic range ordered');
assert(NETWORK_LIMITS.dynamicPortEnd <= NETWORK_LIMITS.portMax, 'dynamic range ≤ max port');
export * from './raft-node';
export * from './store-server';
export * from './store-client';
export * from './raft-store';
export * from './agent-session';
export { CA_SEED_RETRY_MS, CA_SIGNER_INTERVAL_MS } from './ca-app';
