/**
 * Log replication: what a leader sends (MsgApp, MsgSnap, MsgHeartbeat) and how a follower
 * handles it (Raft §5.3, with etcd-raft's fast rejection hints).
 */
import { assert } from '@shoal/assert';
import { Message, MessageType, Snapshot } from './types';
import { Progress, ProgressState } from './progress';
import { Raft, StateType } from './raft';
import { SnapshotTemporarilyUnavailableError } from './storage';
import { restoreMembership } from './membership';
import { EMPTY_BYTES, isEmptySnapshot, payloadsSizeBytes } from './util';

/** sendAppend sends a MsgApp (possibly empty) to `to` unless its flow is paused. */
export function sendAppend(r: Raft, to: number): void {
  maybeSendAppend(r, to, true);
}

/**
 * maybeSendAppend sends the next MsgApp to `to`. With `sendIfEmpty` false it only sends when
 * there are entries. Falls back to a snapshot when the entries it needs are compacted.
 * Returns whether a message was sent.
 */
export function maybeSendAppend(r: Raft, to: number, sendIfEmpty: boolean): boolean {
  const pr = r.trk.progress.get(to);
  assert(pr !== undefined, `no progress for ${to}`);
  if (pr.isPaused()) return false;
  const prevIndex = pr.next - 1;
  const prevTerm = r.raftLog.term(prevIndex);
  if (prevTerm === undefined) return maybeSendSnapshot(r, to, pr);
  let entries = [] as ReturnType<typeof r.raftLog.allEntries>;
  if (pr.state !== ProgressState.Replicate || !pr.inflights.full()) {
    const got = r.raftLog.entries(pr.next, r.maxMsgSizeBytes);
    if (got === undefined) return maybeSendSnapshot(r, to, pr);
    entries = got;
  }
  if (entries.length === 0 && !sendIfEmpty) return false;
  const commit = r.raftLog.committed;
  r.send({ to, type: MessageType.MsgApp, index: prevIndex, logTerm: prevTerm, entries, commit });
  pr.sentEntries(entries.length, payloadsSizeBytes(entries));
  pr.recordSentCommit(commit);
  return true;
}

/**
 * maybeSendSnapshot sends the latest snapshot to `to` and pauses it in StateSnapshot. Only
 * to a recently active peer: an unreachable one would just pin the snapshot.
 */
export function maybeSendSnapshot(r: Raft, to: number, pr: Progress): boolean {
  if (!pr.recentActive) {
    r.logger.debug(`ignore sending snapshot to ${to} since it is not recently active`);
    return false;
  }
  let snapshot: Snapshot;
  try {
    snapshot = r.raftLog.snapshot();
  } catch (e) {
    if (e instanceof SnapshotTemporarilyUnavailableError) {
      r.logger.debug(`${r.id} failed to send snapshot to ${to}: temporarily unavailable`);
      return false;
    }
    throw e;
  }
  assert(!isEmptySnapshot(snapshot), 'need non-empty snapshot');
  const { index, term } = snapshot.metadata;
  r.logger.debug(
    `${r.id} [firstindex: ${r.raftLog.firstIndex()}, commit: ${r.raftLog.committed}] sent ` +
      `snapshot[index: ${index}, term: ${term}] to ${to} [${pr.toString()}]`,
  );
  pr.becomeSnapshot(index);
  r.logger.debug(`${r.id} paused sending replication messages to ${to} [${pr.toString()}]`);
  r.send({ to, type: MessageType.MsgSnap, snapshot });
  return true;
}

/**
 * sendHeartbeat sends a heartbeat carrying min(match, commit): a follower must never be told
 * to commit past what it is known to hold, since its log may still be divergent there.
 */
export function sendHeartbeat(r: Raft, to: number, context: Uint8Array): void {
  const pr = r.trk.progress.get(to);
  assert(pr !== undefined, `no progress for ${to}`);
  const commit = Math.min(pr.match, r.raftLog.committed);
  r.send({ to, type: MessageType.MsgHeartbeat, commit, context });
  pr.recordSentCommit(commit);
}

/** bcastAppend sends MsgApp to every peer that is not paused. */
export function bcastAppend(r: Raft): void {
  r.trk.visit((id) => {
    if (id !== r.id) sendAppend(r, id);
  });
}

/** bcastHeartbeat heartbeats every peer, carrying the newest pending read's context. */
export function bcastHeartbeat(r: Raft): void {
  bcastHeartbeatWithContext(r, r.readOnly.lastPendingContext() ?? EMPTY_BYTES);
}

/** bcastHeartbeatWithContext heartbeats every peer with `context`. */
export function bcastHeartbeatWithContext(r: Raft, context: Uint8Array): void {
  r.trk.visit((id) => {
    if (id !== r.id) sendHeartbeat(r, id, context);
  });
}

/**
 * handleAppendEntries appends a leader's MsgApp, or rejects it with a hint: the index and
 * term of our last entry that may still match (from findConflictByTerm), so the leader can
 * skip a whole term of mismatching entries per round trip.
 */
export function handleAppendEntries(r: Raft, m: Message): void {
  if (m.index < r.raftLog.committed) {
    // Everything up to our commit index matches the leader's log (Log Matching).
    r.send({ to: m.from, type: MessageType.MsgAppResp, index: r.raftLog.committed });
    return;
  }
  const last = r.raftLog.maybeAppend({ index: m.index, term: m.logTerm }, m.entries, m.commit);
  if (last !== undefined) {
    r.send({ to: m.from, type: MessageType.MsgAppResp, index: last });
    return;
  }
  r.logger.debug(
    `${r.id} [logterm: ${r.raftLog.termOrZero(m.index)}, index: ${m.index}] rejected MsgApp ` +
      `[logterm: ${m.logTerm}, index: ${m.index}] from ${m.from}`,
  );
  // Our entries above lastIndex cannot match, and entries with a term above m.logTerm cannot
  // either (the leader's entry at m.index has term m.logTerm and terms only grow).
  const hintIndex = Math.min(m.index, r.raftLog.lastIndex());
  const hint = r.raftLog.findConflictByTerm(hintIndex, m.logTerm);
  r.send({
    to: m.from,
    type: MessageType.MsgAppResp,
    index: m.index,
    reject: true,
    rejectHint: hint.index,
    logTerm: hint.term,
  });
}

/** handleHeartbeat advances the commit index and echoes the context (ReadIndex acks). */
export function handleHeartbeat(r: Raft, m: Message): void {
  r.raftLog.commitTo(m.commit);
  r.send({ to: m.from, type: MessageType.MsgHeartbeatResp, context: m.context });
}

/** handleSnapshot installs a leader's snapshot when it is newer than our commit index. */
export function handleSnapshot(r: Raft, m: Message): void {
  const s = m.snapshot;
  assert(s !== undefined, 'MsgSnap carries a snapshot');
  const { index, term } = s.metadata;
  if (restoreSnapshot(r, s)) {
    r.logger.info(
      `${r.id} [commit: ${r.raftLog.committed}] restored snapshot [index: ${index}, term: ${term}]`,
    );
    r.send({ to: m.from, type: MessageType.MsgAppResp, index: r.raftLog.lastIndex() });
  } else {
    r.logger.info(
      `${r.id} [commit: ${r.raftLog.committed}] ignored snapshot [index: ${index}, term: ${term}]`,
    );
    r.send({ to: m.from, type: MessageType.MsgAppResp, index: r.raftLog.committed });
  }
}

/**
 * restoreSnapshot replaces the log and membership with `s`. Returns false (ignoring it)
 * when the snapshot is not newer than our commit index, when we are not in it, or when our
 * log already has the snapshot's last entry (then we only fast-forward the commit index).
 */
export function restoreSnapshot(r: Raft, s: Snapshot): boolean {
  const { index, term, confState: cs } = s.metadata;
  if (index <= r.raftLog.committed) return false;
  if (r.state !== StateType.Follower) {
    // Defensive: a snapshot only comes from a leader of our term, so we should be a follower.
    r.logger.warn(`${r.id} attempted to restore snapshot as leader; should never happen`);
    r.becomeFollower(r.term + 1, 0);
    return false;
  }
  const member = [cs.voters, cs.learners, cs.votersOutgoing].some((ids) => ids.includes(r.id));
  if (!member) {
    r.logger.warn(`${r.id} attempted to restore snapshot but it is not in the ConfState`);
    return false;
  }
  if (r.raftLog.matchTerm({ index, term })) {
    const last = r.raftLog.lastEntryId();
    r.logger.info(
      `${r.id} [commit: ${r.raftLog.committed}, lastindex: ${last.index}, lastterm: ` +
        `${last.term}] fast-forwarded commit to snapshot [index: ${index}, term: ${term}]`,
    );
    r.raftLog.commitTo(index);
    return false;
  }
  r.raftLog.restore(s);
  restoreMembership(r, cs);
  const last = r.raftLog.lastEntryId();
  r.logger.info(
    `${r.id} [commit: ${r.raftLog.committed}, lastindex: ${last.index}, lastterm: ` +
      `${last.term}] restored snapshot [index: ${index}, term: ${term}]`,
  );
  return true;
}
