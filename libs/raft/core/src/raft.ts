/**
 * Raft: the consensus state machine of one node. Inputs are messages (network and local:
 * ticks arrive as MsgHup/MsgBeat/MsgCheckQuorum); outputs are `msgs`, `msgsAfterAppend`,
 * log changes and `readStates`, collected by RawNode into Ready. No I/O, no clock, no
 * ambient randomness.
 *
 * The role is a pair of fields, `stepRole` and `tickRole`, swapped by becomeFollower,
 * becomeCandidate, becomePreCandidate and becomeLeader (etcd-raft's design).
 */
import { assert } from '@shoal/assert';
import { Entry, EntryType, HardState, Message, MessageType } from './types';
import { ElectionRandom, ResolvedConfig } from './config';
import { StepResult } from './errors';
import { confChangeV2, encodeConfChange } from './conf-change';
import { Progress } from './progress';
import { RaftLog } from './log';
import { RaftLogger } from './logger';
import { ProgressTracker } from './tracker';
import { ReadOnly, ReadState } from './read-only';
import { restoreMembership } from './membership';
import { stepRaft } from './step';
import { stepLeader } from './step-leader';
import { stepCandidate } from './step-candidate';
import { stepFollower } from './step-follower';
import { EMPTY_BYTES, makeMessage, MessageInit, NONE, NO_LIMIT, payloadsSizeBytes } from './util';

/** StateType is a node's role. */
export enum StateType {
  Follower = 'StateFollower',
  Candidate = 'StateCandidate',
  Leader = 'StateLeader',
  PreCandidate = 'StatePreCandidate',
}

/** SoftState is volatile role information: it is never persisted. */
export interface SoftState {
  lead: number;
  raftState: StateType;
}

/** CampaignType says why a node campaigns. */
export enum CampaignType {
  PreElection = 'CampaignPreElection',
  Election = 'CampaignElection',
  /** Transfer: requested by the old leader (MsgTimeoutNow); bypasses the vote lease. */
  Transfer = 'CampaignTransfer',
}

/** CAMPAIGN_TRANSFER_CONTEXT marks vote requests of a leader transfer. */
export const CAMPAIGN_TRANSFER_CONTEXT: Uint8Array = new TextEncoder().encode(
  CampaignType.Transfer,
);

/** StepFunction handles a message in one role. */
export type StepFunction = (r: Raft, m: Message) => StepResult;

/** Raft is one node's consensus state. Fields are internal to the core package. */
export class Raft {
  readonly id: number;
  term = 0;
  vote = NONE;
  readStates: ReadState[] = [];
  readonly raftLog: RaftLog;
  readonly maxMsgSizeBytes: number;
  readonly maxUncommittedSizeBytes: number;
  trk: ProgressTracker;
  state: StateType = StateType.Follower;
  isLearner = false;
  /** msgs can be sent as soon as the HardState of their Ready is durable. */
  msgs: Message[] = [];
  /**
   * msgsAfterAppend wait until the entries of their Ready are durable too: MsgAppResp and
   * vote responses, including those a node addresses to itself (stepped on advance).
   */
  msgsAfterAppend: Message[] = [];
  lead = NONE;
  /** leadTransferee is the target of a leader transfer in progress, or NONE. */
  leadTransferee = NONE;
  /** pendingConfIndex: no new conf change may be proposed until this index is applied. */
  pendingConfIndex = 0;
  /** uncommittedSizeBytes is the payload of the leader's uncommitted tail. */
  uncommittedSizeBytes = 0;
  readOnly: ReadOnly;
  electionElapsed = 0;
  heartbeatElapsed = 0;
  readonly checkQuorum: boolean;
  readonly preVote: boolean;
  readonly heartbeatTimeout: number;
  readonly electionTimeout: number;
  randomizedElectionTimeout = 0;
  readonly disableProposalForwarding: boolean;
  readonly disableConfChangeValidation: boolean;
  readonly stepDownOnRemoval: boolean;
  readonly maxPendingReadIndex: number;
  pendingReadIndexMessages: Message[] = [];
  stepRole: StepFunction = stepFollower;
  tickRole: () => void = () => this.tickElection();
  readonly logger: RaftLogger;
  /**
   * loadedHardState is the HardState restored from Storage, before raiseTermToLastLogTerm.
   * RawNode diffs its first Ready against it, so a raised term is persisted at once.
   */
  readonly loadedHardState: HardState;
  private readonly random: ElectionRandom;

  /** The constructor restores state from `c.storage` and starts as a follower. */
  constructor(c: ResolvedConfig) {
    this.id = c.id;
    this.logger = c.logger;
    this.random = c.random;
    this.raftLog = new RaftLog(c.storage, c.logger, c.maxCommittedSizePerReadyBytes);
    this.maxMsgSizeBytes = c.maxSizePerMsgBytes;
    this.maxUncommittedSizeBytes =
      c.maxUncommittedEntriesBytes === 0 ? NO_LIMIT : c.maxUncommittedEntriesBytes;
    this.trk = new ProgressTracker(c.maxInflightMsgs, c.maxInflightBytes);
    this.electionTimeout = c.electionTicks;
    this.heartbeatTimeout = c.heartbeatTicks;
    this.checkQuorum = c.checkQuorum;
    this.preVote = c.preVote;
    this.readOnly = new ReadOnly(c.readOnlyOption);
    this.disableProposalForwarding = c.disableProposalForwarding;
    this.disableConfChangeValidation = c.disableConfChangeValidation;
    this.stepDownOnRemoval = c.stepDownOnRemoval;
    this.maxPendingReadIndex = c.maxPendingReadIndex;
    const { hardState, confState } = c.storage.initialState();
    restoreMembership(this, confState);
    if (hardState.term !== 0 || hardState.vote !== 0 || hardState.commit !== 0) {
      this.loadState(hardState);
    }
    this.loadedHardState = this.hardState();
    this.raiseTermToLastLogTerm();
    if (c.applied > 0) this.raftLog.appliedTo(c.applied, 0);
    this.becomeFollower(this.term, NONE);
    const last = this.raftLog.lastEntryId();
    this.logger.info(
      `newRaft ${this.id} [peers: [${this.trk.voterNodes().join(',')}], term: ${this.term}, ` +
        `commit: ${this.raftLog.committed}, applied: ${this.raftLog.applied}, ` +
        `lastindex: ${last.index}, lastterm: ${last.term}]`,
    );
  }

  /** step feeds one message into the state machine (see step.ts). */
  step(m: Message): StepResult {
    return stepRaft(this, m);
  }

  /** tick advances logical time by one tick in the current role. */
  tick(): void {
    this.tickRole();
  }

  /** hasLeader reports whether a leader is known. */
  hasLeader(): boolean {
    return this.lead !== NONE;
  }

  /** softState returns the volatile role information. */
  softState(): SoftState {
    return { lead: this.lead, raftState: this.state };
  }

  /** hardState returns what must be durable before dependent messages are sent. */
  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.raftLog.committed };
  }

  /**
   * send queues an outgoing message, filling `from` and (except for votes, proposals and
   * read requests) the term. Responses that acknowledge durable state go to msgsAfterAppend.
   */
  send(init: MessageInit): void {
    const m = makeMessage(init);
    if (m.from === NONE) m.from = this.id;
    const t = m.type;
    const isVote =
      t === MessageType.MsgVote ||
      t === MessageType.MsgVoteResp ||
      t === MessageType.MsgPreVote ||
      t === MessageType.MsgPreVoteResp;
    if (isVote) {
      assert(m.term !== 0, `term should be set when sending ${MessageType[t]}`);
    } else {
      assert(m.term === 0, `term should not be set when sending ${MessageType[t]}`);
      if (t !== MessageType.MsgProp && t !== MessageType.MsgReadIndex) m.term = this.term;
    }
    const afterAppend =
      t === MessageType.MsgAppResp ||
      t === MessageType.MsgVoteResp ||
      t === MessageType.MsgPreVoteResp;
    if (afterAppend) {
      this.msgsAfterAppend.push(m);
    } else {
      assert(m.to !== this.id, `message should not be self-addressed: ${MessageType[t]}`);
      this.msgs.push(m);
    }
  }

  /** appliedTo records application up to `index`, and auto-leaves a joint config. */
  appliedTo(index: number, sizeBytes: number): void {
    const newApplied = Math.max(index, this.raftLog.applied);
    this.raftLog.appliedTo(newApplied, sizeBytes);
    const cfg = this.trk.config;
    if (cfg.autoLeave && newApplied >= this.pendingConfIndex && this.state === StateType.Leader) {
      // The joint config was entered with auto-leave and its entry is applied: propose the
      // empty ConfChangeV2 that leaves it. Refusal (e.g. a transfer) is retried next apply.
      const leave = leaveJointEntry();
      const err = this.step(makeMessage({ type: MessageType.MsgProp, entries: [leave] }));
      if (err !== null) {
        this.logger.debug(
          `not initiating automatic transition out of joint configuration ` +
            `${this.trk.describe()}: ${err}`,
        );
      } else {
        this.logger.info(
          `initiating automatic transition out of joint configuration ${this.trk.describe()}`,
        );
      }
    }
  }

  /** appliedSnap records that snapshot `index` is durable and applied. */
  appliedSnap(index: number): void {
    this.raftLog.stableSnapTo(index);
    this.appliedTo(index, 0);
  }

  /** maybeCommit advances the commit index to the quorum's match if it is in our term. */
  maybeCommit(): boolean {
    return this.raftLog.maybeCommit({ term: this.term, index: this.trk.committed() });
  }

  /** reset prepares every role change: term and vote, timers, progress, reads, quotas. */
  reset(term: number): void {
    assert(term >= this.term, `${this.id} term must not go back from ${this.term} to ${term}`);
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.abortLeaderTransfer();
    this.trk.resetVotes();
    const last = this.raftLog.lastIndex();
    this.trk.visit((id, pr) => {
      const fresh = new Progress({
        next: last + 1,
        maxInflight: this.trk.maxInflight,
        maxInflightBytes: this.trk.maxInflightBytes,
        isLearner: pr.isLearner,
      });
      if (id === this.id) fresh.match = last;
      this.trk.progress.set(id, fresh);
    });
    this.pendingConfIndex = 0;
    this.uncommittedSizeBytes = 0;
    this.readOnly = new ReadOnly(this.readOnly.option);
    this.assertTermCoversLog();
  }

  /**
   * assertTermCoversLog checks the raft invariant currentTerm >= lastLogTerm: a node only
   * appends entries of its own term (as leader) or of a leader of its current term (as
   * follower), and a snapshot it installs is no newer than the leader's term.
   */
  assertTermCoversLog(): void {
    const lastTerm = this.raftLog.lastEntryId().term;
    assert(
      this.term >= lastTerm,
      `${this.id} term ${this.term} is below the last log term ${lastTerm}`,
    );
  }

  /**
   * appendEntry stamps `entries` with our term and the next indexes and appends them, unless
   * they would exceed the uncommitted quota. The leader acknowledges them to itself after
   * they are durable (a self-addressed MsgAppResp, stepped on advance).
   */
  appendEntry(entries: readonly Entry[]): boolean {
    let li = this.raftLog.lastIndex();
    const stamped = entries.map((e, i) => ({ ...e, term: this.term, index: li + 1 + i }));
    if (!this.increaseUncommittedSize(stamped)) {
      this.logger.warn(
        `${this.id} appending new entries to log would exceed uncommitted entry size limit; ` +
          'dropping proposal',
      );
      return false;
    }
    li = this.raftLog.append(stamped);
    this.send({ to: this.id, type: MessageType.MsgAppResp, index: li });
    return true;
  }

  /** tickElection is the tick of followers and candidates. */
  tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.pastElectionTimeout()) {
      this.electionElapsed = 0;
      const err = this.step(makeMessage({ type: MessageType.MsgHup, from: this.id }));
      if (err !== null) this.logger.debug(`error occurred during election: ${err}`);
    }
  }

  /** tickHeartbeat is the leader's tick: heartbeats, CheckQuorum and transfer timeout. */
  tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTimeout) {
      this.electionElapsed = 0;
      if (this.checkQuorum) {
        this.step(makeMessage({ type: MessageType.MsgCheckQuorum, from: this.id }));
      }
      // A transfer that did not finish within an election timeout is abandoned.
      if (this.state === StateType.Leader && this.leadTransferee !== NONE) {
        this.abortLeaderTransfer();
      }
    }
    if (this.state !== StateType.Leader) return;
    if (this.heartbeatElapsed >= this.heartbeatTimeout) {
      this.heartbeatElapsed = 0;
      this.step(makeMessage({ type: MessageType.MsgBeat, from: this.id }));
    }
  }

  /** becomeFollower enters the follower role at `term`, following `lead` (or nobody). */
  becomeFollower(term: number, lead: number): void {
    this.stepRole = stepFollower;
    this.reset(term);
    this.tickRole = () => this.tickElection();
    this.lead = lead;
    this.state = StateType.Follower;
    this.logger.info(`${this.id} became follower at term ${this.term}`);
  }

  /** becomeCandidate starts an election at term + 1, voting for itself. */
  becomeCandidate(): void {
    assert(this.state !== StateType.Leader, 'invalid transition [leader -> candidate]');
    this.stepRole = stepCandidate;
    this.reset(this.term + 1);
    this.tickRole = () => this.tickElection();
    this.vote = this.id;
    this.state = StateType.Candidate;
    this.logger.info(`${this.id} became candidate at term ${this.term}`);
  }

  /** becomePreCandidate starts a pre-election: no term change, no vote cast. */
  becomePreCandidate(): void {
    assert(this.state !== StateType.Leader, 'invalid transition [leader -> pre-candidate]');
    this.stepRole = stepCandidate;
    this.trk.resetVotes();
    this.tickRole = () => this.tickElection();
    this.lead = NONE;
    this.state = StateType.PreCandidate;
    this.logger.info(`${this.id} became pre-candidate at term ${this.term}`);
  }

  /**
   * becomeLeader takes leadership: every peer is probed from the end of our log, and an empty
   * entry of our term is appended, which commits everything before it once replicated.
   */
  becomeLeader(): void {
    assert(this.state !== StateType.Follower, 'invalid transition [follower -> leader]');
    this.stepRole = stepLeader;
    this.reset(this.term);
    this.tickRole = () => this.tickHeartbeat();
    this.lead = this.id;
    this.state = StateType.Leader;
    const pr = this.trk.progress.get(this.id);
    assert(pr !== undefined, 'a leader tracks its own progress');
    pr.becomeReplicate();
    pr.recentActive = true;
    // Conservatively assume the tail may hold an unapplied conf change.
    this.pendingConfIndex = this.raftLog.lastIndex();
    const empty: Entry = { term: 0, index: 0, type: EntryType.Normal, data: EMPTY_BYTES };
    assert(this.appendEntry([empty]), 'empty entry was dropped');
    this.logger.info(`${this.id} became leader at term ${this.term}`);
  }

  /** promotable reports whether this node may campaign: a voter with no pending snapshot. */
  promotable(): boolean {
    const pr = this.trk.progress.get(this.id);
    return pr !== undefined && !pr.isLearner && !this.raftLog.hasNextOrInProgressSnapshot();
  }

  /** hasUnappliedConfChanges reports whether a committed conf change awaits application. */
  hasUnappliedConfChanges(): boolean {
    if (this.raftLog.applied >= this.raftLog.committed) return false;
    return this.raftLog.someUnapplied(
      (e) => e.type === EntryType.ConfChange || e.type === EntryType.ConfChangeV2,
    );
  }

  /** loadState restores a persisted HardState on restart. */
  loadState(hs: HardState): void {
    assert(
      hs.commit >= this.raftLog.committed && hs.commit <= this.raftLog.lastIndex(),
      `${this.id} state.commit ${hs.commit} is out of range ` +
        `[${this.raftLog.committed}, ${this.raftLog.lastIndex()}]`,
    );
    this.raftLog.committed = hs.commit;
    this.term = hs.term;
    this.vote = hs.vote;
  }

  /**
   * raiseTermToLastLogTerm restores currentTerm >= lastLogTerm on restart, by moving to the
   * last log term with no vote. The durable log can be ahead of the durable HardState: the
   * Ready that first moves a node to term T carries both the HardState of T and entries of
   * T (a follower's first MsgApp of T), and a crash that keeps the entries record but loses
   * the HardState record (a torn tail) restarts the node at its old term with a log of T.
   * Running at the old term breaks responses that carry our term (a rejected MsgPreVote
   * would go out with term 0) and every reasoning that relies on the invariant.
   *
   * Why this is safe: no message of the torn Ready was sent (the shell sends them only once
   * its HardState is durable), so no peer relies on the lost HardState; a vote it may have
   * recorded for T was never granted, and a vote recorded in an older term is moot at T. The
   * result is the state of a follower that has just accepted these entries from T's leader.
   * The raised HardState goes out in the first Ready (RawNode diffs it against
   * loadedHardState, and a term change needs an fsync), so it is durable before any message
   * of term T leaves: from there on, the usual rule (HardState before messages) holds.
   */
  private raiseTermToLastLogTerm(): void {
    const lastTerm = this.raftLog.lastEntryId().term;
    if (lastTerm > this.term) {
      this.logger.warn(
        `${this.id} restarted at term ${this.term} with a log of term ${lastTerm} ` +
          '(HardState lost after its entries); raising the term, with no vote',
      );
      this.term = lastTerm;
      this.vote = NONE;
    }
    this.assertTermCoversLog();
  }

  /** pastElectionTimeout reports whether the randomized election timeout elapsed. */
  pastElectionTimeout(): boolean {
    return this.electionElapsed >= this.randomizedElectionTimeout;
  }

  /** resetRandomizedElectionTimeout draws a timeout in [E, 2E - 1] from the injected PRNG. */
  resetRandomizedElectionTimeout(): void {
    const e = this.electionTimeout;
    this.randomizedElectionTimeout = this.random.int(e, 2 * e);
    assert(this.randomizedElectionTimeout >= e, 'randomized timeout >= election timeout');
    assert(this.randomizedElectionTimeout < 2 * e, 'randomized timeout < 2x election timeout');
  }

  /** abortLeaderTransfer forgets any leader transfer in progress. */
  abortLeaderTransfer(): void {
    this.leadTransferee = NONE;
  }

  /** committedEntryInCurrentTerm: the leader has committed an entry of its own term. */
  committedEntryInCurrentTerm(): boolean {
    return this.raftLog.termOrZero(this.raftLog.committed) === this.term;
  }

  /** increaseUncommittedSize charges `ents` to the quota; false when it would overflow. */
  increaseUncommittedSize(ents: readonly Entry[]): boolean {
    const s = payloadsSizeBytes(ents);
    // The first proposal always fits, whatever its size, so a large one cannot wedge us.
    const used = this.uncommittedSizeBytes;
    if (used > 0 && s > 0 && used + s > this.maxUncommittedSizeBytes) {
      return false;
    }
    this.uncommittedSizeBytes += s;
    return true;
  }

  /** reduceUncommittedSize releases quota for entries that committed (and were applied). */
  reduceUncommittedSize(sizeBytes: number): void {
    this.uncommittedSizeBytes = Math.max(0, this.uncommittedSizeBytes - sizeBytes);
  }

  /** takeMessagesAfterAppend removes and returns msgsAfterAppend. */
  takeMessagesAfterAppend(): Message[] {
    const msgs = this.msgsAfterAppend;
    this.msgsAfterAppend = [];
    return msgs;
  }

  /**
   * advanceMessagesAfterAppend pretends the pending entries are durable: steps self-addressed
   * responses and moves the rest to `msgs`. Tests use it where etcd's tests do.
   */
  advanceMessagesAfterAppend(): void {
    for (;;) {
      const msgs = this.takeMessagesAfterAppend();
      if (msgs.length === 0) return;
      for (const m of msgs) {
        if (m.to === this.id) this.step(m);
        else this.msgs.push(m);
      }
    }
  }

  /** readMessages advances after-append messages and drains `msgs` (tests). */
  readMessages(): Message[] {
    this.advanceMessagesAfterAppend();
    const msgs = this.msgs;
    this.msgs = [];
    return msgs;
  }
}

/** leaveJointEntry is the empty ConfChangeV2 entry that leaves a joint configuration. */
function leaveJointEntry(): Entry {
  return { term: 0, index: 0, type: EntryType.ConfChangeV2, data: encodeLeaveJoint() };
}

function encodeLeaveJoint(): Uint8Array {
  return encodeConfChange(confChangeV2([]));
}

