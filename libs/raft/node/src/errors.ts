/**
 * The raft shell's failures. Expected outcomes a caller can act on (not the leader, lost
 * leadership, timed out, stopped, too large) are ShoalErrors with a stable code and a
 * `raftReason` detail; a durable-storage failure is fatal: the node stops and every waiter
 * fails with {@link RaftNodeFatalError}'s message.
 */
import { NOT_LEADER_MESSAGE, ShoalError } from '@shoal/errors';

/** RAFT_REASON_KEY is the ShoalError detail that says which raft outcome an error is. */
export const RAFT_REASON_KEY = 'raftReason';

/** RaftReason names each expected failure of a proposal, read or membership change. */
export type RaftReason =
  | 'not-leader'
  | 'lost-leadership'
  | 'proposal-dropped'
  | 'timeout'
  | 'stopped'
  | 'fatal'
  | 'too-large'
  | 'too-many-pending';

/** raftReason returns the RaftReason carried by `error`, if it is a raft-node error. */
export function raftReason(error: unknown): RaftReason | undefined {
  if (!(error instanceof ShoalError)) return undefined;
  return error.details?.[RAFT_REASON_KEY] as RaftReason | undefined;
}

/**
 * notLeaderError: this node is not a (caught-up) leader; `leaderId` is 0 when unknown, and
 * this node's own id while it leads but is still applying its log.
 */
export function notLeaderError(leaderId: number, selfId = 0): ShoalError {
  let hint = leaderId === 0 ? '' : `; leader is raft member ${leaderId}`;
  if (leaderId !== 0 && leaderId === selfId) hint = '; this leader is still applying its log';
  return new ShoalError('NOT_LEADER', `${NOT_LEADER_MESSAGE}${hint}`, {
    [RAFT_REASON_KEY]: 'not-leader',
    leaderId: String(leaderId),
  });
}

/**
 * lostLeadershipError: leadership was lost (or the term changed) before the entry was
 * applied here. The entry may still commit under the new leader: the outcome is unknown.
 */
export function lostLeadershipError(): ShoalError {
  const message = `${NOT_LEADER_MESSAGE}; leadership was lost before the entry was applied`;
  return new ShoalError('NOT_LEADER', message, { [RAFT_REASON_KEY]: 'lost-leadership' });
}

/** proposalDroppedError: raft refused the proposal (transfer in progress, quota, removal). */
export function proposalDroppedError(): ShoalError {
  return new ShoalError('UNAVAILABLE', 'raft dropped the proposal; retry later', {
    [RAFT_REASON_KEY]: 'proposal-dropped',
  });
}

/** timeoutError: `what` did not complete within `ms`; its outcome is unknown. */
export function timeoutError(what: string, ms: number): ShoalError {
  return new ShoalError('DEADLINE_EXCEEDED', `${what} did not complete within ${ms} ms`, {
    [RAFT_REASON_KEY]: 'timeout',
  });
}

/** stoppedError: the node was stopped before the request completed. */
export function stoppedError(): ShoalError {
  return new ShoalError('UNAVAILABLE', 'raft node is stopped', { [RAFT_REASON_KEY]: 'stopped' });
}

/** tooLargeError: a payload of `bytes` exceeds the named limit `maxBytes`. */
export function tooLargeError(what: string, bytes: number, maxBytes: number): ShoalError {
  return new ShoalError('RESOURCE_EXHAUSTED', `${what} of ${bytes} bytes exceeds ${maxBytes}`, {
    [RAFT_REASON_KEY]: 'too-large',
  });
}

/** tooManyPendingError: the named bound on waiting requests of this kind is reached. */
export function tooManyPendingError(what: string, max: number): ShoalError {
  return new ShoalError('RESOURCE_EXHAUSTED', `more than ${max} ${what} are pending`, {
    [RAFT_REASON_KEY]: 'too-many-pending',
  });
}

/**
 * RaftNodeFatalError says the node hit a failure it must not continue after: its durable
 * storage failed (after a failed fsync the disk state is unknown), or the applier threw. The
 * node has stopped; restart the process to recover from what is durable.
 */
export class RaftNodeFatalError extends Error {
  override readonly name = 'RaftNodeFatalError';
  constructor(what: string, cause: unknown) {
    super(`raft node stopped after a fatal failure: ${what}: ${describe(cause)}`, { cause });
  }
}

/** fatalWaiterError is what pending requests fail with once the node has failed fatally. */
export function fatalWaiterError(fatal: RaftNodeFatalError): ShoalError {
  return new ShoalError('UNAVAILABLE', fatal.message, { [RAFT_REASON_KEY]: 'fatal' }, {
    cause: fatal,
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
