/**
 * SimNode: the shell around one RawNode, as the raft-store would run it, over a SimDisk.
 * It follows the Ready contract of `@shoal/raft` (RawNode's class comment): persist the
 * snapshot, entries and HardState, fsync when `mustSync`, make them visible in
 * MemoryStorage, then send, then apply, then advance. A crash drops everything but the
 * disk; a restart rebuilds MemoryStorage and the state machine from the durable image and
 * passes the snapshot index as `applied`.
 *
 * The shell can crash in the middle of a Ready (after the writes, after the fsync, half way
 * through sending, before advance), and can be built wrong on purpose (ShellBehaviour) so
 * that tests can prove the checkers notice.
 */
import { assert } from '@shoal/assert';
import {
  ConfState,
  decodeConfChange,
  ElectionRandom,
  Entry,
  EntryType,
  MemoryStorage,
  Message,
  RawNode,
  Ready,
  Snapshot,
  StepResult,
} from '@shoal/raft';
import type { KvInput, KvOutput } from '@shoal/testing-linearizability';
import { CrashLoss, DiskImage, SimDisk } from './disk';
import {
  decodeCommand,
  decodeReadContext,
  encodeCommand,
  encodeReadContext,
  KvStateMachine,
} from './kv';
import type { Random } from '@shoal/random';
import { SIM_LIMITS } from '@shoal/limits';

/** ShellBehaviour: the correct shell, or a deliberately broken one (mutation tests). */
export enum ShellBehaviour {
  Correct = 'correct',
  /** Applies entries as soon as they are appended, before they are committed. */
  ApplyUncommitted = 'apply-uncommitted',
  /** Sends a Ready's messages before its HardState is written, and never fsyncs it. */
  SendBeforePersistHardState = 'send-before-persist-hardstate',
  /** Answers reads from local state at once, without ReadIndex (etcd 0.4.1's stale reads). */
  StaleLocalReads = 'stale-local-reads',
}

/** CrashPoint is where inside one Ready a crash strikes. */
export enum CrashPoint {
  /** Written to the page cache, not yet fsynced (an fsync error ends here too). */
  AfterWrite = 1,
  /** Durable, nothing sent yet. */
  AfterSync = 2,
  /** Some of the messages sent. */
  MidSend = 3,
  /** Sent and applied, advance() not called. */
  BeforeAdvance = 4,
}

/** NodeState is a node's life: running, crashed (restartable), or removed for good. */
export type NodeState = 'up' | 'down' | 'decommissioned';

/** StepHook wraps the core's step (test-only): call `step` zero or more times. */
export type StepHook = (node: SimNode, m: Message, step: (m: Message) => StepResult) => void;

/**
 * ShellObserver is how a node reports to the simulator (checkers, clients, network).
 * Every callback runs synchronously inside the node's Ready handling.
 */
export interface ShellObserver {
  readyTaken(node: SimNode, rd: Ready): void;
  /** Whether (and where) to crash in the Ready just taken. */
  crashPoint(node: SimNode, rd: Ready): CrashPoint | undefined;
  entriesWritten(node: SimNode, entries: readonly Entry[], prevTerm: number): void;
  send(node: SimNode, m: Message): void;
  applied(node: SimNode, entry: Entry, opId: number | undefined, output: KvOutput | undefined): void;
  confChangeApplied(node: SimNode, index: number, cs: ConfState): void;
  snapshotApplied(node: SimNode, snapshot: Snapshot): void;
  readServed(node: SimNode, opId: number, value: string | undefined): void;
}

/** SimNodeOptions are fixed for a node's whole life. */
export interface SimNodeOptions {
  id: number;
  disk: SimDisk;
  founders: readonly number[];
  behaviour: ShellBehaviour;
  observer: ShellObserver;
  stepHook?: StepHook;
  /** Take a snapshot after this many applied entries (0: never). */
  snapshotEveryEntries: number;
  /** Entries kept behind a snapshot for slow followers. */
  snapshotKeepEntries: number;
  preVote: boolean;
  checkQuorum: boolean;
}

/**
 * ShellStorage is MemoryStorage whose `snapshot()` (what a leader sends to a follower that
 * needs one) is built fresh at the applied index, as etcd's server does ("merged snapshot"):
 * a stored snapshot may predate the conf change that added the follower, which would then
 * refuse it as not naming it (etcd-raft's restore) and never catch up.
 */
class ShellStorage extends MemoryStorage {
  fresh: (() => Snapshot | undefined) | undefined;

  /** snapshot returns a snapshot at the applied index, or the stored one. */
  override snapshot(): Snapshot {
    return this.fresh?.() ?? super.snapshot();
  }

  /** storedSnapshot is the last snapshot saved (taken or received). */
  storedSnapshot(): Snapshot {
    return super.snapshot();
  }
}

interface PendingRead {
  key: string;
  index: number | undefined;
}

/** SimNode: see the file comment. Methods that need a running node assert it is up. */
export class SimNode {
  readonly id: number;
  readonly disk: SimDisk;
  state: NodeState = 'down';
  /** incarnation counts starts; anything tagged with an older one is stale. */
  incarnation = 0;
  /** pausedUntil: a paused node handles nothing before this time (a process pause). */
  pausedUntil = 0;
  /** crashPoint is where the last Ready crashed (0: none). */
  crashPoint: CrashPoint | 0 = 0;
  private node: RawNode | undefined;
  private storage: ShellStorage | undefined;
  private freshSnapshot: Snapshot | undefined;
  private kv = new KvStateMachine();
  private appliedIndex = 0;
  private confState: ConfState | undefined;
  private pendingReads = new Map<number, PendingRead>();

  /** The constructor creates a stopped node; call {@link start}. */
  constructor(private readonly options: SimNodeOptions) {
    this.id = options.id;
    this.disk = options.disk;
  }

  /** rawNode is the running RawNode (asserts the node is up). */
  get rawNode(): RawNode {
    assert(this.node !== undefined, `node ${this.id} is up`);
    return this.node;
  }

  /** applied is the index of the last entry applied in this incarnation. */
  get applied(): number {
    return this.appliedIndex;
  }

  /** start (re)starts the node from its durable image. */
  start(random: ElectionRandom): void {
    assert(this.state === 'down', `node ${this.id} starts only when down`);
    const image = this.disk.image();
    const storage = recoverStorage(image, this.options.founders);
    this.kv = new KvStateMachine();
    this.kv.restore(image.snapshot.data);
    this.appliedIndex = image.snapshot.metadata.index;
    this.confState = storage.initialState().confState;
    this.pendingReads = new Map();
    this.freshSnapshot = undefined;
    storage.fresh = () => this.snapshotForPeer();
    this.storage = storage;
    this.node = new RawNode({
      id: this.id,
      storage,
      random,
      applied: this.appliedIndex,
      electionTicks: SIM_LIMITS.electionTicks,
      heartbeatTicks: SIM_LIMITS.heartbeatTicks,
      preVote: this.options.preVote,
      checkQuorum: this.options.checkQuorum,
    });
    this.state = 'up';
    this.incarnation += 1;
  }

  /** crash stops the node: volatile state is gone, the disk loses what was not synced. */
  crash(random: Random, tornTail: boolean): CrashLoss {
    assert(this.state === 'up', `node ${this.id} crashes only when up`);
    this.node = undefined;
    this.storage = undefined;
    this.pendingReads = new Map();
    this.state = 'down';
    this.pausedUntil = 0;
    return this.disk.crash(random, tornTail);
  }

  /** decommission stops the node for good (it was removed from the cluster). */
  decommission(): void {
    this.node = undefined;
    this.storage = undefined;
    this.pendingReads = new Map();
    this.state = 'decommissioned';
  }

  /** tick advances the node's logical clock; returns false if it crashed meanwhile. */
  tick(): boolean {
    this.rawNode.tick();
    return this.handleReady();
  }

  /** receive steps a message from the network; returns false if it crashed meanwhile. */
  receive(m: Message): boolean {
    const node = this.rawNode;
    const step = (msg: Message): StepResult => node.step(msg);
    const hook = this.options.stepHook;
    if (hook === undefined) step(m);
    else hook(this, m, step);
    return this.handleReady();
  }

  /** propose submits a client command; null means accepted for now. */
  propose(opId: number, input: KvInput): StepResult {
    return this.rawNode.propose(encodeCommand({ opId, input }));
  }

  /** read starts a ReadIndex read of `key` for operation `opId`. */
  read(opId: number, key: string): void {
    if (this.options.behaviour === ShellBehaviour.StaleLocalReads) {
      this.options.observer.readServed(this, opId, this.kv.read(key));
      return;
    }
    this.pendingReads.set(opId, { key, index: undefined });
    this.rawNode.readIndex(encodeReadContext(opId));
  }

  /** answer returns this node's recorded answer for an applied operation, if any. */
  answer(opId: number): KvOutput | undefined {
    return this.kv.answer(opId);
  }

  /**
   * handleReady runs the Ready loop until the node has nothing more to hand out. Returns
   * false when the observer crashed the node inside a Ready (the caller then crashes it).
   */
  handleReady(): boolean {
    const node = this.rawNode;
    for (let round = 0; node.hasReady(); round++) {
      assert(round < SIM_LIMITS.readyLoopMax, `node ${this.id} hands out Readies forever`);
      if (!this.processReady(node, node.ready())) return false;
    }
    this.maybeSnapshot();
    return true;
  }

  private processReady(node: RawNode, rd: Ready): boolean {
    const observer = this.options.observer;
    observer.readyTaken(this, rd);
    const crash = observer.crashPoint(this, rd);
    this.crashPoint = crash ?? 0;
    const deferHardState = this.options.behaviour === ShellBehaviour.SendBeforePersistHardState;
    this.write(rd, deferHardState);
    if (crash === CrashPoint.AfterWrite) return false;
    if (rd.mustSync) this.disk.sync();
    if (crash === CrashPoint.AfterSync) return false;
    this.makeVisible(rd);
    const sendCount = crash === CrashPoint.MidSend ? rd.messages.length >> 1 : rd.messages.length;
    for (let i = 0; i < sendCount; i++) observer.send(this, rd.messages[i] as Message);
    if (crash === CrashPoint.MidSend) return false;
    // The broken shell writes the HardState only now, after its votes went out.
    if (deferHardState && rd.hardState !== undefined) {
      this.disk.write({ kind: 'hardState', hardState: rd.hardState });
    }
    this.applyReady(rd);
    if (crash === CrashPoint.BeforeAdvance) return false;
    node.advance();
    return true;
  }

  private write(rd: Ready, deferHardState: boolean): void {
    const storage = this.storage as ShellStorage;
    if (rd.snapshot !== undefined) {
      const hs = rd.hardState;
      assert(hs !== undefined, 'a Ready with a snapshot carries the HardState committing it');
      this.disk.installSnapshot(rd.snapshot, hs);
    }
    if (rd.entries.length > 0) {
      const first = (rd.entries[0] as Entry).index;
      const prevTerm = rd.snapshot?.metadata.index === first - 1
        ? rd.snapshot.metadata.term
        : termBefore(storage, first);
      this.options.observer.entriesWritten(this, rd.entries, prevTerm);
      this.disk.write({ kind: 'entries', entries: rd.entries });
    }
    if (rd.hardState !== undefined && !deferHardState) {
      this.disk.write({ kind: 'hardState', hardState: rd.hardState });
    }
  }

  private makeVisible(rd: Ready): void {
    const storage = this.storage as ShellStorage;
    if (rd.snapshot !== undefined) storage.applySnapshot(rd.snapshot);
    storage.append(rd.entries);
    if (rd.hardState !== undefined) storage.setHardState(rd.hardState);
  }

  private applyReady(rd: Ready): void {
    if (rd.snapshot !== undefined) {
      this.kv.restore(rd.snapshot.data);
      this.appliedIndex = rd.snapshot.metadata.index;
      this.confState = rd.snapshot.metadata.confState;
      this.options.observer.snapshotApplied(this, rd.snapshot);
    }
    const early = this.options.behaviour === ShellBehaviour.ApplyUncommitted;
    const toApply = early ? [...rd.entries, ...rd.committedEntries] : rd.committedEntries;
    for (const e of toApply) {
      if (early && e.index !== this.appliedIndex + 1) continue;
      this.applyEntry(e);
    }
    for (const rs of rd.readStates) {
      const read = this.pendingReads.get(decodeReadContext(rs.requestCtx));
      if (read !== undefined && read.index === undefined) read.index = rs.index;
    }
    this.serveReads();
  }

  private applyEntry(e: Entry): void {
    const observer = this.options.observer;
    if (e.type === EntryType.Normal) {
      this.appliedIndex = e.index;
      const command = decodeCommand(e.data);
      const output = command === undefined ? undefined : this.kv.apply(command);
      observer.applied(this, e, command?.opId, output);
      return;
    }
    observer.applied(this, e, undefined, undefined);
    // The core may ask for a snapshot while it switches configuration; until the switch is
    // done, the applied index and membership stay those before this entry.
    const cs = this.rawNode.applyConfChange(decodeConfChange(e.data));
    this.appliedIndex = e.index;
    this.confState = cs;
    observer.confChangeApplied(this, e.index, cs);
  }

  private serveReads(): void {
    for (const [opId, read] of this.pendingReads) {
      if (read.index === undefined || read.index > this.appliedIndex) continue;
      this.pendingReads.delete(opId);
      this.options.observer.readServed(this, opId, this.kv.read(read.key));
    }
  }

  /**
   * snapshotForPeer builds (and caches) a snapshot of the state machine at the applied
   * index, or undefined to fall back to the stored one.
   */
  private snapshotForPeer(): Snapshot | undefined {
    const storage = this.storage as ShellStorage;
    const index = this.appliedIndex;
    if (index <= storage.storedSnapshot().metadata.index) return undefined;
    if (index > this.rawNode.raft.raftLog.committed) return undefined;
    if (this.freshSnapshot?.metadata.index === index) return this.freshSnapshot;
    const confState = this.confState;
    assert(confState !== undefined, 'a running node knows its membership');
    const metadata = { index, term: storage.term(index), confState };
    this.freshSnapshot = { metadata, data: this.kv.encode() };
    return this.freshSnapshot;
  }

  /** maybeSnapshot takes a snapshot and compacts the log every so many applied entries. */
  private maybeSnapshot(): void {
    const every = this.options.snapshotEveryEntries;
    const storage = this.storage as ShellStorage;
    const snapshotIndex = storage.storedSnapshot().metadata.index;
    if (every === 0 || this.appliedIndex - snapshotIndex < every) return;
    // A broken shell may have applied past the commit index: never snapshot that.
    if (this.appliedIndex > this.rawNode.raft.raftLog.committed) return;
    const cs = this.confState;
    assert(cs !== undefined, 'a running node knows its membership');
    const snapshot = storage.createSnapshot(this.appliedIndex, cs, this.kv.encode());
    this.disk.saveSnapshot(snapshot);
    const compactIndex = this.appliedIndex - this.options.snapshotKeepEntries;
    if (compactIndex >= storage.firstIndex()) {
      storage.compact(compactIndex);
      this.disk.compact(compactIndex);
    }
  }
}

/** recoverStorage rebuilds the raft-visible log from a durable image. */
function recoverStorage(image: DiskImage, founders: readonly number[]): ShellStorage {
  const storage = new ShellStorage({ voters: [...founders] });
  if (image.snapshot.metadata.index > 0) storage.applySnapshot(image.snapshot);
  const last = storage.lastIndex();
  const entries = image.entries.filter((e) => e.index > last);
  storage.append(entries);
  storage.setHardState(image.hardState);
  return storage;
}

/** termBefore is the term of the entry preceding `index` in `storage` (0 if unknown). */
function termBefore(storage: MemoryStorage, index: number): number {
  if (index - 1 < storage.firstIndex() - 1 || index - 1 > storage.lastIndex()) return 0;
  return storage.term(index - 1);
}
