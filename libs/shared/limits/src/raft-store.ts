// The raft-store app's own named limits. Timing, sizes and snapshot cadence come from
// @shoal/limits and @shoal/raft-node; these are the few the app adds.
// TODO(raft-store): move into `@shoal/limits` (a RAFT_STORE_LIMITS area) with its owner.
import { assert } from '@shoal/assert';
import { SECOND_MS } from './units';
import { STORE_LIMITS } from './store';

/** RAFT_STORE_LIMITS bound the raft-store process. */
export const RAFT_STORE_LIMITS = Object.freeze({
  /** Bytes of one transaction or lease entry (SwarmKit `MaxTransactionBytes`, 1.5 MiB). */
  proposalBytesMax: STORE_LIMITS.maxTransactionBytes,
  /** Members of one raft group given at bootstrap (`--members`): 1, 3 or 5 in practice. */
  membersMax: 7,
  /** Smallest `--snapshot-interval` accepted (tests use small ones to force snapshots). */
  snapshotIntervalMin: 4,
  /** Ms the process waits for the raft node to stop (WAL closed) on SIGTERM. */
  stopTimeoutMs: 5 * SECOND_MS,
  /** Largest raft id the app assigns to a new member (JS safe integers, proto uint64). */
  raftIdMax: Number.MAX_SAFE_INTEGER,
});

/** RaftStoreLimits is the type of {@link RAFT_STORE_LIMITS}. */
export type RaftStoreLimits = typeof RAFT_STORE_LIMITS;

assert(RAFT_STORE_LIMITS.membersMax >= 5, 'a five-member group fits');
assert(RAFT_STORE_LIMITS.snapshotIntervalMin > 1, 'a snapshot interval keeps a log tail');
