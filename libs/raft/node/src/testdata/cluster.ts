/**
 * TestCluster: RaftNodes over a LocalTransportHub, each with a WAL on its own in-memory
 * file system (MemoryWalFs), driven by one ManualClock. Ticks and deadlines move only when a
 * test advances the clock; I/O and message delivery run on the real event loop and are
 * drained by `settle`.
 */
import { ManualClock } from '@shoal/clock';
import { SeededRandom } from '@shoal/random';
import { MemoryWalFs } from '@shoal/raft-wal';
import type { SnapshotMetadata } from '@shoal/raft';
import type { Applier, AppliedConfChange, AppliedEntry } from '../applier';
import { LocalTransportHub } from '../local-transport';
import { RaftNode } from '../raft-node';
import type { RaftNodeOptions } from '../options';
import { WalPersistence } from '../wal-persistence';

export const TICK_MS = 100;
const SETTLE_ROUNDS = 30;

/**
 * RecordingApplier keeps every applied payload as text, in order; snapshots are JSON. `apply`
 * returns how many entries it has applied (the proposer receives it as `result`).
 */
export class RecordingApplier implements Applier<number> {
  applied: { index: number; text: string }[] = [];
  confChanges: AppliedConfChange[] = [];
  restores = 0;

  apply(entry: AppliedEntry): number {
    this.applied.push({ index: entry.index, text: new TextDecoder().decode(entry.data) });
    return this.applied.length;
  }

  snapshot(): Uint8Array | Promise<Uint8Array> {
    return new TextEncoder().encode(JSON.stringify(this.applied));
  }

  restore(data: Uint8Array, _metadata: SnapshotMetadata): void {
    this.restores += 1;
    this.applied = JSON.parse(new TextDecoder().decode(data)) as typeof this.applied;
  }

  applyConfChange(change: AppliedConfChange): void {
    this.confChanges.push(change);
  }

  texts(): string[] {
    return this.applied.map((a) => a.text);
  }
}

/** settle lets pending I/O, deliveries and Ready loops run (several event-loop turns). */
export async function settle(rounds = SETTLE_ROUNDS): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** bytes encodes text as a payload. */
export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export interface MemberOptions {
  peers?: number[];
  fs?: MemoryWalFs;
  extra?: Partial<RaftNodeOptions<number>>;
}

/** TestCluster owns the members of one in-process cluster. */
export class TestCluster {
  readonly clock = new ManualClock();
  readonly random = new SeededRandom(7);
  readonly hub = new LocalTransportHub({ timers: this.clock, random: this.random });
  readonly nodes = new Map<number, RaftNode<number>>();
  readonly appliers = new Map<number, RecordingApplier>();
  readonly fss = new Map<number, MemoryWalFs>();

  constructor(private readonly defaults: Partial<RaftNodeOptions<number>> = {}) {}

  /** startMembers starts founding members `ids` of a new cluster. */
  async startMembers(ids: number[]): Promise<void> {
    for (const id of ids) await this.startMember(id, { peers: ids });
  }

  /** startMember starts member `id` on its file system (a fresh one unless given). */
  async startMember(id: number, options: MemberOptions = {}): Promise<RaftNode<number>> {
    const fs = options.fs ?? this.fss.get(id) ?? new MemoryWalFs();
    this.fss.set(id, fs);
    const applier = new RecordingApplier();
    const node = new RaftNode<number>({
      id,
      peers: options.peers ?? [],
      persistence: new WalPersistence({
        dir: `/data/${id}`,
        nodeId: id,
        fs,
        segmentBytes: 64 * 1024,
        recordBytesMax: 16 * 1024,
      }),
      transport: this.hub.connect(id),
      applier,
      timers: this.clock,
      random: this.random.fork(),
      tickMs: TICK_MS,
      ...this.defaults,
      ...options.extra,
    });
    this.nodes.set(id, node);
    this.appliers.set(id, applier);
    await node.start();
    return node;
  }

  /** crash stops member `id` without syncing and keeps only what its disk had synced. */
  async crash(id: number): Promise<void> {
    await this.node(id).stop({ flush: false });
    this.fss.set(id, this.fs(id).crash({ kind: 'lose' }));
  }

  node(id: number): RaftNode<number> {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no member ${id}`);
    return n;
  }

  applier(id: number): RecordingApplier {
    const a = this.appliers.get(id);
    if (a === undefined) throw new Error(`no applier ${id}`);
    return a;
  }

  fs(id: number): MemoryWalFs {
    const f = this.fss.get(id);
    if (f === undefined) throw new Error(`no fs ${id}`);
    return f;
  }

  /** running lists the members whose node runs. */
  running(): RaftNode<number>[] {
    return [...this.nodes.values()].filter((n) => n.status().phase === 'running');
  }

  /** leader returns the running member that accepts proposals, if exactly one does. */
  leader(): RaftNode<number> | undefined {
    const leaders = this.running().filter((n) => n.isLeader);
    return leaders.length === 1 ? leaders[0] : undefined;
  }

  /** waitFor settles and ticks until `cond` holds, failing after `maxTicks` ticks. */
  async waitFor(cond: () => boolean, what: string, maxTicks = 200): Promise<void> {
    for (let i = 0; i <= maxTicks; i++) {
      await settle();
      if (cond()) return;
      this.clock.advance(TICK_MS);
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  /** waitForLeader waits until one running member leads and accepts proposals. */
  async waitForLeader(): Promise<RaftNode<number>> {
    await this.waitFor(() => this.leader() !== undefined, 'a leader');
    return this.leader() as RaftNode<number>;
  }

  /** settleWith runs `promise` to completion while draining I/O (no ticks). */
  async resolve<T>(promise: Promise<T>, maxTicks = 50): Promise<T> {
    let done = false;
    const watched = promise.finally(() => {
      done = true;
    });
    watched.catch(() => undefined);
    await this.waitFor(() => done, 'a request', maxTicks);
    return watched;
  }

  /** stopAll stops every running member (flushing). */
  async stopAll(): Promise<void> {
    for (const n of this.nodes.values()) await n.stop();
  }
}
