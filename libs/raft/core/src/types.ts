/**
 * Raft's data model: log entries, persistent state, snapshots and messages. These types are
 * the contract between the pure core (`@shoal/raft`), its durable storage (`@shoal/raft-wal`)
 * and the raft-store's transport, which maps them to `shoal.v1` raft messages on the wire.
 *
 * Indexes and terms are plain numbers: they stay far below 2^53 in any real cluster, and
 * the codecs assert that they do.
 */

/** EntryType says how the state machine must read an entry's `data`. */
export enum EntryType {
  /** An application command (or an empty entry a new leader appends to commit its term). */
  Normal = 0,
  /** A single-step membership change, `data` holds an encoded ConfChange. */
  ConfChange = 1,
  /** A joint-consensus membership change, `data` holds an encoded ConfChangeV2. */
  ConfChangeV2 = 2,
}

/**
 * Entry is one record of the replicated log.
 * Invariant: `index` >= 1 and `term` >= 1 for every entry that reaches a log.
 */
export interface Entry {
  term: number;
  index: number;
  type: EntryType;
  data: Uint8Array;
}

/**
 * HardState is what a node must persist before it sends any message that depends on it.
 * Invariant: `commit` never decreases; `vote` is 0 (none) or a voter's id in `term`.
 */
export interface HardState {
  term: number;
  vote: number;
  commit: number;
}

/**
 * ConfState is the membership a snapshot or an applied ConfChange leaves in force.
 * `votersOutgoing` is non-empty only in a joint configuration; `learnersNext` holds voters
 * that become learners when the joint configuration is left.
 */
export interface ConfState {
  voters: number[];
  learners: number[];
  votersOutgoing: number[];
  learnersNext: number[];
  autoLeave: boolean;
}

/** SnapshotMetadata names the last entry a snapshot covers and the membership at it. */
export interface SnapshotMetadata {
  index: number;
  term: number;
  confState: ConfState;
}

/** Snapshot is the state machine's image at `metadata.index`; `data` is opaque to raft. */
export interface Snapshot {
  metadata: SnapshotMetadata;
  data: Uint8Array;
}

/**
 * MessageType numbers follow etcd-raft's so that traces and datadriven scripts read the same.
 * Local messages (Hup, Beat, Unreachable, SnapStatus, CheckQuorum) never cross the network.
 */
export enum MessageType {
  MsgHup = 0,
  MsgBeat = 1,
  MsgProp = 2,
  MsgApp = 3,
  MsgAppResp = 4,
  MsgVote = 5,
  MsgVoteResp = 6,
  MsgSnap = 7,
  MsgHeartbeat = 8,
  MsgHeartbeatResp = 9,
  MsgUnreachable = 10,
  MsgSnapStatus = 11,
  MsgCheckQuorum = 12,
  MsgTransferLeader = 13,
  MsgTimeoutNow = 14,
  MsgReadIndex = 15,
  MsgReadIndexResp = 16,
  MsgPreVote = 17,
  MsgPreVoteResp = 18,
  /**
   * MsgForgetLeader (local, added by the core) makes a follower forget its leader, so that
   * it grants (pre-)votes again before the election timeout. Numbered as in etcd-raft.
   */
  MsgForgetLeader = 23,
}

/**
 * Message is everything raft nodes say to each other (and what the shell says to the core).
 * Fields a message type does not use stay at their zero value.
 */
export interface Message {
  type: MessageType;
  to: number;
  from: number;
  term: number;
  /** Term of the entry at `index` (MsgApp), or of the candidate's last entry (votes). */
  logTerm: number;
  index: number;
  entries: Entry[];
  commit: number;
  snapshot?: Snapshot;
  reject: boolean;
  rejectHint: number;
  /** Opaque request context: ReadIndex request ids, campaign kind for transfers. */
  context: Uint8Array;
}
