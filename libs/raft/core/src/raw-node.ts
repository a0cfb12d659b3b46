/**
 * RawNode: the synchronous, single-threaded API of the raft core, in etcd-raft's shape. The
 * shell owns all I/O (disk, network, clock); RawNode only consumes inputs and hands back
 * work through Ready.
 */
import { assert } from '@shoal/assert';
import { ConfState, Entry, EntryType, HardState, Message, MessageType, Snapshot } from './types';
import { AnyConfChange, asV2, encodeConfChange } from './conf-change';
import { Config, resolveConfig } from './config';
import { RaftError, StepResult } from './errors';
import { applyConfChange } from './membership';
import { Raft, SoftState } from './raft';
import { ReadState } from './read-only';
import { getStatus, Status } from './status';
import {
  entriesSizeBytes,
  hardStateEqual,
  isEmptyHardState,
  isLocalMessage,
  isResponseMessage,
  makeMessage,
  payloadsSizeBytes,
} from './util';

/** SnapshotStatus is the shell's report on a MsgSnap it was asked to send. */
export enum SnapshotStatus {
  Finish = 'SnapshotFinish',
  Failure = 'SnapshotFailure',
}

/**
 * Ready is a batch of work for the shell. Every field is owned by the shell once returned.
 * - softState: the new role/leader, present only when it changed (never persisted).
 * - hardState: the new term/vote/commit, present only when it changed.
 * - readStates: confirmed reads; serve each once applied >= its index.
 * - entries: to append to stable storage (they may overwrite a previously persisted suffix).
 * - snapshot: to persist and apply (replaces the state machine), when present.
 * - committedEntries: to apply to the state machine, in order (already persisted: either in
 *   an earlier Ready or in `entries` of this one).
 * - messages: to send, after the persistence rules of {@link RawNode.ready}.
 * - mustSync: whether the writes of this Ready need an fsync (new entries, or a changed term
 *   or vote); a commit-index-only change does not.
 */
export interface Ready {
  softState?: SoftState;
  hardState?: HardState;
  readStates: ReadState[];
  entries: Entry[];
  snapshot?: Snapshot;
  committedEntries: Entry[];
  messages: Message[];
  mustSync: boolean;
}

/** mustSync reports whether persisting `hs` and `entryCount` entries needs an fsync. */
export function mustSync(hs: HardState, prev: HardState, entryCount: number): boolean {
  return entryCount !== 0 || hs.vote !== prev.vote || hs.term !== prev.term;
}

/** What a Ready handed out, remembered until advance() reports it done. */
interface Accepted {
  lastEntry?: { index: number; term: number };
  term: number;
  snapshotIndex?: number;
  committed?: { index: number; sizeBytes: number; payloadBytes: number };
  selfSteps: Message[];
}

/**
 * RawNode drives one raft node. Use it from one thread of control only.
 *
 * The loop a shell runs:
 * 1. Feed inputs: `tick()` every tick interval, `step(m)` for every received message, and
 *    `propose`, `proposeConfChange`, `readIndex`, `transferLeader`, `campaign` on demand.
 * 2. When `hasReady()`, take `rd = ready()` and handle it, in this order:
 *    a. Persist `rd.snapshot` (if any), then append `rd.entries`, then persist
 *       `rd.hardState` (if any); fsync when `rd.mustSync`. Then make them visible to the
 *       node's Storage (MemoryStorage.applySnapshot / append / setHardState).
 *    b. Send `rd.messages`. No message may be sent before the HardState of this Ready is
 *       durable and before the entries of every earlier Ready are durable. The entries of
 *       this Ready must be durable first too, with one exception: while this node is the
 *       leader, its MsgApp/MsgHeartbeat/MsgSnap may be sent in parallel with persisting its
 *       own entries (Raft thesis §10.2.1): the leader only counts itself towards commit once
 *       `advance()` reports its entries durable. Followers' acks (MsgAppResp) and votes are
 *       in `messages` too and must wait for durability. After sending a MsgSnap, call
 *       `reportSnapshot` when the transfer finished or failed; on a send failure, call
 *       `reportUnreachable`.
 *    c. Apply `rd.snapshot`, then `rd.committedEntries` in order, exactly once each (on
 *       restart, pass Config.applied so applied entries are not handed out again). Entries
 *       of type ConfChange/ConfChangeV2 must be passed to `applyConfChange` when applied.
 *    d. Call `advance()`. Only then may `ready()` be called again.
 */
export class RawNode {
  /** raft is the underlying state machine; exposed for tests and the interaction env. */
  readonly raft: Raft;
  private prevSoftState: SoftState;
  private prevHardState: HardState;
  private accepted: Accepted | undefined = undefined;
  private readonly maxEntriesPerReady: number;

  /** The constructor validates `config` and restores the node from `config.storage`. */
  constructor(config: Config) {
    const resolved = resolveConfig(config);
    this.raft = new Raft(resolved);
    this.maxEntriesPerReady = resolved.maxEntriesPerReady;
    this.prevSoftState = this.raft.softState();
    // The restored HardState, not the current one: a term raised on restart (currentTerm >=
    // lastLogTerm, see Raft.raiseTermToLastLogTerm) is then persisted by the first Ready.
    this.prevHardState = this.raft.loadedHardState;
  }

  /** tick advances logical time by one tick (election timeout, heartbeats, CheckQuorum). */
  tick(): void {
    this.raft.tick();
  }

  /** campaign makes this node start an election now (pre-vote first if configured). */
  campaign(): StepResult {
    return this.raft.step(makeMessage({ type: MessageType.MsgHup }));
  }

  /**
   * propose asks to append `data` to the log. null means accepted for now (it may still be
   * lost, e.g. on a leader change: watch committed entries); ProposalDropped means refused.
   */
  propose(data: Uint8Array): StepResult {
    const entry: Entry = { term: 0, index: 0, type: EntryType.Normal, data };
    const m = makeMessage({ type: MessageType.MsgProp, from: this.raft.id, entries: [entry] });
    return this.raft.step(m);
  }

  /**
   * proposeConfChange proposes a membership change. It takes effect only when its entry is
   * applied and passed to {@link applyConfChange}; at most one may be pending at a time (a
   * second becomes an empty entry).
   */
  proposeConfChange(cc: AnyConfChange): StepResult {
    const type = cc.kind === 'v1' ? EntryType.ConfChange : EntryType.ConfChangeV2;
    const entry: Entry = { term: 0, index: 0, type, data: encodeConfChange(cc) };
    return this.raft.step(makeMessage({ type: MessageType.MsgProp, entries: [entry] }));
  }

  /**
   * applyConfChange applies a committed conf change that the shell just applied, and returns
   * the resulting membership (to store with the next snapshot).
   */
  applyConfChange(cc: AnyConfChange): ConfState {
    return applyConfChange(this.raft, asV2(cc));
  }

  /**
   * step feeds a message received from a peer. Local message types are refused
   * (StepLocalMsg), as are responses from peers that are not members (StepPeerNotFound).
   */
  step(m: Message): StepResult {
    if (isLocalMessage(m.type)) return RaftError.StepLocalMsg;
    if (isResponseMessage(m.type) && !this.raft.trk.progress.has(m.from)) {
      return RaftError.StepPeerNotFound;
    }
    return this.raft.step(m);
  }

  /**
   * readIndex requests a linearizable read identified by `requestCtx` (unique per request).
   * Its answer appears in a later Ready's readStates; it may be silently dropped (no leader,
   * leadership lost, too many pending), so callers retry on a timeout.
   */
  readIndex(requestCtx: Uint8Array): void {
    const entry: Entry = { term: 0, index: 0, type: EntryType.Normal, data: requestCtx };
    this.raft.step(makeMessage({ type: MessageType.MsgReadIndex, entries: [entry] }));
  }

  /**
   * transferLeader asks the leader to hand leadership to `transferee`. Proposals are dropped
   * until the transfer completes or aborts after one election timeout.
   */
  transferLeader(transferee: number): void {
    this.raft.step(makeMessage({ type: MessageType.MsgTransferLeader, from: transferee }));
  }

  /** forgetLeader makes a follower forget its leader so it may grant votes again. */
  forgetLeader(): StepResult {
    return this.raft.step(makeMessage({ type: MessageType.MsgForgetLeader }));
  }

  /** reportUnreachable tells the leader that the last message to `id` was not delivered. */
  reportUnreachable(id: number): void {
    this.raft.step(makeMessage({ type: MessageType.MsgUnreachable, from: id }));
  }

  /** reportSnapshot reports the outcome of sending a snapshot to `id`. */
  reportSnapshot(id: number, status: SnapshotStatus): void {
    const reject = status === SnapshotStatus.Failure;
    this.raft.step(makeMessage({ type: MessageType.MsgSnapStatus, from: id, reject }));
  }

  /** status returns a copy of this node's state. */
  status(): Status {
    return getStatus(this.raft);
  }

  /** hasReady reports whether {@link ready} has anything for the shell. */
  hasReady(): boolean {
    const r = this.raft;
    const ss = r.softState();
    if (ss.lead !== this.prevSoftState.lead || ss.raftState !== this.prevSoftState.raftState) {
      return true;
    }
    const hs = r.hardState();
    if (!isEmptyHardState(hs) && !hardStateEqual(hs, this.prevHardState)) return true;
    if (r.raftLog.hasNextUnstableSnapshot()) return true;
    if (r.msgs.length > 0 || r.msgsAfterAppend.length > 0) return true;
    if (r.raftLog.hasNextUnstableEntries() || r.raftLog.hasNextCommittedEntries()) return true;
    return r.readStates.length > 0;
  }

  /**
   * ready returns the pending work (see the class comment for how to handle it). It must be
   * followed by {@link advance} before the next call.
   */
  ready(): Ready {
    assert(this.accepted === undefined, 'ready() called twice without advance()');
    const rd = this.readyWithoutAccept();
    this.accept(rd);
    return rd;
  }

  /**
   * advance tells the node that the last Ready was handled: its entries, snapshot and
   * HardState are durable and visible in Storage, its committed entries applied. The node
   * then counts its own acknowledgements and votes, and releases apply quota.
   */
  advance(): void {
    const a = this.accepted;
    assert(a !== undefined, 'advance() called without ready()');
    this.accepted = undefined;
    const r = this.raft;
    for (const m of a.selfSteps) r.step(m);
    if (a.lastEntry !== undefined) {
      if (r.term === a.term) {
        r.raftLog.stableTo(a.lastEntry);
      } else {
        // The term moved since this Ready: a newer leader may have overwritten these
        // entries in the unstable log (the ABA hazard), so they cannot be marked stable.
        r.logger.info(`ignored entry appends from a Ready of term ${a.term} (now ${r.term})`);
      }
    }
    if (a.snapshotIndex !== undefined) r.appliedSnap(a.snapshotIndex);
    if (a.committed !== undefined) {
      r.appliedTo(a.committed.index, a.committed.sizeBytes);
      r.reduceUncommittedSize(a.committed.payloadBytes);
    }
  }

  private readyWithoutAccept(): Ready {
    const r = this.raft;
    const entries = r.raftLog.nextUnstableEntries().slice(0, this.maxEntriesPerReady);
    // Committed entries may be applied only once durable: those of earlier Readys or of this
    // one, never entries that maxEntriesPerReady deferred to a later Ready.
    const durableBy =
      entries[entries.length - 1]?.index ?? r.raftLog.unstable.offsetInProgress - 1;
    const rd: Ready = {
      readStates: r.readStates,
      entries,
      committedEntries: r.raftLog.nextCommittedEntries(durableBy),
      messages: [...r.msgs],
      mustSync: false,
    };
    const ss = r.softState();
    if (ss.lead !== this.prevSoftState.lead || ss.raftState !== this.prevSoftState.raftState) {
      rd.softState = ss;
    }
    const hs = r.hardState();
    if (!hardStateEqual(hs, this.prevHardState)) rd.hardState = hs;
    const snap = r.raftLog.unstable.nextSnapshot();
    if (snap !== undefined) rd.snapshot = snap;
    rd.mustSync = mustSync(hs, this.prevHardState, entries.length);
    // Synchronous storage: responses that need durability ride in this Ready, to be sent
    // only after its writes (see the class comment); self-addressed ones wait for advance.
    for (const m of r.msgsAfterAppend) if (m.to !== r.id) rd.messages.push(m);
    return rd;
  }

  private accept(rd: Ready): void {
    const r = this.raft;
    if (rd.softState !== undefined) this.prevSoftState = rd.softState;
    if (rd.hardState !== undefined) this.prevHardState = rd.hardState;
    if (rd.readStates.length > 0) r.readStates = [];
    const a: Accepted = { term: r.term, selfSteps: [] };
    for (const m of r.msgsAfterAppend) if (m.to === r.id) a.selfSteps.push(m);
    if (rd.entries.length > 0 || r.raftLog.hasNextOrInProgressUnstableEntries()) {
      // Report the last entry handed out so far (this Ready's or an earlier one's).
      const last = rd.entries[rd.entries.length - 1] ?? lastInProgress(r);
      if (last !== undefined) a.lastEntry = { index: last.index, term: last.term };
    }
    if (rd.snapshot !== undefined) a.snapshotIndex = rd.snapshot.metadata.index;
    const ce = rd.committedEntries;
    if (ce.length > 0) {
      const last = ce[ce.length - 1] as Entry;
      const size = entriesSizeBytes(ce);
      a.committed = { index: last.index, sizeBytes: size, payloadBytes: payloadsSizeBytes(ce) };
      r.raftLog.acceptApplying(last.index, size);
    }
    r.msgs = [];
    r.msgsAfterAppend = [];
    const lastHanded = a.lastEntry?.index ?? r.raftLog.unstable.offsetInProgress - 1;
    r.raftLog.unstable.acceptInProgress(lastHanded);
    this.accepted = a;
  }
}

/** lastInProgress is the last unstable entry already handed out in an earlier Ready. */
function lastInProgress(r: Raft): Entry | undefined {
  const u = r.raftLog.unstable;
  const n = u.offsetInProgress - u.offset;
  return n > 0 ? u.entries[n - 1] : undefined;
}
