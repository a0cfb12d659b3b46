/**
 * Elections: starting a campaign (pre-vote or real), tallying votes, and granting votes.
 */
import { Message, MessageType } from './types';
import { CAMPAIGN_TRANSFER_CONTEXT, CampaignType, Raft, StateType } from './raft';
import { VoteResult } from './quorum';
import { NONE, voteResponseType } from './util';

/**
 * hup starts an election of kind `t` unless this node is the leader, cannot be promoted
 * (learner, pending snapshot, not a member) or still has committed conf changes to apply.
 */
export function hup(r: Raft, t: CampaignType): void {
  if (r.state === StateType.Leader) {
    r.logger.debug(`${r.id} ignoring MsgHup because already leader`);
    return;
  }
  if (!r.promotable()) {
    r.logger.warn(`${r.id} is unpromotable and can not campaign`);
    return;
  }
  if (r.hasUnappliedConfChanges()) {
    r.logger.warn(
      `${r.id} cannot campaign at term ${r.term} since there are still pending ` +
        'configuration changes to apply',
    );
    return;
  }
  r.logger.info(`${r.id} is starting a new election at term ${r.term}`);
  campaign(r, t);
}

/**
 * campaign becomes (pre-)candidate and asks every voter for its vote. Its own vote is a
 * self-addressed response, counted once the new term and vote are durable.
 */
export function campaign(r: Raft, t: CampaignType): void {
  let term: number;
  let voteType: MessageType;
  if (t === CampaignType.PreElection) {
    r.becomePreCandidate();
    voteType = MessageType.MsgPreVote;
    // A pre-vote asks about the next term without moving to it.
    term = r.term + 1;
  } else {
    r.becomeCandidate();
    voteType = MessageType.MsgVote;
    term = r.term;
  }
  const last = r.raftLog.lastEntryId();
  for (const id of r.trk.voterNodes()) {
    if (id === r.id) {
      r.send({ to: id, term, type: voteResponseType(voteType) });
      continue;
    }
    r.logger.info(
      `${r.id} [logterm: ${last.term}, index: ${last.index}] sent ${MessageType[voteType]} ` +
        `request to ${id} at term ${r.term}`,
    );
    const context = t === CampaignType.Transfer ? CAMPAIGN_TRANSFER_CONTEXT : undefined;
    r.send({ to: id, term, type: voteType, index: last.index, logTerm: last.term, context });
  }
}

/** poll records `id`'s vote and returns the tally. */
export function poll(
  r: Raft,
  id: number,
  t: MessageType,
  granted: boolean,
): { granted: number; rejected: number; result: VoteResult } {
  const what = granted ? MessageType[t] : `${MessageType[t]} rejection`;
  r.logger.info(`${r.id} received ${what} from ${id} at term ${r.term}`);
  r.trk.recordVote(id, granted);
  return r.trk.tallyVotes();
}

/**
 * handleVoteRequest answers MsgVote/MsgPreVote. A vote may be granted when it repeats our
 * vote, when we have neither voted nor know a leader, or for a pre-vote about a future term;
 * in every case only to a candidate whose log is at least as up to date as ours. The reply
 * carries the request's term; only a real vote resets the election timer.
 */
export function handleVoteRequest(r: Raft, m: Message): void {
  const canVote =
    r.vote === m.from ||
    (r.vote === NONE && r.lead === NONE) ||
    (m.type === MessageType.MsgPreVote && m.term > r.term);
  const last = r.raftLog.lastEntryId();
  const cand = { term: m.logTerm, index: m.index };
  const desc =
    `${r.id} [logterm: ${last.term}, index: ${last.index}, vote: ${r.vote}]`;
  const what = (prep: string): string =>
    `${MessageType[m.type]} ${prep} ${m.from} [logterm: ${cand.term}, index: ${cand.index}] ` +
    `at term ${r.term}`;
  if (canVote && r.raftLog.isUpToDate(cand)) {
    r.logger.info(`${desc} cast ${what('for')}`);
    r.send({ to: m.from, term: m.term, type: voteResponseType(m.type) });
    if (m.type === MessageType.MsgVote) {
      r.electionElapsed = 0;
      r.vote = m.from;
    }
  } else {
    r.logger.info(`${desc} rejected ${what('from')}`);
    // A rejection carries our own term, as in etcd-raft, not the request's: a rejected
    // MsgPreVoteResp of a higher term moves the pre-candidate to that term (stepHigherTerm),
    // so answering with the pre-vote's term (its term + 1) would bump the term of every
    // pre-candidate we turn down, which is what pre-vote exists to prevent. Our term is not
    // 0 here: currentTerm >= lastLogTerm (Raft.raiseTermToLastLogTerm on restart), so at
    // term 0 our log holds no entry a leader wrote and every candidate is up to date.
    r.send({ to: m.from, term: r.term, type: voteResponseType(m.type), reject: true });
  }
}
