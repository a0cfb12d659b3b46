/**
 * Cluster: RawNodes over MemoryStorage with a message queue, driven exactly as a shell
 * would drive them (persist, send, apply, advance). Used by scenario tests that need the
 * full Ready loop (restarts, applied conf changes, auto-leave) and by the interaction env.
 */
import { assert } from '@shoal/assert';
import { Entry, EntryType, Message } from '../types';
import { Config } from '../config';
import { decodeConfChange } from '../conf-change';
import { RawNode, Ready } from '../raw-node';
import { StateType } from '../raft';
import { MemoryStorage } from '../storage';
import { testConfig } from './helpers';

/** ClusterNode is one member: its RawNode, its storage, and what it applied. */
export interface ClusterNode {
  id: number;
  rn: RawNode;
  storage: MemoryStorage;
  applied: Entry[];
  appliedIndex: number;
  overrides: Partial<Config>;
}

/** Cluster holds nodes and the messages in flight between them. */
export class Cluster {
  readonly nodes = new Map<number, ClusterNode>();
  /** queue holds sent, undelivered messages in send order. */
  queue: Message[] = [];
  /** dropFilter, when it returns true, drops a message at send time. */
  dropFilter: (m: Message) => boolean = () => false;

  /**
   * add creates node `id` with a fresh MemoryStorage whose membership is `voters`
   * (+ `learners`), using the etcd test defaults plus `overrides`.
   */
  add(
    id: number,
    voters: number[],
    learners: number[] = [],
    overrides: Partial<Config> = {},
  ): ClusterNode {
    const storage = new MemoryStorage({ voters, learners });
    return this.start(id, storage, overrides, 0);
  }

  /** start (re)creates node `id` from `storage`, with `applied` as Config.applied. */
  start(
    id: number,
    storage: MemoryStorage,
    overrides: Partial<Config>,
    applied: number,
  ): ClusterNode {
    const cfg = testConfig(id, 10, 1, storage, { ...overrides, applied });
    const node: ClusterNode = {
      id,
      rn: new RawNode(cfg),
      storage,
      applied: [],
      appliedIndex: applied,
      overrides,
    };
    this.nodes.set(id, node);
    return node;
  }

  /** restart crashes node `id` (dropping volatile state) and starts it from its storage. */
  restart(id: number): ClusterNode {
    const old = this.node(id);
    return this.start(id, old.storage, old.overrides, old.appliedIndex);
  }

  /** node returns member `id`. */
  node(id: number): ClusterNode {
    const n = this.nodes.get(id);
    assert(n !== undefined, `no node ${id}`);
    return n;
  }

  /**
   * processReady handles one Ready of node `id` like a shell: persist snapshot, entries and
   * HardState; queue its messages; apply the snapshot and committed entries (passing conf
   * changes to applyConfChange); advance. `onReady` sees the Ready before it is handled.
   * Returns the Ready, or undefined if none.
   */
  processReady(id: number, onReady: (rd: Ready) => void = () => undefined): Ready | undefined {
    const n = this.node(id);
    if (!n.rn.hasReady()) return undefined;
    const rd = n.rn.ready();
    onReady(rd);
    if (rd.snapshot !== undefined) n.storage.applySnapshot(rd.snapshot);
    n.storage.append(rd.entries);
    if (rd.hardState !== undefined) n.storage.setHardState(rd.hardState);
    for (const m of rd.messages) if (!this.dropFilter(m)) this.queue.push(m);
    if (rd.snapshot !== undefined) n.appliedIndex = rd.snapshot.metadata.index;
    for (const e of rd.committedEntries) this.apply(n, e);
    n.rn.advance();
    return rd;
  }

  /** deliver steps every queued message addressed to `to` (all when undefined). */
  deliver(to?: number): Message[] {
    const delivered: Message[] = [];
    const keep: Message[] = [];
    for (const m of this.queue) {
      if (to === undefined || m.to === to) delivered.push(m);
      else keep.push(m);
    }
    this.queue = keep;
    for (const m of delivered) {
      const n = this.nodes.get(m.to);
      if (n !== undefined) n.rn.step(m);
    }
    return delivered;
  }

  /** stabilize alternates processReady and deliver on every node until nothing moves. */
  stabilize(maxRounds = 10_000): void {
    for (let round = 0; round < maxRounds; round++) {
      let moved = false;
      for (const id of [...this.nodes.keys()].sort((a, b) => a - b)) {
        if (this.processReady(id) !== undefined) moved = true;
      }
      if (this.deliver().length > 0) moved = true;
      if (!moved) return;
    }
    throw new Error('cluster did not stabilize');
  }

  /** tickAll ticks every node once. */
  tickAll(): void {
    for (const n of this.nodes.values()) n.rn.tick();
  }

  /** leaders returns the ids of nodes that believe they lead. */
  leaders(): number[] {
    return [...this.nodes.values()]
      .filter((n) => n.rn.raft.state === StateType.Leader)
      .map((n) => n.id);
  }

  private apply(n: ClusterNode, e: Entry): void {
    assert(e.index === n.appliedIndex + 1, `apply in order: ${e.index} after ${n.appliedIndex}`);
    n.appliedIndex = e.index;
    n.applied.push(e);
    if (e.type === EntryType.ConfChange || e.type === EntryType.ConfChangeV2) {
      const cs = n.rn.applyConfChange(decodeConfChange(e.data));
      // Like a shell that snapshots on membership changes: a node added later then gets a
      // snapshot that names it, instead of the bootstrap one that does not.
      n.storage.createSnapshot(e.index, cs, n.storage.snapshot().data);
    }
  }
}
