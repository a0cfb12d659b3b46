/**
 * RaftNode is the I/O shell around the pure raft core: it owns a RawNode, its durable
 * storage, a transport and the state machine, and runs the Ready loop in the order the core
 * documents (see `docs/design/raft.md`):
 *
 * 1. take a Ready; a leader sends its MsgApp/MsgHeartbeat/MsgSnap right away (Raft thesis
 *    §10.2.1: the leader writes its own log in parallel with replicating it);
 * 2. persist the snapshot, then entries + HardState in ONE save with at most one fsync, and
 *    make them visible in MemoryStorage;
 * 3. send every other message (followers' acks and votes only after their write is durable);
 * 4. restore the snapshot and apply the committed entries, in order, exactly once;
 * 5. advance, then maybe snapshot + compact.
 *
 * Group commit: the loop handles one Ready at a time. While its fsync runs, new proposals,
 * messages and ticks are stepped into the RawNode and land together in the next Ready, so
 * the number of fsyncs follows the disk, not the number of proposers.
 */
import { AssertionFailure, assert, assertNever } from '@shoal/assert';
import type { TimerHandle } from '@shoal/clock';
import { silentLogger, type Logger } from '@shoal/logging';
import {
  ConfChangeType,
  decodeConfChange,
  EntryType,
  MessageType,
  RawNode,
  StateType,
  type AnyConfChange,
  type ConfState,
  type Entry,
  type MemoryStorage,
  type Message,
  type Ready,
  type ReadState,
  type SnapshotStatus,
  type SoftState,
  type Snapshot,
} from '@shoal/raft';
import { AckHolder } from './ack-holder';
import type { Applier } from './applier';
import { bootstrapState, restore } from './bootstrap';
import { isEnvelope, RequestIds, unwrap, wrap } from './envelope';
import {
  fatalWaiterError,
  lostLeadershipError,
  notLeaderError,
  proposalDroppedError,
  raftReason,
  RaftNodeFatalError,
  stoppedError,
  timeoutError,
  tooLargeError,
} from './errors';
import { RAFT_NODE_LIMITS } from '@shoal/limits';
import { NodeMetrics } from './node-metrics';
import { resolveOptions, type RaftNodeOptions, type ResolvedOptions } from './options';
import type { RaftPersistence } from './persistence';
import type {
  LeaderChange,
  MembershipResult,
  Phase,
  ProposeResult,
  RaftNodeStats,
  RaftNodeStatus,
  StopOptions,
} from './raft-node-types';
import { propMessage, raftLogger, sendsBeforePersist } from './ready-helpers';
import { ReadyWriter } from './ready-writer';
import type { Transport, TransportHandler } from './transport';
import { Waiters } from './waiters';

type Applied<R> = MembershipResult | ProposeResult<R>;

/**
 * RaftNode runs one raft member; see the file comment for the loop. All methods are safe to
 * call at any time; requests made before `start` or after `stop` fail with UNAVAILABLE.
 * `R` is what the Applier returns per entry, handed to the proposer in its ProposeResult.
 */
export class RaftNode<R = void> {
  readonly id: number;
  private readonly o: ResolvedOptions;
  private readonly persistence: RaftPersistence;
  private readonly transport: Transport;
  private readonly applier: Applier<R>;
  private readonly logger: Logger;
  private readonly metrics: NodeMetrics;
  private readonly ids: RequestIds;
  private readonly proposals: Waiters<Applied<R>>;
  private readonly reads: Waiters<number>;
  /** A follower's acks of empty appends, held until its next message (see AckHolder). */
  private readonly acks: AckHolder;
  private rawNode: RawNode | undefined;
  private storage: MemoryStorage | undefined;
  private writer: ReadyWriter | undefined;
  private phase: Phase = 'new';
  private fatal: RaftNodeFatalError | undefined;
  private tickTimer: TimerHandle | undefined;
  /** Ticks since start: the clock of request deadlines. */
  private ticks = 0;
  /** Proposals wrapped and waiting for the next flush into one MsgProp. */
  private queued: { sequence: number; data: Uint8Array }[] = [];
  private pumpScheduled = false;
  /** Whether the Ready loop is running; it clears this itself when it runs out of work. */
  private looping = false;
  /** Settles when the last run of the Ready loop ended (stop waits for it). */
  private loopDone: Promise<void> = Promise.resolve();
  private role: StateType = StateType.Follower;
  private lead = 0;
  private term = 0;
  private vote = 0;
  private commit = 0;
  private applied = 0;
  private snapshotIndex = 0;
  private confState: ConfState = {
    voters: [],
    learners: [],
    votersOutgoing: [],
    learnersNext: [],
    autoLeave: false,
  };
  /** Term in which this member last became leader (0 = not leader). */
  private leaderTerm = 0;
  /** The leader accepts proposals once applied >= this (its log at election). */
  private leaderReadyIndex = Number.MAX_SAFE_INTEGER;
  private announcedLeader = false;
  /** Sequence of this member's membership change in flight, if any. */
  private pendingConfChange: number | undefined;
  private snapshotsInFlight = 0;
  /** This member's snapshot being encoded and written in the background, if any. */
  private snapshotTask: Promise<void> | undefined;
  /** A snapshot whose file is durable, for the loop to record between two Readys. */
  private snapshotWritten: { snapshot: Snapshot; started: number } | undefined;
  private removed = false;
  private readonly leaderListeners = new Set<(change: LeaderChange) => void>();
  private readonly fatalListeners = new Set<(error: RaftNodeFatalError) => void>();
  private readonly stats: RaftNodeStats = {
    readys: 0,
    fsyncs: 0,
    entriesSynced: 0,
    entriesApplied: 0,
    snapshots: 0,
  };

  /** The constructor validates `options`; nothing happens until {@link start}. */
  constructor(options: RaftNodeOptions<R>) {
    this.o = resolveOptions(options);
    this.id = this.o.id;
    this.persistence = this.o.persistence;
    this.transport = this.o.transport;
    this.applier = options.applier;
    this.logger = this.o.logger ?? silentLogger();
    this.metrics = new NodeMetrics(this.o.metrics);
    this.ids = new RequestIds(this.o.random.nextUint32());
    const { now } = this.o;
    this.proposals = new Waiters<Applied<R>>({
      what: 'proposals',
      max: RAFT_NODE_LIMITS.pendingProposalsMax,
      now,
      onTimeout: () => this.metrics.proposalFailed('timeout'),
    });
    this.reads = new Waiters<number>({
      what: 'reads',
      max: RAFT_NODE_LIMITS.pendingReadsMax,
      now,
    });
    this.acks = new AckHolder(this.o.timers, RAFT_NODE_LIMITS.emptyAppendAckHoldMs,
      (messages) => this.transport.send(messages));
  }

  /**
   * start loads (or creates) durable state, restores the state machine, starts the transport
   * and the tick timer. It resolves once the node runs; it rejects (and the node is failed)
   * if durable state cannot be loaded.
   */
  async start(): Promise<void> {
    assert(this.phase === 'new', 'a RaftNode is started once');
    this.phase = 'starting';
    try {
      const restored = await restore(
        this.persistence,
        this.applier,
        bootstrapState(this.id, this.o.peers),
      );
      this.storage = restored.storage;
      this.applied = restored.applied;
      this.snapshotIndex = restored.snapshotIndex;
      this.confState = restored.confState;
      this.term = restored.term;
      this.commit = restored.commit;
      this.writer = new ReadyWriter(
        this.persistence,
        restored.storage,
        restored.hardState,
        this.stats,
        this.metrics,
        this.o.now,
      );
      this.rawNode = new RawNode({
        ...this.o.raft,
        id: this.id,
        storage: restored.storage,
        random: this.o.random,
        applied: restored.applied,
        logger: raftLogger(this.logger),
      });
    } catch (error) {
      this.fail('start', error);
      throw this.fatal;
    }
    this.phase = 'running';
    await this.transport.start(this.transportHandler());
    this.scheduleTick();
    this.schedulePump();
  }

  /**
   * stop ends the node: ticks stop, pending requests fail with UNAVAILABLE, the transport
   * stops, the Ready in progress finishes its write, and (with `flush`, the default) the WAL
   * is synced and closed. `flush: false` leaves unsynced writes unsynced, like a crash.
   */
  async stop(options: StopOptions = {}): Promise<void> {
    if (this.phase === 'stopping' || this.phase === 'stopped') return;
    const wasFailed = this.phase === 'failed';
    const started = this.phase !== 'new';
    this.phase = wasFailed ? 'failed' : 'stopping';
    this.cancelTick();
    this.acks.drop();
    this.failWaiters(stoppedError());
    if (started) await this.transport.stop().catch(() => undefined);
    await this.loopDone;
    await this.snapshotTask;
    if (started && !wasFailed && (options.flush ?? true)) {
      await this.readyWriter().close();
    }
    if (!wasFailed) this.phase = 'stopped';
  }

  /**
   * propose replicates `data` and resolves with its log index once the entry is applied on
   * this member (the state machine has seen it). Fails with NOT_LEADER unless this member
   * is the leader and has applied its whole log; with NOT_LEADER (lost-leadership) if
   * leadership is lost before the entry applies (it may still commit later); UNAVAILABLE
   * if raft dropped it or the node stopped; DEADLINE_EXCEEDED after the proposal timeout;
   * RESOURCE_EXHAUSTED if `data` exceeds RAFT_NODE_LIMITS.proposalBytesMax.
   */
  propose(data: Uint8Array): Promise<ProposeResult<R>> {
    const refusal = this.refuseWrite(data.byteLength, RAFT_NODE_LIMITS.proposalBytesMax);
    if (refusal !== undefined) return this.refused(refusal);
    const id = this.ids.nextId();
    const promise = this.awaitApply(id.sequence);
    this.queued.push({ sequence: id.sequence, data: wrap(id, data) });
    this.metrics.pending(this.proposals.size);
    this.schedulePump();
    return promise as Promise<ProposeResult<R>>;
  }

  /**
   * readIndex is a linearizable read barrier: it resolves with a read index once the leader
   * confirmed with a quorum that it still leads and this member has applied up to that
   * index, so a read of local state after it sees every write committed before the call.
   * Works on followers too (the request is forwarded). Fails with NOT_LEADER when no leader
   * is known or leadership changes first, DEADLINE_EXCEEDED after the read timeout.
   */
  readIndex(): Promise<number> {
    const refusal = this.refuseRequest();
    if (refusal !== undefined) return Promise.reject(refusal);
    if (this.lead === 0) return Promise.reject(notLeaderError(0));
    const id = this.ids.nextId();
    const promise = this.awaitRead(id.sequence);
    this.node().readIndex(wrap(id, new Uint8Array(0)));
    this.schedulePump();
    return promise;
  }

  /** addMember adds voter `nodeId` (`context`, e.g. its address, reaches every applier). */
  addMember(nodeId: number, context?: Uint8Array): Promise<MembershipResult> {
    return this.changeMembership(ConfChangeType.AddNode, nodeId, context);
  }

  /** addLearner adds `nodeId` as a learner: it receives the log but does not vote. */
  addLearner(nodeId: number, context?: Uint8Array): Promise<MembershipResult> {
    return this.changeMembership(ConfChangeType.AddLearnerNode, nodeId, context);
  }

  /** promote makes learner `nodeId` a voter (promote it once it has caught up). */
  promote(nodeId: number, context?: Uint8Array): Promise<MembershipResult> {
    return this.changeMembership(ConfChangeType.AddNode, nodeId, context);
  }

  /** removeMember removes `nodeId`; its id must never be reused. */
  removeMember(nodeId: number): Promise<MembershipResult> {
    return this.changeMembership(ConfChangeType.RemoveNode, nodeId, undefined);
  }

  /**
   * transferLeadership asks the leader (this member) to hand over to voter `to`, and
   * resolves once this member sees `to` lead. Proposals are refused meanwhile. Fails with
   * NOT_LEADER if this member is not the leader, DEADLINE_EXCEEDED after two election
   * timeouts (raft aborts a transfer after one).
   */
  transferLeadership(to: number): Promise<void> {
    const refusal = this.refuseRequest();
    if (refusal !== undefined) return Promise.reject(refusal);
    if (this.role !== StateType.Leader) return Promise.reject(notLeaderError(this.lead));
    if (to === this.id) return Promise.resolve();
    const timeoutMs = 2 * this.o.electionTimeoutMs;
    return new Promise<void>((resolve, reject) => {
      const timer = this.o.timers.setTimeout(() => {
        unsubscribe();
        reject(timeoutError(`leadership transfer to ${to}`, timeoutMs));
      }, timeoutMs);
      const unsubscribe = this.onLeaderChange((change) => {
        if (change.leaderId !== to && this.phase === 'running') return;
        this.o.timers.clearTimeout(timer);
        unsubscribe();
        if (change.leaderId === to) resolve();
        else reject(this.refuseRequest() ?? stoppedError());
      });
      this.node().transferLeader(to);
      this.schedulePump();
    });
  }

  /** campaign makes this member start an election now (tests, planned failover). */
  campaign(): void {
    if (this.phase !== 'running') return;
    this.node().campaign();
    this.schedulePump();
  }

  /** isLeader: this member leads and has applied its whole log (it accepts proposals). */
  get isLeader(): boolean {
    return this.role === StateType.Leader && this.applied >= this.leaderReadyIndex;
  }

  /** leaderId is the known leader's id, 0 when none is known. */
  get leaderId(): number {
    return this.lead;
  }

  /** appliedIndex is the last index applied to the state machine. */
  get appliedIndex(): number {
    return this.applied;
  }

  /** fatalError is the failure that stopped the node, if any. */
  get fatalError(): RaftNodeFatalError | undefined {
    return this.fatal;
  }

  /**
   * onLeaderChange calls `listener` whenever the known leader or this member's leadership
   * readiness changes; it returns the function that unsubscribes. Listeners must not throw.
   */
  onLeaderChange(listener: (change: LeaderChange) => void): () => void {
    this.leaderListeners.add(listener);
    return () => this.leaderListeners.delete(listener);
  }

  /** onFatal calls `listener` once if the node stops on a fatal failure. */
  onFatal(listener: (error: RaftNodeFatalError) => void): () => void {
    this.fatalListeners.add(listener);
    return () => this.fatalListeners.delete(listener);
  }

  /** status returns a copy of this member's state. */
  status(): RaftNodeStatus {
    const progress = new Map<number, { match: number; next: number; state: string }>();
    if (this.rawNode !== undefined && this.role === StateType.Leader) {
      for (const [id, p] of this.rawNode.status().progress) {
        progress.set(id, { match: p.match, next: p.next, state: p.state });
      }
    }
    return {
      id: this.id,
      phase: this.phase,
      role: this.role,
      term: this.term,
      vote: this.vote,
      commit: this.commit,
      applied: this.applied,
      leaderId: this.lead,
      isLeader: this.isLeader,
      snapshotIndex: this.snapshotIndex,
      firstIndex: this.storage?.firstIndex() ?? 0,
      lastIndex: this.storage?.lastIndex() ?? 0,
      confState: structuredClone(this.confState),
      progress,
      pendingProposals: this.proposals.size,
      pendingReads: this.reads.size,
      removed: this.removed,
      fatal: this.fatal?.message,
      stats: { ...this.stats },
    };
  }

  // ---- requests -------------------------------------------------------------------------

  private changeMembership(
    type: ConfChangeType,
    nodeId: number,
    context: Uint8Array | undefined,
  ): Promise<MembershipResult> {
    const bytes = context ?? new Uint8Array(0);
    const refusal = this.refuseWrite(bytes.byteLength, RAFT_NODE_LIMITS.confChangeContextBytesMax);
    if (refusal !== undefined) return this.refused(refusal);
    assert(Number.isSafeInteger(nodeId) && nodeId > 0, 'member id is a positive integer');
    const pending = this.pendingConfChange;
    if (pending !== undefined && this.proposals.has(pending)) {
      // Raft would turn a second pending change into an empty entry that never answers.
      return this.refused(proposalDroppedError());
    }
    const id = this.ids.nextId();
    const promise = this.awaitApply(id.sequence);
    const cc: AnyConfChange = { kind: 'v1', type, nodeId, context: wrap(id, bytes) };
    this.pendingConfChange = id.sequence;
    if (this.node().proposeConfChange(cc) !== null) {
      this.proposals.reject(id.sequence, proposalDroppedError());
    }
    this.schedulePump();
    return promise as Promise<MembershipResult>;
  }

  /** refuseRequest says why no request can be served now (stopped, failed), if so. */
  private refuseRequest(): Error | undefined {
    if (this.fatal !== undefined) return fatalWaiterError(this.fatal);
    if (this.phase !== 'running') return stoppedError();
    return undefined;
  }

  /** refuseWrite adds the write checks: leadership and the size limit. */
  private refuseWrite(bytes: number, maxBytes: number): Error | undefined {
    const refusal = this.refuseRequest();
    if (refusal !== undefined) return refusal;
    if (!this.isLeader) return notLeaderError(this.lead, this.id);
    if (bytes > maxBytes) return tooLargeError('proposal', bytes, maxBytes);
    return undefined;
  }

  private refused<T>(error: Error): Promise<T> {
    this.metrics.proposalFailed(raftReason(error) ?? 'other');
    return Promise.reject(error);
  }

  // ---- inputs ---------------------------------------------------------------------------

  private transportHandler(): TransportHandler {
    return {
      receive: (message) => {
        if (this.phase !== 'running') return;
        // Responses from members no longer in the configuration are refused by the core.
        this.node().step(message);
        this.schedulePump();
      },
      reportUnreachable: (peerId) => {
        if (this.phase !== 'running') return;
        this.node().reportUnreachable(peerId);
      },
      reportSnapshot: (peerId, status: SnapshotStatus) => {
        this.snapshotsInFlight = Math.max(0, this.snapshotsInFlight - 1);
        if (this.phase !== 'running') return;
        this.node().reportSnapshot(peerId, status);
        this.schedulePump();
      },
    };
  }

  /** awaitApply registers the waiter of a proposal or membership change. */
  private awaitApply(sequence: number): Promise<Applied<R>> {
    const timeoutMs = this.o.proposalTimeoutMs;
    return this.proposals.add(sequence, this.deadline(timeoutMs), timeoutMs);
  }

  /** awaitRead registers the waiter of a read. */
  private awaitRead(sequence: number): Promise<number> {
    const timeoutMs = this.o.readIndexTimeoutMs;
    return this.reads.add(sequence, this.deadline(timeoutMs), timeoutMs);
  }

  /** deadline is the tick by which a request made now and waiting `timeoutMs` times out. */
  private deadline(timeoutMs: number): number {
    return this.ticks + Math.ceil(timeoutMs / this.o.tickMs);
  }

  private scheduleTick(): void {
    this.tickTimer = this.o.timers.setTimeout(() => {
      this.tickTimer = undefined;
      if (this.phase !== 'running') return;
      this.ticks += 1;
      this.proposals.expire(this.ticks);
      this.reads.expire(this.ticks);
      this.node().tick();
      this.scheduleTick();
      this.schedulePump();
    }, this.o.tickMs);
  }

  private cancelTick(): void {
    if (this.tickTimer !== undefined) this.o.timers.clearTimeout(this.tickTimer);
    this.tickTimer = undefined;
  }

  /**
   * flushProposals steps every queued proposal into raft as one MsgProp per
   * RAFT_NODE_LIMITS.proposalsPerStepMax entries, so a burst of proposers costs one append
   * and one broadcast instead of one each.
   */
  private flushProposals(): void {
    while (this.queued.length > 0) {
      const batch = this.queued.splice(0, RAFT_NODE_LIMITS.proposalsPerStepMax);
      const refusal = this.isLeader ? undefined : notLeaderError(this.lead, this.id);
      const result = refusal ?? this.node().step(propMessage(this.id, batch));
      if (result === null) continue;
      const error = result instanceof Error ? result : proposalDroppedError();
      const reason = raftReason(error) ?? 'other';
      for (const p of batch) {
        if (this.proposals.reject(p.sequence, error)) this.metrics.proposalFailed(reason);
      }
    }
  }

  // ---- the Ready loop ---------------------------------------------------------------------

  /**
   * schedulePump makes the loop run once the current callback is done: every input of that
   * callback (a transport's batch of messages, a wave of proposers resumed by one apply) is
   * stepped first and lands in one Ready, without waiting for another event-loop turn.
   */
  private schedulePump(): void {
    if (this.pumpScheduled || this.looping || this.phase !== 'running') return;
    this.pumpScheduled = true;
    const run = (): void => {
      this.pumpScheduled = false;
      if (this.looping || this.phase !== 'running') return;
      this.looping = true;
      this.loopDone = this.readyLoop().catch((error: unknown) => this.fail('ready loop', error));
    };
    queueMicrotask(run);
  }

  /**
   * readyLoop handles Readys one at a time until there is nothing left. It clears `looping`
   * synchronously when it finds no work, so an input that arrives later always schedules a
   * new run (no input can be stranded between the last check and the exit).
   */
  private async readyLoop(): Promise<void> {
    try {
      const rawNode = this.node();
      for (;;) {
        if (this.phase !== 'running') return;
        if (this.snapshotWritten !== undefined) await this.recordSnapshot(this.snapshotWritten);
        this.flushProposals();
        if (!rawNode.hasReady()) return;
        const rd = rawNode.ready();
        this.stats.readys += 1;
        await this.handleReady(rd);
        if (this.phase !== 'running') return;
        rawNode.advance();
        this.afterAdvance();
        this.maybeStartSnapshot();
      }
    } finally {
      this.looping = false;
    }
  }

  private async handleReady(rd: Ready): Promise<void> {
    if (rd.softState !== undefined) this.noteSoftState(rd.softState, rd);
    if (rd.hardState !== undefined) this.noteHardState(rd);
    let late = rd.messages;
    if (this.role === StateType.Leader && rd.messages.length > 0) {
      const early: Message[] = [];
      late = [];
      for (const m of rd.messages) (sendsBeforePersist(m) ? early : late).push(m);
      this.send(early);
      // The followers' fsyncs, not this one, are on the commit path: let the MsgApps reach
      // the network before this member's own WAL write takes the event loop.
      if (early.length > 0 && rd.entries.length > 0) await this.transport.written?.();
    }
    // Committed entries are durable on a quorum (the leader counts itself only once its own
    // write is durable), so they are applied before this Ready's new entries are persisted,
    // as etcd does: replies and watch events do not wait for that fsync. Not with a snapshot
    // to restore first, nor with a membership change (applied in the old order).
    const applyFirst = rd.snapshot === undefined && rd.committedEntries.length > 0 &&
      rd.committedEntries.every((e) => e.type === EntryType.Normal);
    if (applyFirst) this.applyEntries(rd.committedEntries);
    // A received snapshot's file must not be written while this member writes its own.
    if (rd.snapshot !== undefined) await this.snapshotTask;
    // A leader's fsync overlaps the replication it just sent; a follower only waits for it
    // before acking, so it may sync inline if its persistence allows (WalPersistence option).
    await this.readyWriter().persist(rd, this.role !== StateType.Leader);
    if (this.phase !== 'running') return;
    this.sendLate(late, rd);
    if (rd.snapshot !== undefined) await this.restoreSnapshot(rd.snapshot);
    if (!applyFirst && rd.committedEntries.length > 0) this.applyEntries(rd.committedEntries);
    if (rd.readStates.length > 0) this.noteReadStates(rd.readStates);
  }

  /**
   * sendLate sends the messages that wait for persistence. A follower holds its acks of an
   * append that brought no new entries (AckHolder); a leader sends whatever is still held.
   */
  private sendLate(messages: Message[], rd: Ready): void {
    if (this.role === StateType.Leader) {
      this.acks.flush();
      this.send(messages);
      return;
    }
    const emptyAppend = rd.entries.length === 0 && rd.snapshot === undefined;
    this.send(this.acks.outgoing(messages, emptyAppend));
  }

  /**
   * send hands messages to the transport. A MsgSnap carries the membership now in force
   * rather than the one at its index (as SwarmKit does): a member added after the snapshot
   * was taken must find itself in it, or it ignores the snapshot; the conf changes between
   * the snapshot and now are applied again from the log, which is idempotent.
   */
  private send(messages: Message[]): void {
    if (messages.length === 0) return;
    for (const m of messages) {
      if (m.type !== MessageType.MsgSnap || m.snapshot === undefined) continue;
      this.snapshotsInFlight += 1;
      const metadata = { ...m.snapshot.metadata, confState: structuredClone(this.confState) };
      m.snapshot = { ...m.snapshot, metadata };
    }
    this.transport.send(messages);
  }

  private async restoreSnapshot(snapshot: Snapshot): Promise<void> {
    const { index } = snapshot.metadata;
    assert(index > this.applied, 'a snapshot to restore is newer than the applied state');
    await this.applier.restore(snapshot.data, snapshot.metadata);
    this.applied = index;
    this.snapshotIndex = index;
    this.confState = structuredClone(snapshot.metadata.confState);
  }

  /** applyEntries applies committed entries in order, exactly once each. */
  private applyEntries(entries: readonly Entry[]): void {
    const started = this.o.now();
    for (const e of entries) {
      if (e.index <= this.applied) continue;
      assert(e.index === this.applied + 1, 'committed entries are applied without gaps');
      switch (e.type) {
        case EntryType.Normal:
          if (e.data.byteLength > 0) this.applyNormal(e);
          break;
        case EntryType.ConfChange:
        case EntryType.ConfChangeV2:
          this.applyConfChange(e);
          break;
        default:
          assertNever(e.type, 'entry type');
      }
      this.applied = e.index;
    }
    this.stats.entriesApplied += entries.length;
    this.metrics.applied((this.o.now() - started) / 1000, this.applied);
    this.metrics.pending(this.proposals.size);
  }

  private applyNormal(e: Entry): void {
    const { id, payload } = unwrap(e.data);
    const result = this.applier.apply({ index: e.index, term: e.term, data: payload });
    if (id.incarnation !== this.ids.incarnation) return;
    const ageMs = this.proposals.resolve(id.sequence, { index: e.index, result });
    if (ageMs !== undefined) this.metrics.proposalCommitted(ageMs / 1000);
  }

  private applyConfChange(e: Entry): void {
    const change = decodeConfChange(e.data);
    const confState = this.node().applyConfChange(change);
    this.confState = confState;
    let context = change.context;
    if (isEnvelope(change.context)) {
      const { id, payload } = unwrap(change.context);
      context = payload;
      if (id.incarnation === this.ids.incarnation) {
        const result = { index: e.index, confState: structuredClone(confState) };
        this.proposals.resolve(id.sequence, result);
      }
    }
    this.applier.applyConfChange?.({ index: e.index, change, context, confState });
    if (change.kind === 'v1' && change.type === ConfChangeType.RemoveNode) {
      const member = [...confState.voters, ...confState.learners].includes(this.id);
      if (change.nodeId === this.id && !member) this.removed = true;
    }
  }

  private noteReadStates(readStates: readonly ReadState[]): void {
    for (const rs of readStates) {
      if (!isEnvelope(rs.requestCtx)) continue;
      const { id } = unwrap(rs.requestCtx);
      if (id.incarnation === this.ids.incarnation) this.reads.confirm(id.sequence, rs.index);
    }
  }

  /** afterAdvance serves reads that became applicable and announces leadership readiness. */
  private afterAdvance(): void {
    this.reads.resolveConfirmedUpTo(this.applied, (index) => index);
    if (!this.announcedLeader && this.isLeader) {
      this.announcedLeader = true;
      this.announce();
    }
    if (this.removed) {
      this.logger.info({ raftId: this.id }, 'raft member removed from the cluster; stopping');
      setImmediate(() => void this.stop());
    }
  }

  private noteSoftState(ss: SoftState, rd: Ready): void {
    const wasLeader = this.role === StateType.Leader;
    const leaderChanged = ss.lead !== this.lead;
    this.role = ss.raftState;
    this.lead = ss.lead;
    if (wasLeader && ss.raftState !== StateType.Leader) this.loseLeadership();
    if (!wasLeader && ss.raftState === StateType.Leader) this.armLeader(rd);
    if (leaderChanged) {
      this.reads.rejectUnconfirmed(notLeaderError(ss.lead));
      this.metrics.leader(ss.lead, ss.lead === this.id, true);
      this.announce();
    }
  }

  /**
   * noteHardState tracks term, vote and commit. A leader whose term moved between two Readys
   * (it stepped down and won again) lost its earlier term's waiters all the same.
   */
  private noteHardState(rd: Ready): void {
    const hs = rd.hardState;
    assert(hs !== undefined, 'a HardState to note');
    const termChanged = hs.term !== this.term;
    this.term = hs.term;
    this.vote = hs.vote;
    this.commit = hs.commit;
    this.metrics.hardState(this.term, this.commit);
    if (termChanged && this.leaderTerm !== 0 && this.leaderTerm !== this.term) {
      this.loseLeadership();
      if (this.role === StateType.Leader) this.armLeader(rd);
    }
  }

  /**
   * armLeader records a new leadership: the leader's empty entry is in this Ready, and the
   * leader accepts proposals once it has applied up to it (it has applied its whole log).
   */
  private armLeader(rd: Ready): void {
    const last = rd.entries[rd.entries.length - 1];
    this.leaderReadyIndex = last?.index ?? this.memoryStorage().lastIndex();
    this.leaderTerm = rd.hardState?.term ?? this.term;
  }

  /** loseLeadership fails every waiter of this member's leadership (they cannot complete). */
  private loseLeadership(): void {
    this.leaderTerm = 0;
    this.leaderReadyIndex = Number.MAX_SAFE_INTEGER;
    this.announcedLeader = false;
    this.pendingConfChange = undefined;
    const failed = this.proposals.rejectAll(lostLeadershipError());
    for (let i = 0; i < failed; i++) this.metrics.proposalFailed('lost-leadership');
    this.metrics.pending(0);
    for (const p of this.queued) this.proposals.reject(p.sequence, lostLeadershipError());
    this.queued = [];
  }

  private announce(): void {
    const change: LeaderChange = { leaderId: this.lead, term: this.term, isLeader: this.isLeader };
    this.metrics.leader(this.lead, change.isLeader, false);
    for (const listener of [...this.leaderListeners]) listener(change);
  }

  /**
   * maybeStartSnapshot starts a snapshot of the state machine at the applied index once
   * `snapshotIntervalEntries` were applied since the last one. The applier captures its state
   * now (synchronously); encoding it and writing the file run in the background while the
   * loop goes on, so a large state machine does not stall replication. The loop then records
   * it between two Readys ({@link recordSnapshot}).
   */
  private maybeStartSnapshot(): void {
    if (this.snapshotTask !== undefined || this.snapshotWritten !== undefined) return;
    if (this.applied - this.snapshotIndex < this.o.snapshotIntervalEntries) return;
    const started = this.o.now();
    const index = this.applied;
    const metadata = {
      index,
      term: this.memoryStorage().term(index),
      confState: structuredClone(this.confState),
    };
    const pending = Promise.resolve(this.applier.snapshot());
    this.snapshotTask = (async () => {
      const snapshot: Snapshot = { metadata, data: await pending };
      if (this.phase !== 'running') return;
      await this.readyWriter().writeSnapshotFile(snapshot);
      this.snapshotWritten = { snapshot, started };
    })().then(
      () => {
        this.snapshotTask = undefined;
        this.schedulePump();
      },
      (error: unknown) => {
        this.snapshotTask = undefined;
        this.fail('snapshot', error);
      },
    );
  }

  /**
   * recordSnapshot makes a written snapshot count: it enters MemoryStorage, its WAL marker is
   * saved, then the raft log is compacted keeping `logEntriesForSlowFollowers` entries and
   * old WAL segments are released. Compaction waits while a snapshot is being sent (the
   * follower needs the log after it). A snapshot overtaken by a restored one is dropped.
   */
  private async recordSnapshot(written: { snapshot: Snapshot; started: number }): Promise<void> {
    this.snapshotWritten = undefined;
    const { metadata, data } = written.snapshot;
    const { index } = metadata;
    if (index <= this.snapshotIndex) return;
    const storage = this.memoryStorage();
    const snapshot = storage.createSnapshot(index, metadata.confState, data);
    await this.readyWriter().recordSnapshot(snapshot);
    this.snapshotIndex = index;
    this.stats.snapshots += 1;
    const compactTo = index - this.o.logEntriesForSlowFollowers;
    if (compactTo >= storage.firstIndex() && this.snapshotsInFlight === 0) {
      storage.compact(compactTo);
      await this.readyWriter().releaseBefore(compactTo);
    }
    this.metrics.snapshot((this.o.now() - written.started) / 1000);
  }

  // ---- failure ----------------------------------------------------------------------------

  /**
   * fail stops the node for good after a failure it must not continue on (durable storage,
   * applier, or a broken invariant): ticks stop, waiters fail, the transport stops and
   * listeners hear of it. An AssertionFailure is rethrown afterwards, to crash the process.
   */
  private fail(what: string, error: unknown): void {
    if (this.fatal !== undefined) return;
    const fatal = new RaftNodeFatalError(what, error);
    this.fatal = fatal;
    this.phase = 'failed';
    this.cancelTick();
    this.acks.drop();
    this.failWaiters(fatalWaiterError(fatal));
    this.logger.error({ err: error, raftId: this.id }, fatal.message);
    void this.transport.stop().catch(() => undefined);
    for (const listener of [...this.fatalListeners]) listener(fatal);
    if (error instanceof AssertionFailure) throw error;
  }

  private failWaiters(error: Error): void {
    for (const p of this.queued) this.proposals.reject(p.sequence, error);
    this.queued = [];
    this.proposals.rejectAll(error);
    this.reads.rejectAll(error);
    this.metrics.pending(0);
  }

  private node(): RawNode {
    assert(this.rawNode !== undefined, 'raft node is started');
    return this.rawNode;
  }

  private readyWriter(): ReadyWriter {
    assert(this.writer !== undefined, 'raft node is started');
    return this.writer;
  }

  private memoryStorage(): MemoryStorage {
    assert(this.storage !== undefined, 'raft node is started');
    return this.storage;
  }
}
