import { DAY_MS, SECOND_MS } from './units';

/**
 * DISPATCHER_LIMITS are the worker-facing heartbeat, session and batching settings. Source:
 * SwarmKit `manager/dispatcher` (`../shared/reference/swarmkit.md` §6).
 */
export const DISPATCHER_LIMITS = Object.freeze({
  /** Ms between agent heartbeats (SwarmKit `DefaultHeartBeatPeriod` 5 s). */
  heartbeatPeriodMs: 5 * SECOND_MS,
  /** Jitter fraction ε: each period is drawn from period × [1 − ε, 1 + ε) (SwarmKit). */
  heartbeatEpsilon: 0.1,
  /** Periods without a heartbeat before a node is DOWN (SwarmKit `GracePeriodMultiplier`). */
  gracePeriodMultiplier: 3,
  /** Periods a node marked UNKNOWN after a leader change has to re-register (SwarmKit 6). */
  unknownGracePeriodMultiplier: 6,
  /** Ms timeout of each agent → dispatcher RPC (SwarmKit `dispatcherRPCTimeout` 5 s). */
  rpcTimeoutMs: 5 * SECOND_MS,
  /** Session registrations per node allowed per period (SwarmKit `rateLimitCount` 3). */
  registrationRateLimitCount: 3,
  /** Ms window of the registration rate limit (SwarmKit `defaultRateLimitPeriod` 8 s). */
  registrationRateLimitPeriodMs: 8 * SECOND_MS,
  /** Ms a DOWN node waits before its tasks become ORPHANED (SwarmKit 24 h). */
  nodeDownPeriodMs: 1 * DAY_MS,
  /**
   * Ms a queued task status waits before it is written (SwarmKit `maxBatchInterval` 100 ms;
   * Shoal 10 ms: one write is in flight at a time, so under load batches grow on their own
   * while a quiet cluster does not pay 100 ms per task state change).
   */
  statusBatchIntervalMs: 10,
  /**
   * Ms between the starts of two task-status writes at least (Shoal; SwarmKit's batch interval
   * 100 ms): a lone status goes out after `statusBatchIntervalMs`, a stream of them as one
   * transaction per this gap, so a burst of task starts costs the store, and every loop
   * watching tasks, 10 transactions a second (bench:e2e: 50 ms gave 240 transactions for a
   * 100-replica start, each about 8 ms of the leader's CPU and 4 of each follower's).
   */
  statusWriteMinGapMs: 100,
  /** Queued status updates that force an immediate flush (SwarmKit `maxBatchItems`). */
  statusBatchMaxItems: 10_000,
  /**
   * Ms of quiet before an assignments message is sent (SwarmKit `batchingWaitTime` 100 ms;
   * Shoal 10 ms: a store transaction's changes arrive together, so a short quiet still sends
   * a scheduler commit as one message).
   */
  assignmentBatchWaitMs: 10,
  /** Changes that force an assignments message out (SwarmKit `modificationBatchLimit`). */
  assignmentBatchMaxChanges: 100,
  /** Ms between sweeps of the heartbeat tracker and the batchers' due checks (Shoal). */
  tickIntervalMs: 50,
  /** Changes per status-write transaction (≤ STORE_LIMITS.maxChangesPerTransaction). */
  statusWriteChunk: 200,
  /** Sessions one dispatcher replica serves at most; further registrations are UNAVAILABLE. */
  sessionsMax: 20_000,
  /** Task status updates accepted in one UpdateTaskStatus request. */
  updatesPerRequestMax: 10_000,
  /** Ms TTL of the sweeper lease (one replica sweeps nodes whose session holder is gone). */
  sweeperLeaseTtlMs: 15 * SECOND_MS,
  /** Ms TTL of each replica's liveness lease `dispatcher-replica/<id>` (Shoal). */
  replicaLeaseTtlMs: 15 * SECOND_MS,
  /**
   * Ms a tick may come late before the dispatcher counts itself stalled and postpones every
   * heartbeat deadline by the stall (Shoal: beats waiting unread are not the agents' fault).
   */
  stallToleranceMs: 1 * SECOND_MS,
  /** Ms between sweeps for nodes whose dispatcher is gone, and recounts of nodes by state (Shoal). */
  sweepIntervalMs: 1 * SECOND_MS,
});

/** DispatcherLimits is the type of {@link DISPATCHER_LIMITS}. */
export type DispatcherLimits = typeof DISPATCHER_LIMITS;
