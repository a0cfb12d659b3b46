/**
 * The durable-storage port of the raft shell, and MemoryPersistence, its in-memory
 * reference implementation (no disk: for unit tests and the simulator). The real one is
 * WalPersistence (`wal-persistence.ts`): the WAL plus snapshot files.
 */
import { assert } from '@shoal/assert';
import type { Entry, HardState, Snapshot } from '@shoal/raft';

/** PersistedState is what a node restarts from: the newest usable snapshot and the log after it. */
export interface PersistedState {
  hardState: HardState;
  /** Entries after `snapshot` (or from index 1), contiguous. */
  entries: Entry[];
  snapshot?: Snapshot;
}

/** SaveBatch is what one Ready persists: new entries, then the HardState if it changed. */
export interface SaveBatch {
  hardState?: HardState;
  entries: readonly Entry[];
  /** raft's MustSync: the batch must be durable (one fsync) when `save` resolves. */
  mustSync: boolean;
  /**
   * A hint that the caller waits for the fsync with nothing to overlap (a follower, whose
   * ack waits for it): the fsync may run on the calling thread (WalSaveBatch.inlineSync).
   */
  inlineSync?: boolean;
}

/**
 * RaftPersistence is a member's durable state: its log, HardState and snapshots.
 *
 * Contract:
 * - `load` returns what was persisted, or undefined when nothing was ever created here.
 * - `create` makes the storage, durably holding `initial` (a new cluster's bootstrap
 *   entries, or nothing for a joining member). Then it is open for writing.
 * - `save` appends `entries` (the first may overwrite a persisted suffix: raft truncation)
 *   and then the HardState, with exactly one fsync when `mustSync`. Calls never overlap.
 * - `saveSnapshot` makes a snapshot durable and records it, so that `load` may start from
 *   it; `releaseBefore(i)` may then discard log entries below `i` (i <= that snapshot).
 * - A member's own snapshot is saved in two steps so the Ready loop need not wait for the
 *   file: `writeSnapshotFile` makes the file durable without touching the log (it may
 *   overlap `save`, but no other snapshot call, `releaseBefore` or `close`), then
 *   `recordSnapshot` records it as `saveSnapshot` would.
 * - Any rejection is fatal to the node: the durable state is then unknown.
 */
export interface RaftPersistence {
  load(): Promise<PersistedState | undefined>;
  create(initial: PersistedState): Promise<void>;
  save(batch: SaveBatch): Promise<void>;
  saveSnapshot(snapshot: Snapshot): Promise<void>;
  writeSnapshotFile(snapshot: Snapshot): Promise<void>;
  recordSnapshot(snapshot: Snapshot): Promise<void>;
  releaseBefore(index: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * MemoryPersistence keeps a member's state in memory: what `save` stored is what `load`
 * returns to the next RaftNode given the same instance (a restart without a disk).
 * `syncs` counts synced saves (group-commit tests).
 */
export class MemoryPersistence implements RaftPersistence {
  /** syncs counts saves that asked for an fsync. */
  syncs = 0;
  private state: PersistedState | undefined;

  /** load returns a copy of the stored state (undefined before `create`). */
  async load(): Promise<PersistedState | undefined> {
    const s = this.state;
    if (s === undefined) return undefined;
    const copy: PersistedState = { hardState: { ...s.hardState }, entries: [...s.entries] };
    if (s.snapshot !== undefined) copy.snapshot = s.snapshot;
    return copy;
  }

  /** create stores `initial`; creating twice is a programmer error. */
  async create(initial: PersistedState): Promise<void> {
    assert(this.state === undefined, 'memory persistence is created once');
    this.state = { hardState: { ...initial.hardState }, entries: [...initial.entries] };
  }

  /** save implements {@link RaftPersistence.save}. */
  async save(batch: SaveBatch): Promise<void> {
    const s = this.opened();
    if (batch.entries.length > 0) {
      const first = (batch.entries[0] as Entry).index;
      const base = s.snapshot?.metadata.index ?? 0;
      assert(first > base, 'entries follow the snapshot');
      assert(first <= base + s.entries.length + 1, 'entries leave no gap');
      s.entries = [...s.entries.slice(0, first - base - 1), ...batch.entries];
    }
    if (batch.hardState !== undefined) s.hardState = { ...batch.hardState };
    if (batch.mustSync) this.syncs += 1;
  }

  /** saveSnapshot keeps `snapshot` and drops the entries it covers. */
  async saveSnapshot(snapshot: Snapshot): Promise<void> {
    const s = this.opened();
    const base = s.snapshot?.metadata.index ?? 0;
    const index = snapshot.metadata.index;
    assert(index >= base, 'snapshots never go back');
    s.entries = s.entries.slice(Math.min(s.entries.length, index - base));
    if (s.entries.length > 0) assert((s.entries[0] as Entry).index === index + 1, 'log follows');
    s.snapshot = snapshot;
    if (s.hardState.commit < index) s.hardState = { ...s.hardState, commit: index };
  }

  /** writeSnapshotFile has no file to write: the snapshot is kept by `recordSnapshot`. */
  async writeSnapshotFile(snapshot: Snapshot): Promise<void> {
    assert(snapshot.metadata.index > 0, 'a snapshot has an index');
  }

  /** recordSnapshot is {@link saveSnapshot} (there is no separate file). */
  recordSnapshot(snapshot: Snapshot): Promise<void> {
    return this.saveSnapshot(snapshot);
  }

  /** releaseBefore does nothing more: entries covered by the snapshot are already gone. */
  async releaseBefore(index: number): Promise<void> {
    const s = this.opened();
    assert(index <= (s.snapshot?.metadata.index ?? 0), 'release only what a snapshot covers');
  }

  /** close does nothing; the state stays for the next load. */
  async close(): Promise<void> {
    return;
  }

  private opened(): PersistedState {
    assert(this.state !== undefined, 'memory persistence was created');
    return this.state;
  }
}
