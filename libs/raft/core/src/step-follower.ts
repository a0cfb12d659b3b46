/**
 * The follower's step function: follow the leader's appends, heartbeats and snapshots,
 * forward proposals, reads and transfer requests to it, and campaign on MsgTimeoutNow.
 */
import { Entry, Message, MessageType } from './types';
import { hup } from './election';
import { RaftError, StepResult } from './errors';
import { CampaignType, Raft } from './raft';
import { ReadOnlyOption } from './read-only';
import { handleAppendEntries, handleHeartbeat, handleSnapshot } from './replication';
import { makeMessage, NONE } from './util';

/** stepFollower handles `m` as a follower. */
export function stepFollower(r: Raft, m: Message): StepResult {
  switch (m.type) {
    case MessageType.MsgProp:
      return forwardProposal(r, m);
    case MessageType.MsgApp:
      r.electionElapsed = 0;
      r.lead = m.from;
      handleAppendEntries(r, m);
      return null;
    case MessageType.MsgHeartbeat:
      r.electionElapsed = 0;
      r.lead = m.from;
      handleHeartbeat(r, m);
      return null;
    case MessageType.MsgSnap:
      r.electionElapsed = 0;
      r.lead = m.from;
      handleSnapshot(r, m);
      return null;
    case MessageType.MsgTransferLeader:
    case MessageType.MsgReadIndex:
      forwardToLeader(r, m);
      return null;
    case MessageType.MsgForgetLeader:
      forgetLeader(r);
      return null;
    case MessageType.MsgTimeoutNow:
      r.logger.info(
        `${r.id} [term ${r.term}] received MsgTimeoutNow from ${m.from} and starts an ` +
          'election to get leadership.',
      );
      // Campaign at once, bypassing pre-vote: the leader asked for it.
      hup(r, CampaignType.Transfer);
      return null;
    case MessageType.MsgReadIndexResp:
      if (m.entries.length !== 1) {
        r.logger.error(
          `${r.id} invalid format of MsgReadIndexResp from ${m.from}, ` +
            `entries count: ${m.entries.length}`,
        );
        return null;
      }
      r.readStates.push({ index: m.index, requestCtx: (m.entries[0] as Entry).data });
      return null;
    default:
      return null;
  }
}

function forwardProposal(r: Raft, m: Message): StepResult {
  if (r.lead === NONE) {
    r.logger.info(`${r.id} no leader at term ${r.term}; dropping proposal`);
    return RaftError.ProposalDropped;
  }
  if (r.disableProposalForwarding) {
    r.logger.info(
      `${r.id} not forwarding to leader ${r.lead} at term ${r.term}; dropping proposal`,
    );
    return RaftError.ProposalDropped;
  }
  r.send({ ...m, to: r.lead });
  return null;
}

function forwardToLeader(r: Raft, m: Message): void {
  if (r.lead === NONE) {
    r.logger.info(`${r.id} no leader at term ${r.term}; dropping ${MessageType[m.type]}`);
    return;
  }
  r.send(makeMessage({ ...m, to: r.lead }));
}

function forgetLeader(r: Raft): void {
  if (r.readOnly.option === ReadOnlyOption.LeaseBased) {
    // A lease-based leader relies on followers not voting within the lease.
    r.logger.error('ignoring MsgForgetLeader due to ReadOnlyLeaseBased');
    return;
  }
  if (r.lead !== NONE) {
    r.logger.info(`${r.id} forgetting leader ${r.lead} at term ${r.term}`);
    r.lead = NONE;
  }
}
