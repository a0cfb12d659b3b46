/**
 * RAFT_NODE_LIMITS are the raft shell's named maxima and defaults. Timing and log sizes come
 * from `@shoal/limits` (RAFT_LIMITS, STORE_LIMITS, GRPC_LIMITS); the rest are the shell's own
 * queue bounds. Relationships are asserted when this module loads, so a bad edit fails fast.
 */
import { assert } from '@shoal/assert';
import { GRPC_LIMITS } from './grpc';
import { KIB, MIB, SECOND_MS } from './units';
import { RAFT_LIMITS } from './raft';
import { STORE_LIMITS } from './store';
import { WAL_LIMITS } from './wal';

const electionTimeoutMs = RAFT_LIMITS.electionTicks * RAFT_LIMITS.tickMs;

/** RAFT_NODE_LIMITS holds every default and bound of `@shoal/raft-node`. */
export const RAFT_NODE_LIMITS = Object.freeze({
  /** Applied entries between two snapshots (SwarmKit `SnapshotInterval`). */
  snapshotIntervalEntries: STORE_LIMITS.snapshotIntervalEntries,
  /** Entries kept in the log behind a snapshot for slow followers (SwarmKit, 500). */
  logEntriesForSlowFollowers: STORE_LIMITS.logEntriesForSlowFollowers,
  /** Snapshot files kept on disk after a new one is saved (etcd `--max-snapshots`). */
  snapshotFilesKeep: 5,
  /** Ms a proposer waits for its entry to be applied (SwarmKit `reqTimeout`). */
  proposalTimeoutMs: STORE_LIMITS.proposalTimeoutMs,
  /** Ms a linearizable read waits for its read index to be confirmed and applied. */
  readIndexTimeoutMs: 2 * electionTimeoutMs,
  /** Proposals (and conf changes) waiting to be applied; more are refused. */
  pendingProposalsMax: 16_384,
  /** Reads waiting for their read index; more are refused (the core's own queue bound). */
  pendingReadsMax: RAFT_LIMITS.maxPendingReadIndex,
  /** Bytes of one proposal's payload (SwarmKit `MaxTransactionBytes`, 1.5 MiB). */
  proposalBytesMax: STORE_LIMITS.maxTransactionBytes,
  /** Bytes of one conf change context (the member record: id and address). */
  confChangeContextBytesMax: 64 * KIB,
  /** Proposals folded into one MsgProp (one raft step) by the shell's batching. */
  proposalsPerStepMax: RAFT_LIMITS.maxEntriesPerReady,
  /** Messages queued for one peer by the gRPC transport before it drops and reports. */
  peerQueueMessagesMax: 4096,
  /** Messages in one SendRequest written to a peer stream. */
  messagesPerSendMax: 256,
  /**
   * Bytes of the largest WAL write done inline on the event loop (INLINE_WRITE_WAL_FS): a
   * Ready of 64 proposals of 1 KiB is far below. Larger writes, such as the WAL's zero-fill
   * chunks of a new segment, go to the thread pool.
   */
  inlineWriteBytesMax: 256 * KIB,
  /**
   * Bytes of snapshot data in one SendSnapshot chunk: STORE_LIMITS.snapshotChunkBytes, but at
   * most the 1 MiB that `raft.proto` promises receivers for SnapshotChunk.
   */
  snapshotChunkBytes: Math.min(STORE_LIMITS.snapshotChunkBytes, MIB),
  /** Bytes of one received snapshot; a larger transfer is refused (the file-format cap). */
  snapshotBytesMax: WAL_LIMITS.snapshotBytesMax,
  /** Ms one snapshot transfer may take before it is abandoned and reported as failed. */
  snapshotSendTimeoutMs: 60 * SECOND_MS,
  /** Ms a Send stream lives before it is closed and reopened (its deadline). */
  streamDeadlineMs: 60 * SECOND_MS,
  /** Ms of the first reconnect backoff to a peer; doubles up to the max. */
  reconnectBackoffBaseMs: 50,
  /** Ms of the longest reconnect backoff to a peer. */
  reconnectBackoffMaxMs: 5 * SECOND_MS,
  /** Snapshot transfers one leader runs at once (etcd allows 16 MsgSnap in flight). */
  snapshotsInFlightMax: 16,
  /** Ms of the deadline on unary peer calls (ResolveAddress). */
  unaryDeadlineMs: GRPC_LIMITS.unaryDeadlineMs,
  /**
   * Ms a follower holds its ack of an append that brought no new entries (the leader's
   * commit-index broadcast, a probe) before sending it alone; it leaves earlier with the next
   * message to the same peer. Well under a heartbeat interval.
   */
  emptyAppendAckHoldMs: 10,
});

/** RaftNodeLimits is the type of {@link RAFT_NODE_LIMITS}. */
export type RaftNodeLimits = typeof RAFT_NODE_LIMITS;

assert(
  RAFT_NODE_LIMITS.logEntriesForSlowFollowers < RAFT_NODE_LIMITS.snapshotIntervalEntries,
  'the kept log tail is shorter than the snapshot interval',
);
assert(RAFT_NODE_LIMITS.proposalTimeoutMs > 2 * electionTimeoutMs, 'proposals outlive an election');
assert(RAFT_NODE_LIMITS.readIndexTimeoutMs >= electionTimeoutMs, 'reads outlive a heartbeat round');
assert(
  RAFT_NODE_LIMITS.emptyAppendAckHoldMs < RAFT_LIMITS.heartbeatTicks * RAFT_LIMITS.tickMs,
  'a held ack leaves before the next heartbeat round',
);
assert(
  RAFT_NODE_LIMITS.snapshotChunkBytes < GRPC_LIMITS.maxSendMessageBytes,
  'a snapshot chunk fits one gRPC message',
);
assert(
  RAFT_NODE_LIMITS.proposalBytesMax < GRPC_LIMITS.maxSendMessageBytes,
  'a proposal fits one gRPC message',
);
assert(
  RAFT_NODE_LIMITS.reconnectBackoffBaseMs < RAFT_NODE_LIMITS.reconnectBackoffMaxMs,
  'reconnect backoff grows',
);
assert(
  RAFT_NODE_LIMITS.inlineWriteBytesMax < WAL_LIMITS.zeroChunkBytes,
  'segment zero-fill chunks are not written inline',
);
assert(
  RAFT_NODE_LIMITS.messagesPerSendMax <= RAFT_NODE_LIMITS.peerQueueMessagesMax,
  'one send batch fits the peer queue',
);
