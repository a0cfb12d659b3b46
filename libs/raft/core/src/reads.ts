/**
 * ReadIndex on the leader: a read is answered with the commit index once the leader has
 * confirmed, by a quorum of heartbeat acks (Safe) or its lease (LeaseBased), that it was
 * still the leader when the read arrived. No read is answered before the leader has
 * committed an entry of its own term: until then its commit index may be stale.
 */
import { Message, MessageType } from './types';
import { Raft } from './raft';
import { ReadOnlyOption } from './read-only';
import { bcastHeartbeat } from './replication';
import { NONE } from './util';
import { assertNever } from '@shoal/assert';

/** leaderReadIndex handles a MsgReadIndex (local or forwarded) on the leader. */
export function leaderReadIndex(r: Raft, m: Message): void {
  if (r.trk.isSingleton()) {
    // A single voter is a quorum by itself: its commit index is current.
    answerRead(r, m, r.raftLog.committed);
    return;
  }
  if (r.readOnly.pendingCount() + r.pendingReadIndexMessages.length >= r.maxPendingReadIndex) {
    r.logger.warn(`${r.id} dropping read index request: ${r.maxPendingReadIndex} already pending`);
    return;
  }
  if (!r.committedEntryInCurrentTerm()) {
    r.pendingReadIndexMessages.push(m);
    return;
  }
  sendReadIndexResponse(r, m);
}

/**
 * releasePendingReadIndexMessages starts the reads queued before the leader's first commit
 * in its term; called right after that commit.
 */
export function releasePendingReadIndexMessages(r: Raft): void {
  if (r.pendingReadIndexMessages.length === 0) return;
  if (!r.committedEntryInCurrentTerm()) {
    r.logger.error(
      'pending MsgReadIndex should be released only after first commit in current term',
    );
    return;
  }
  const msgs = r.pendingReadIndexMessages;
  r.pendingReadIndexMessages = [];
  for (const m of msgs) sendReadIndexResponse(r, m);
}

/** sendReadIndexResponse starts confirming read `m` at the current commit index. */
export function sendReadIndexResponse(r: Raft, m: Message): void {
  switch (r.readOnly.option) {
    case ReadOnlyOption.Safe:
      r.readOnly.addRequest(r.raftLog.committed, m);
      // The leader acks its own heartbeat round.
      r.readOnly.recvAck(r.id, (m.entries[0] as { data: Uint8Array }).data);
      bcastHeartbeat(r);
      return;
    case ReadOnlyOption.LeaseBased:
      answerRead(r, m, r.raftLog.committed);
      return;
    default:
      assertNever(r.readOnly.option, 'read only option');
  }
}

/** onHeartbeatAck records a read ack and answers every read it confirms. */
export function onHeartbeatAck(r: Raft, m: Message): void {
  if (r.readOnly.option !== ReadOnlyOption.Safe || m.context.byteLength === 0) return;
  if (r.readOnly.recvAck(m.from, m.context) === undefined) return;
  for (const rs of r.readOnly.advance(m.context, r.trk.jointConfig())) {
    answerRead(r, rs.req, rs.index);
  }
}

/**
 * answerRead delivers a confirmed read: as a ReadState when it is ours (the request came
 * from this node's shell), otherwise as a MsgReadIndexResp to the follower that forwarded it.
 */
function answerRead(r: Raft, req: Message, index: number): void {
  const ctx = (req.entries[0] as { data: Uint8Array }).data;
  if (req.from === NONE || req.from === r.id) {
    r.readStates.push({ index, requestCtx: ctx });
    return;
  }
  r.send({ to: req.from, type: MessageType.MsgReadIndexResp, index, entries: req.entries });
}
