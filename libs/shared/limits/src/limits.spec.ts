// Goal: every limit object is frozen, its values are the SwarmKit / client-go numbers the
// design relies on, and the module-load relationship asserts pass. Method: import the
// public surface (which runs the asserts) and check a table of pinned values.
import * as limits from './index';

const {
  CA_LIMITS,
  DISPATCHER_LIMITS,
  GRPC_LIMITS,
  NETWORK_LIMITS,
  OBJECT_LIMITS,
  ORCHESTRATOR_LIMITS,
  RAFT_LIMITS,
  SCHEDULER_LIMITS,
  STORE_LIMITS,
  WATCH_LIMITS,
  WORKQUEUE_LIMITS,
} = limits;

const ALL = {
  CA_LIMITS,
  DISPATCHER_LIMITS,
  GRPC_LIMITS,
  NETWORK_LIMITS,
  OBJECT_LIMITS,
  ORCHESTRATOR_LIMITS,
  RAFT_LIMITS,
  SCHEDULER_LIMITS,
  STORE_LIMITS,
  WATCH_LIMITS,
  WORKQUEUE_LIMITS,
};

describe('limits', () => {
  it.each(Object.entries(ALL))('%s is frozen and holds only finite numbers or strings', (_n, o) => {
    expect(Object.isFrozen(o)).toBe(true);
    for (const value of Object.values(o)) {
      if (typeof value === 'number') expect(Number.isFinite(value)).toBe(true);
      else expect(typeof value).toBe('string');
    }
  });

  it.each([
    ['store tx changes', STORE_LIMITS.maxChangesPerTransaction, 200],
    ['store tx bytes', STORE_LIMITS.maxTransactionBytes, 1.5 * 1024 * 1024],
    ['secret data bytes', OBJECT_LIMITS.secretDataBytes, 500 * 1024],
    ['config data bytes', OBJECT_LIMITS.configDataBytes, 500 * 1024],
    ['ID length', OBJECT_LIMITS.idLength, 25],
    ['task history', ORCHESTRATOR_LIMITS.taskHistoryRetentionLimit, 5],
    ['restart delay', ORCHESTRATOR_LIMITS.restartDelayMs, 5_000],
    ['stop grace', ORCHESTRATOR_LIMITS.stopGracePeriodMs, 10_000],
    ['update monitor', ORCHESTRATOR_LIMITS.updateMonitorMs, 5_000],
    ['heartbeat period', DISPATCHER_LIMITS.heartbeatPeriodMs, 5_000],
    ['heartbeat epsilon', DISPATCHER_LIMITS.heartbeatEpsilon, 0.1],
    ['heartbeat grace', DISPATCHER_LIMITS.gracePeriodMultiplier, 3],
    ['assignment batch size', DISPATCHER_LIMITS.assignmentBatchMaxChanges, 100],
    ['status batch items', DISPATCHER_LIMITS.statusBatchMaxItems, 10_000],
    ['scheduler max latency', SCHEDULER_LIMITS.maxLatencyMs, 1_000],
    ['workqueue base delay', WORKQUEUE_LIMITS.perKeyBaseDelayMs, 5],
    ['workqueue max delay', WORKQUEUE_LIMITS.perKeyMaxDelayMs, 1_000_000],
    ['workqueue qps', WORKQUEUE_LIMITS.globalQps, 10],
    ['workqueue burst', WORKQUEUE_LIMITS.globalBurst, 100],
    ['gRPC max message', GRPC_LIMITS.maxReceiveMessageBytes, 4 * 1024 * 1024],
    ['gRPC keepalive time', GRPC_LIMITS.keepaliveTimeMs, 10_000],
    ['gRPC keepalive timeout', GRPC_LIMITS.keepaliveTimeoutMs, 5_000],
    ['gRPC unary deadline', GRPC_LIMITS.unaryDeadlineMs, 5_000],
    ['dynamic port start', NETWORK_LIMITS.dynamicPortStart, 30_000],
    ['dynamic port end', NETWORK_LIMITS.dynamicPortEnd, 32_767],
  ])('%s is %d', (_name, actual, expected) => {
    expect(actual).toBe(expected);
  });

  it('batches dispatcher writes and assignment messages for no longer than SwarmKit (100 ms)', () => {
    expect(DISPATCHER_LIMITS.statusBatchIntervalMs).toBeLessThanOrEqual(100);
    expect(DISPATCHER_LIMITS.assignmentBatchWaitMs).toBeLessThanOrEqual(100);
  });

  it('keeps a per-watcher buffer that holds at least one whole transaction', () => {
    expect(WATCH_LIMITS.watcherBufferEvents).toBeGreaterThanOrEqual(
      STORE_LIMITS.maxChangesPerTransaction,
    );
  });

  it('fits every wire payload limit under the gRPC message cap', () => {
    for (const bytes of [
      STORE_LIMITS.maxTransactionBytes,
      STORE_LIMITS.snapshotChunkBytes,
      RAFT_LIMITS.maxSizePerMsgBytes,
    ]) {
      expect(bytes).toBeLessThan(GRPC_LIMITS.maxReceiveMessageBytes);
    }
  });

  it('gives a node at least two jittered heartbeats before it goes DOWN', () => {
    const { heartbeatPeriodMs: p, heartbeatEpsilon: e, gracePeriodMultiplier: g } =
      DISPATCHER_LIMITS;
    expect(p * (1 - e) * g).toBeGreaterThan(2 * p * (1 + e));
  });

  it('derives the proposal timeout from the raft election timeout', () => {
    expect(STORE_LIMITS.proposalTimeoutMs).toBe(
      5_000 + 2 * RAFT_LIMITS.electionTicks * RAFT_LIMITS.tickMs,
    );
  });
});
