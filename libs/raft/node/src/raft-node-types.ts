/**
 * The public shapes of RaftNode's API: request results, status, stats and lifecycle.
 */
import type { StateType, ConfState } from '@shoal/raft';

/**
 * ProposeResult says where a proposal landed: the log index it was applied at, and what the
 * proposer's own Applier returned for it.
 */
export interface ProposeResult<R = void> {
  index: number;
  result: R;
}

/** MembershipResult is an applied membership change and the membership now in force. */
export interface MembershipResult {
  index: number;
  confState: ConfState;
}

/** LeaderChange is what `onLeaderChange` listeners receive. */
export interface LeaderChange {
  /** The known leader (0 = none). */
  leaderId: number;
  term: number;
  /** Whether this member is the leader and has applied its whole log (accepts proposals). */
  isLeader: boolean;
}

/** RaftNodeStats are counters since start, for benchmarks and tests. */
export interface RaftNodeStats {
  /** Readys handled. */
  readys: number;
  /** Saves that asked for an fsync. */
  fsyncs: number;
  /** Entries written by saves that asked for an fsync. */
  entriesSynced: number;
  /** Entries applied (all types, including empty ones). */
  entriesApplied: number;
  /** Snapshots taken by this member. */
  snapshots: number;
}

/** RaftNodeStatus is a copy of a member's state for operators and tests. */
export interface RaftNodeStatus {
  id: number;
  phase: Phase;
  role: StateType;
  term: number;
  vote: number;
  commit: number;
  applied: number;
  leaderId: number;
  isLeader: boolean;
  snapshotIndex: number;
  firstIndex: number;
  lastIndex: number;
  confState: ConfState;
  /** Per-peer replication progress (leader only): match, next, state. */
  progress: Map<number, { match: number; next: number; state: string }>;
  pendingProposals: number;
  pendingReads: number;
  removed: boolean;
  fatal: string | undefined;
  stats: RaftNodeStats;
}

/** Phase is where a RaftNode is in its life. */
export type Phase = 'new' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

/** StopOptions: `flush: false` abandons the WAL without syncing (a crash, for tests). */
export interface StopOptions {
  flush?: boolean;
}
