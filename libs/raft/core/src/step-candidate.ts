/**
 * The step function of candidates and pre-candidates: count votes, and yield to a leader of
 * the same term as soon as it is heard from.
 */
import { Message, MessageType } from './types';
import { campaign, poll } from './election';
import { RaftError, StepResult } from './errors';
import { CampaignType, Raft, StateType } from './raft';
import { VoteResult } from './quorum';
import { bcastAppend, handleAppendEntries, handleHeartbeat, handleSnapshot } from './replication';
import { NONE } from './util';

/** stepCandidate handles `m` as a (pre-)candidate. */
export function stepCandidate(r: Raft, m: Message): StepResult {
  const myVoteResponse =
    r.state === StateType.PreCandidate ? MessageType.MsgPreVoteResp : MessageType.MsgVoteResp;
  switch (m.type) {
    case MessageType.MsgProp:
      r.logger.info(`${r.id} no leader at term ${r.term}; dropping proposal`);
      return RaftError.ProposalDropped;
    case MessageType.MsgApp:
      // A leader of our term exists (m.term === r.term): follow it.
      r.becomeFollower(m.term, m.from);
      handleAppendEntries(r, m);
      return null;
    case MessageType.MsgHeartbeat:
      r.becomeFollower(m.term, m.from);
      handleHeartbeat(r, m);
      return null;
    case MessageType.MsgSnap:
      r.becomeFollower(m.term, m.from);
      handleSnapshot(r, m);
      return null;
    case MessageType.MsgTimeoutNow:
      r.logger.debug(
        `${r.id} [term ${r.term} state ${r.state}] ignored MsgTimeoutNow from ${m.from}`,
      );
      return null;
    default:
      if (m.type === myVoteResponse) onVoteResponse(r, m);
      return null;
  }
}

function onVoteResponse(r: Raft, m: Message): void {
  const { granted, rejected, result } = poll(r, m.from, m.type, !m.reject);
  r.logger.info(
    `${r.id} has received ${granted} ${MessageType[m.type]} votes and ${rejected} vote rejections`,
  );
  if (result === VoteResult.VoteWon) {
    if (r.state === StateType.PreCandidate) {
      campaign(r, CampaignType.Election);
    } else {
      r.becomeLeader();
      bcastAppend(r);
    }
  } else if (result === VoteResult.VoteLost) {
    // A rejected MsgPreVoteResp with a higher term was already handled by stepRaft.
    r.becomeFollower(r.term, NONE);
  }
}
