/**
 * The leader's step function: proposals, reads, heartbeats and CheckQuorum, and the
 * responses that drive each follower's Progress (flow control, commit, leader transfer).
 */
import { assert } from '@shoal/assert';
import { Entry, EntryType, Message, MessageType } from './types';
import { asV2, decodeConfChange, describeConfChange } from './conf-change';
import { RaftError, StepResult } from './errors';
import { Progress, ProgressState } from './progress';
import { Raft } from './raft';
import { leaderReadIndex, onHeartbeatAck, releasePendingReadIndexMessages } from './reads';
import { bcastAppend, bcastHeartbeat, maybeSendAppend, sendAppend } from './replication';
import { EMPTY_BYTES, NONE } from './util';

/** stepLeader handles `m` as the leader. */
export function stepLeader(r: Raft, m: Message): StepResult {
  switch (m.type) {
    case MessageType.MsgBeat:
      bcastHeartbeat(r);
      return null;
    case MessageType.MsgCheckQuorum:
      checkQuorum(r);
      return null;
    case MessageType.MsgProp:
      return propose(r, m);
    case MessageType.MsgReadIndex:
      leaderReadIndex(r, m);
      return null;
    case MessageType.MsgForgetLeader:
      return null;
    default:
      break;
  }
  const pr = r.trk.progress.get(m.from);
  if (pr === undefined) {
    r.logger.debug(`${r.id} no progress available for ${m.from}`);
    return null;
  }
  switch (m.type) {
    case MessageType.MsgAppResp:
      onAppendResponse(r, m, pr);
      return null;
    case MessageType.MsgHeartbeatResp:
      onHeartbeatResponse(r, m, pr);
      return null;
    case MessageType.MsgSnapStatus:
      onSnapshotStatus(r, m, pr);
      return null;
    case MessageType.MsgUnreachable:
      // The transport failed to deliver: the pipeline is likely broken, so go back to probing.
      if (pr.state === ProgressState.Replicate) pr.becomeProbe();
      r.logger.debug(
        `${r.id} failed to send message to ${m.from} because it is unreachable ` +
          `[${pr.toString()}]`,
      );
      return null;
    case MessageType.MsgTransferLeader:
      onTransferLeader(r, m, pr);
      return null;
    default:
      return null;
  }
}

/** checkQuorum steps down unless a quorum was active during the last election timeout. */
function checkQuorum(r: Raft): void {
  if (!r.trk.quorumActive()) {
    r.logger.warn(`${r.id} stepped down to follower since quorum is not active`);
    r.becomeFollower(r.term, NONE);
  }
  // Start a fresh measurement window; the leader itself always counts as active.
  r.trk.visit((id, p) => {
    if (id !== r.id) p.recentActive = false;
  });
}

/**
 * propose appends a proposal. Conf changes are vetted first: at most one may be unapplied,
 * a joint config must be left before another change, and only an empty change leaves it.
 * A refused conf change is replaced by an empty normal entry (the proposal still commits,
 * so the proposer learns the outcome in order).
 */
function propose(r: Raft, m: Message): StepResult {
  assert(m.entries.length > 0, `${r.id} stepped empty MsgProp`);
  if (!r.trk.progress.has(r.id)) {
    // This leader was removed from the configuration and is stepping down.
    return RaftError.ProposalDropped;
  }
  if (r.leadTransferee !== NONE) {
    r.logger.debug(
      `${r.id} [term ${r.term}] transfer leadership to ${r.leadTransferee} is in progress; ` +
        'dropping proposal',
    );
    return RaftError.ProposalDropped;
  }
  const entries = m.entries.map((e, i) => vetConfChange(r, e, i));
  if (!r.appendEntry(entries)) return RaftError.ProposalDropped;
  bcastAppend(r);
  return null;
}

function vetConfChange(r: Raft, e: Entry, i: number): Entry {
  if (e.type !== EntryType.ConfChange && e.type !== EntryType.ConfChangeV2) return e;
  const cc = decodeConfChange(e.data);
  const alreadyPending = r.pendingConfIndex > r.raftLog.applied;
  const alreadyJoint = r.trk.config.voters[1].size > 0;
  const wantsLeaveJoint = asV2(cc).changes.length === 0;
  let failed = '';
  if (alreadyPending) {
    failed =
      `possible unapplied conf change at index ${r.pendingConfIndex} ` +
      `(applied to ${r.raftLog.applied})`;
  } else if (alreadyJoint && !wantsLeaveJoint) {
    failed = 'must transition out of joint config first';
  } else if (!alreadyJoint && wantsLeaveJoint) {
    failed = 'not in joint state; refusing empty conf change';
  }
  if (failed !== '' && !r.disableConfChangeValidation) {
    r.logger.info(
      `${r.id} ignoring conf change ${describeConfChange(cc)} at config ` +
        `${r.trk.describe()}: ${failed}`,
    );
    return { term: 0, index: 0, type: EntryType.Normal, data: EMPTY_BYTES };
  }
  r.pendingConfIndex = r.raftLog.lastIndex() + i + 1;
  return e;
}

/** onAppendResponse handles a follower's MsgAppResp (ack or rejection). */
function onAppendResponse(r: Raft, m: Message, pr: Progress): void {
  pr.recentActive = true;
  if (m.reject) {
    onAppendRejected(r, m, pr);
    return;
  }
  const advanced = pr.maybeUpdate(m.index);
  // A probe answered at exactly our match also confirms the follower's log: replicate.
  if (!advanced && !(pr.match === m.index && pr.state === ProgressState.Probe)) return;
  if (pr.state === ProgressState.Probe) {
    pr.becomeReplicate();
  } else if (pr.state === ProgressState.Snapshot && pr.match + 1 >= r.raftLog.firstIndex()) {
    // Any ack that reconnects the follower to our log ends the snapshot, even before (or
    // without) a snapshot report: it can now be caught up from the log.
    r.logger.debug(
      `${r.id} recovered from needing snapshot, resumed sending replication messages ` +
        `to ${m.from} [${pr.toString()}]`,
    );
    pr.becomeProbe();
    pr.becomeReplicate();
  } else if (pr.state === ProgressState.Replicate) {
    pr.inflights.freeLE(m.index);
  }
  if (r.maybeCommit()) {
    releasePendingReadIndexMessages(r);
    bcastAppend(r);
  } else if (r.id !== m.from && pr.canBumpCommit(r.raftLog.committed)) {
    // Nothing newly committed, but this follower has not heard the current commit index.
    sendAppend(r, m.from);
  }
  if (r.id !== m.from) {
    // Fill the window: stream as many MsgApps as flow control allows.
    while (maybeSendAppend(r, m.from, false)) {
      // Each iteration sends one message.
    }
  }
  if (m.from === r.leadTransferee && pr.match === r.raftLog.lastIndex()) {
    r.logger.info(`${r.id} sent MsgTimeoutNow to ${m.from} after received MsgAppResp`);
    r.send({ to: m.from, type: MessageType.MsgTimeoutNow });
  }
}

/**
 * onAppendRejected moves `next` back using the follower's hint. With a hint term, we find
 * our own last entry with term <= hint term at or below the hint index: everything above it
 * is known to mismatch, so a divergent follower converges in O(terms) round trips.
 */
function onAppendRejected(r: Raft, m: Message, pr: Progress): void {
  r.logger.debug(
    `${r.id} received MsgAppResp(rejected, hint: (index ${m.rejectHint}, term ${m.logTerm})) ` +
      `from ${m.from} for index ${m.index}`,
  );
  let nextProbeIndex = m.rejectHint;
  if (m.logTerm > 0) nextProbeIndex = r.raftLog.findConflictByTerm(m.rejectHint, m.logTerm).index;
  if (!pr.maybeDecrTo(m.index, nextProbeIndex)) return;
  r.logger.debug(`${r.id} decreased progress of ${m.from} to [${pr.toString()}]`);
  if (pr.state === ProgressState.Replicate) pr.becomeProbe();
  sendAppend(r, m.from);
}

/**
 * onHeartbeatResponse marks the peer active, unpauses its flow (a probe may have been lost),
 * resends appends if it lags, and counts the ack for pending reads.
 */
function onHeartbeatResponse(r: Raft, m: Message, pr: Progress): void {
  pr.recentActive = true;
  pr.msgAppFlowPaused = false;
  if (pr.match < r.raftLog.lastIndex() || pr.state === ProgressState.Probe) {
    sendAppend(r, m.from);
  }
  onHeartbeatAck(r, m);
}

/** onSnapshotStatus ends StateSnapshot when the shell reports the snapshot done or failed. */
function onSnapshotStatus(r: Raft, m: Message, pr: Progress): void {
  if (pr.state !== ProgressState.Snapshot) return;
  if (m.reject) {
    // Failed: forget the snapshot so that probing restarts from the last match.
    pr.pendingSnapshot = 0;
    pr.becomeProbe();
    r.logger.debug(
      `${r.id} snapshot failed, resumed sending replication messages to ${m.from} ` +
        `[${pr.toString()}]`,
    );
  } else {
    pr.becomeProbe();
    r.logger.debug(
      `${r.id} snapshot succeeded, resumed sending replication messages to ${m.from} ` +
        `[${pr.toString()}]`,
    );
  }
  // Wait for a heartbeat response (or an ack) before probing: the snapshot is still being
  // applied on the follower, and a MsgApp now would most likely be rejected.
  pr.msgAppFlowPaused = true;
}

/**
 * onTransferLeader starts a transfer to `m.from`: TimeoutNow right away if its log is up to
 * date, otherwise after catching it up. A transfer to the same node already in progress is
 * ignored; one to another node replaces it. Learners and self are refused.
 */
function onTransferLeader(r: Raft, m: Message, pr: Progress): void {
  if (pr.isLearner) {
    r.logger.debug(`${r.id} is learner. Ignored transferring leadership`);
    return;
  }
  const transferee = m.from;
  const last = r.leadTransferee;
  if (last !== NONE) {
    if (last === transferee) {
      r.logger.info(
        `${r.id} [term ${r.term}] transfer leadership to ${transferee} is in progress, ` +
          `ignores request to same node ${transferee}`,
      );
      return;
    }
    r.abortLeaderTransfer();
    r.logger.info(`${r.id} [term ${r.term}] abort previous transferring leadership to ${last}`);
  }
  if (transferee === r.id) {
    r.logger.debug(`${r.id} is already leader. Ignored transferring leadership to self`);
    return;
  }
  r.logger.info(`${r.id} [term ${r.term}] starts to transfer leadership to ${transferee}`);
  // The transfer must finish within one election timeout, counted from now.
  r.electionElapsed = 0;
  r.leadTransferee = transferee;
  if (pr.match === r.raftLog.lastIndex()) {
    r.send({ to: transferee, type: MessageType.MsgTimeoutNow });
    r.logger.info(
      `${r.id} sends MsgTimeoutNow to ${transferee} immediately as ${transferee} ` +
        'already has up-to-date log',
    );
  } else {
    sendAppend(r, transferee);
  }
}
