/**
 * Config: everything a raft node is started with, its defaults (RAFT_LIMITS) and validation.
 */
import { assert } from '@shoal/assert';
import { RAFT_LIMITS } from '@shoal/limits';
import { RaftLogger, NOOP_LOGGER } from './logger';
import { ReadOnlyOption } from './read-only';
import { Storage } from './storage';

/**
 * ElectionRandom is the part of `@shoal/random`'s Random the core uses: a uniform integer in
 * [minInclusive, maxExclusive). Any object with this method works (SeededRandom included).
 */
export interface ElectionRandom {
  int(minInclusive: number, maxExclusive: number): number;
}

/** Config starts a raft node. Optional fields take the documented defaults. */
export interface Config {
  /** id identifies this node: non-zero and never reused after a removal. */
  id: number;
  /** storage is the durable log raft reads back (MemoryStorage in tests and the store). */
  storage: Storage;
  /** random draws the election timeout in [electionTicks, 2 * electionTicks - 1]. */
  random: ElectionRandom;
  /** electionTicks is the base election timeout (default RAFT_LIMITS.electionTicks). */
  electionTicks?: number;
  /** heartbeatTicks is the leader's heartbeat period (default RAFT_LIMITS.heartbeatTicks). */
  heartbeatTicks?: number;
  /**
   * applied is the last index the state machine applied before a restart; committed entries
   * at or below it are not handed out again. 0 on a fresh start.
   */
  applied?: number;
  /** maxSizePerMsgBytes limits a MsgApp's entries (0 = one entry per message). */
  maxSizePerMsgBytes?: number;
  /** maxCommittedSizePerReadyBytes limits committed entries being applied at once. */
  maxCommittedSizePerReadyBytes?: number;
  /** maxUncommittedEntriesBytes bounds the leader's uncommitted tail (0 = no limit). */
  maxUncommittedEntriesBytes?: number;
  /** maxInflightMsgs is the Replicate window per follower, in messages (> 0). */
  maxInflightMsgs?: number;
  /** maxInflightBytes is the Replicate window per follower, in bytes (0 = no limit). */
  maxInflightBytes?: number;
  /** maxEntriesPerReady bounds the entries one Ready hands out for persistence. */
  maxEntriesPerReady?: number;
  /** maxPendingReadIndex bounds queued ReadIndex requests on the leader. */
  maxPendingReadIndex?: number;
  /** checkQuorum makes a leader step down without a recently active quorum (default on). */
  checkQuorum?: boolean;
  /** preVote runs a pre-election before raising the term (default on). */
  preVote?: boolean;
  /** readOnlyOption chooses how ReadIndex is confirmed (default Safe). */
  readOnlyOption?: ReadOnlyOption;
  /** disableProposalForwarding makes followers drop proposals instead of forwarding them. */
  disableProposalForwarding?: boolean;
  /** disableConfChangeValidation skips the one-pending / joint-state proposal checks. */
  disableConfChangeValidation?: boolean;
  /** stepDownOnRemoval makes a leader removed or demoted by a conf change step down (on). */
  stepDownOnRemoval?: boolean;
  /** logger receives diagnostics (default: discarded). */
  logger?: RaftLogger;
}

/** ResolvedConfig is a Config with every default filled in. */
export type ResolvedConfig = Required<Config>;

/**
 * resolveConfig fills defaults and validates; an invalid Config is a programmer error.
 */
export function resolveConfig(c: Config): ResolvedConfig {
  const maxSizePerMsgBytes = c.maxSizePerMsgBytes ?? RAFT_LIMITS.maxSizePerMsgBytes;
  const r: ResolvedConfig = {
    id: c.id,
    storage: c.storage,
    random: c.random,
    electionTicks: c.electionTicks ?? RAFT_LIMITS.electionTicks,
    heartbeatTicks: c.heartbeatTicks ?? RAFT_LIMITS.heartbeatTicks,
    applied: c.applied ?? 0,
    maxSizePerMsgBytes,
    maxCommittedSizePerReadyBytes:
      c.maxCommittedSizePerReadyBytes ?? RAFT_LIMITS.maxCommittedSizePerReadyBytes,
    maxUncommittedEntriesBytes:
      c.maxUncommittedEntriesBytes ?? RAFT_LIMITS.maxUncommittedEntriesBytes,
    maxInflightMsgs: c.maxInflightMsgs ?? RAFT_LIMITS.maxInflightMsgs,
    maxInflightBytes: c.maxInflightBytes ?? RAFT_LIMITS.maxInflightBytes,
    maxEntriesPerReady: c.maxEntriesPerReady ?? RAFT_LIMITS.maxEntriesPerReady,
    maxPendingReadIndex: c.maxPendingReadIndex ?? RAFT_LIMITS.maxPendingReadIndex,
    checkQuorum: c.checkQuorum ?? true,
    preVote: c.preVote ?? true,
    readOnlyOption: c.readOnlyOption ?? ReadOnlyOption.Safe,
    disableProposalForwarding: c.disableProposalForwarding ?? false,
    disableConfChangeValidation: c.disableConfChangeValidation ?? false,
    stepDownOnRemoval: c.stepDownOnRemoval ?? true,
    logger: c.logger ?? NOOP_LOGGER,
  };
  validateConfig(r);
  return r;
}

function validateConfig(r: ResolvedConfig): void {
  assert(Number.isSafeInteger(r.id) && r.id > 0, 'config id is a positive integer');
  assert(r.heartbeatTicks > 0, 'heartbeat tick must be greater than 0');
  assert(r.electionTicks > r.heartbeatTicks, 'election tick must be greater than heartbeat tick');
  assert(r.applied >= 0, 'applied is not negative');
  assert(r.maxInflightMsgs > 0, 'max inflight messages must be greater than 0');
  assert(r.maxSizePerMsgBytes >= 0, 'max size per message is not negative');
  assert(r.maxEntriesPerReady > 0, 'max entries per ready is positive');
  assert(r.maxPendingReadIndex > 0, 'max pending read index is positive');
  assert(
    r.maxInflightBytes === 0 || r.maxInflightBytes >= r.maxSizePerMsgBytes,
    'max inflight bytes must be >= max message size',
  );
  assert(r.maxCommittedSizePerReadyBytes > 0, 'max committed size per ready is positive');
  assert(
    r.readOnlyOption !== ReadOnlyOption.LeaseBased || r.checkQuorum,
    'CheckQuorum must be enabled when ReadOnlyOption is ReadOnlyLeaseBased',
  );
}
