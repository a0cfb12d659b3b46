/**
 * RAFT_LIMITS are the consensus layer's named maxima and timing defaults (ticks are counted
 * by the raft-store shell; `tickMs` turns them into time). Sources: etcd-raft's defaults and
 * SwarmKit's `--heartbeat-tick 1 --election-tick 10` (`../shared/reference/raft.md` §1.4, §4.2).
 */
export const RAFT_LIMITS = Object.freeze({
  /** How often the raft-store shell calls `tick()`. */
  tickMs: 100,
  /** Ticks between leader heartbeats. */
  heartbeatTicks: 1,
  /** Base election timeout; each node draws its own in [E, 2E-1]. */
  electionTicks: 10,
  /** Bytes of entries in one MsgApp (etcd MaxSizePerMsg). */
  maxSizePerMsgBytes: 1024 * 1024,
  /** MsgApp messages in flight to one follower in Replicate state (etcd MaxInflightMsgs). */
  maxInflightMsgs: 256,
  /** Bytes of in-flight MsgApp payload to one follower; 0 means no byte limit. */
  maxInflightBytes: 0,
  /** Bytes of proposed-but-uncommitted entries a leader accepts before it drops proposals. */
  maxUncommittedEntriesBytes: 64 * 1024 * 1024,
  /** Bytes of committed entries handed to the shell in one Ready. */
  maxCommittedSizePerReadyBytes: 4 * 1024 * 1024,
  /** Entries one Ready may carry for persisting, so one fsync batch stays bounded. */
  maxEntriesPerReady: 4096,
  /** Pending ReadIndex requests a node holds before it refuses new ones. */
  maxPendingReadIndex: 4096,
});

export type RaftLimits = typeof RAFT_LIMITS;
