import { RAFT_LIMITS } from './raft';
import { MIB, SECOND_MS } from './units';

const MAX_TRANSACTION_BYTES = 1.5 * MIB;

/**
 * STORE_LIMITS bound the replicated store: transaction size, batching, snapshots and
 * proposal waits. Source: SwarmKit `manager/state/store/memory.go` and `state/raft`
 * (`../shared/reference/raft.md` §6, `swarmkit.md` §2).
 */
export const STORE_LIMITS = Object.freeze({
  /** Changes in one transaction = one raft entry (SwarmKit `MaxChangesPerTransaction`). */
  maxChangesPerTransaction: 200,
  /** Bytes of one encoded transaction; larger proposals fail (SwarmKit `MaxTransactionBytes`). */
  maxTransactionBytes: MAX_TRANSACTION_BYTES,
  /** Bytes at which `Batch` cuts a transaction early: ¾ of the maximum (SwarmKit Batch). */
  batchSplitBytes: Math.floor((MAX_TRANSACTION_BYTES * 3) / 4),
  /** Ms the write lock may be held before the store counts as wedged (SwarmKit, 30 s). */
  wedgeTimeoutMs: 30 * SECOND_MS,
  /**
   * Ms a proposer waits for its entry to apply: 5 s + 2 election timeouts (SwarmKit
   * `reqTimeout`, with Shoal's tick).
   */
  proposalTimeoutMs: 5 * SECOND_MS + 2 * RAFT_LIMITS.electionTicks * RAFT_LIMITS.tickMs,
  /** Applied entries between snapshots (SwarmKit `SnapshotInterval`). */
  snapshotIntervalEntries: 10_000,
  /** Entries kept behind a snapshot for slow followers and WatchFrom (SwarmKit, 500). */
  logEntriesForSlowFollowers: 500,
  /** Bytes of one snapshot chunk on the wire; must fit a gRPC message (Shoal: 2 MiB). */
  snapshotChunkBytes: 2 * MIB,
});

/** StoreLimits is the type of {@link STORE_LIMITS}. */
export type StoreLimits = typeof STORE_LIMITS;
