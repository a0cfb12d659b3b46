/**
 * The entry point of every message: term bookkeeping common to all roles (Raft §5.1, the
 * vote lease, pre-vote rules), vote requests, elections, then the role's own step function.
 */
import { Message, MessageType } from './types';
import { CAMPAIGN_TRANSFER_CONTEXT, CampaignType, Raft } from './raft';
import { handleVoteRequest, hup } from './election';
import { StepResult } from './errors';
import { bytesEqual, NONE } from './util';

/** stepRaft handles `m` in any role (see the file comment). */
export function stepRaft(r: Raft, m: Message): StepResult {
  if (m.term > r.term) {
    if (!stepHigherTerm(r, m)) return null;
  } else if (m.term !== 0 && m.term < r.term) {
    stepLowerTerm(r, m);
    return null;
  }
  switch (m.type) {
    case MessageType.MsgHup:
      hup(r, r.preVote ? CampaignType.PreElection : CampaignType.Election);
      return null;
    case MessageType.MsgVote:
    case MessageType.MsgPreVote:
      handleVoteRequest(r, m);
      return null;
    default:
      return r.stepRole(r, m);
  }
}

/**
 * stepHigherTerm handles a message from a later term; false means "ignore the message".
 * With CheckQuorum, a node that heard from its leader within the election timeout ignores
 * vote requests (the vote lease), unless the request comes from a leader transfer.
 */
function stepHigherTerm(r: Raft, m: Message): boolean {
  const isVoteRequest = m.type === MessageType.MsgVote || m.type === MessageType.MsgPreVote;
  if (isVoteRequest) {
    const force = bytesEqual(m.context, CAMPAIGN_TRANSFER_CONTEXT);
    const inLease = r.checkQuorum && r.lead !== NONE && r.electionElapsed < r.electionTimeout;
    if (!force && inLease) {
      const last = r.raftLog.lastEntryId();
      r.logger.info(
        `${r.id} [logterm: ${last.term}, index: ${last.index}, vote: ${r.vote}] ignored ` +
          `${MessageType[m.type]} from ${m.from} [logterm: ${m.logTerm}, index: ${m.index}] ` +
          `at term ${r.term}: lease is not expired ` +
          `(remaining ticks: ${r.electionTimeout - r.electionElapsed})`,
      );
      return false;
    }
  }
  // A pre-vote, or a granted pre-vote response, never moves our term: the pre-candidate
  // has not actually started that term. A rejected one tells us the term moved on.
  if (m.type === MessageType.MsgPreVote) return true;
  if (m.type === MessageType.MsgPreVoteResp && !m.reject) return true;
  r.logger.info(
    `${r.id} [term: ${r.term}] received a ${MessageType[m.type]} message with higher term ` +
      `from ${m.from} [term: ${m.term}]`,
  );
  const fromLeader =
    m.type === MessageType.MsgApp ||
    m.type === MessageType.MsgHeartbeat ||
    m.type === MessageType.MsgSnap;
  r.becomeFollower(m.term, fromLeader ? m.from : NONE);
  return true;
}

/**
 * stepLowerTerm handles a stale message. With CheckQuorum or PreVote, a stale leader's
 * MsgApp/MsgHeartbeat gets an empty MsgAppResp, whose higher term makes it step down (a
 * node that rejoins with a higher term could otherwise be stuck forever: it would never
 * be able to win, nor would it hear of the leader). A stale pre-vote is rejected outright so
 * the pre-candidate learns our term.
 */
function stepLowerTerm(r: Raft, m: Message): void {
  const fromLeader = m.type === MessageType.MsgHeartbeat || m.type === MessageType.MsgApp;
  if ((r.checkQuorum || r.preVote) && fromLeader) {
    r.send({ to: m.from, type: MessageType.MsgAppResp });
  } else if (m.type === MessageType.MsgPreVote) {
    const last = r.raftLog.lastEntryId();
    r.logger.info(
      `${r.id} [logterm: ${last.term}, index: ${last.index}, vote: ${r.vote}] rejected ` +
        `${MessageType[m.type]} from ${m.from} [logterm: ${m.logTerm}, index: ${m.index}] ` +
        `at term ${r.term}`,
    );
    r.send({ to: m.from, term: r.term, type: MessageType.MsgPreVoteResp, reject: true });
  } else {
    r.logger.info(
      `${r.id} [term: ${r.term}] ignored a ${MessageType[m.type]} message with lower term ` +
        `from ${m.from} [term: ${m.term}]`,
    );
  }
}
