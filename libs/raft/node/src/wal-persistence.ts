/**
 * WalPersistence is the real {@link RaftPersistence}: a write-ahead log (`<dir>/wal`) and
 * snapshot files (`<dir>/snap`) from `@shoal/raft-wal`, on node:fs or an injected WalFs.
 *
 * Restart follows etcd: read the snapshot markers the WAL has committed, load the newest
 * snapshot file among them (broken files are set aside), then replay the WAL from it.
 * A snapshot is saved as file (temp, fsync, rename) and then as a WAL marker, so the WAL
 * never points at a snapshot that is not durable.
 */
import { posix } from 'node:path';
import { assert } from '@shoal/assert';
import type { Snapshot } from '@shoal/raft';
import {
  Snapshotter,
  Wal,
  WalNotFoundError,
  type SlowSyncEvent,
  type WalFs,
  type WalOptions,
} from '@shoal/raft-wal';
import { INLINE_WRITE_WAL_FS } from './inline-write-fs';
import { RAFT_NODE_LIMITS } from '@shoal/limits';
import type { PersistedState, RaftPersistence, SaveBatch } from './persistence';

/** WalPersistenceOptions say where a member's data lives and how the WAL is laid out. */
export interface WalPersistenceOptions {
  /** The member's data directory; `wal/` and `snap/` are created under it. */
  dir: string;
  /** This member's raft id, recorded in every WAL segment. */
  nodeId: number;
  /** The cluster's id, recorded in every WAL segment (default 0: not yet known). */
  clusterId?: number;
  /**
   * File system; defaults to node:fs (the WAL's small writes inline, see
   * INLINE_WRITE_WAL_FS). Tests pass MemoryWalFs.
   */
  fs?: WalFs;
  /** WAL segment size (default WAL_LIMITS.segmentBytesDefault, 64 MiB). */
  segmentBytes?: number;
  /** Largest WAL record payload (default WAL_LIMITS.recordBytesMaxDefault). */
  recordBytesMax?: number;
  /** Snapshot files kept after each new one (default RAFT_NODE_LIMITS.snapshotFilesKeep). */
  snapshotFilesKeep?: number;
  /**
   * Whether a save the node marks `inlineSync` (a follower's) may fdatasync on the event loop
   * (default false). It spares a thread-pool round trip before the follower's ack, but the
   * loop is blocked meanwhile (watch streams of that member wait), and on the loaded 2-core
   * box it measured no better than the thread pool. Never with several members in one process.
   */
  inlineSync?: boolean;
  /** Called after an fsync slower than WAL_LIMITS.syncWarnMs. */
  onSlowSync?: (event: SlowSyncEvent) => void;
  /** Called for each snapshot file set aside as broken at load. */
  onBrokenSnapshot?: (event: { name: string; reason: string }) => void;
}

/** WalPersistence implements {@link RaftPersistence} on a Wal and a Snapshotter. */
export class WalPersistence implements RaftPersistence {
  private readonly walOptions: WalOptions;
  private readonly snapshotter: Snapshotter;
  private wal: Wal | undefined;

  constructor(private readonly options: WalPersistenceOptions) {
    assert(Number.isSafeInteger(options.nodeId) && options.nodeId > 0, 'node id is positive');
    const walOptions: WalOptions = { dir: posix.join(options.dir, 'wal') };
    walOptions.fs = options.fs ?? INLINE_WRITE_WAL_FS;
    if (options.segmentBytes !== undefined) walOptions.segmentBytes = options.segmentBytes;
    if (options.recordBytesMax !== undefined) walOptions.recordBytesMax = options.recordBytesMax;
    if (options.onSlowSync !== undefined) walOptions.onSlowSync = options.onSlowSync;
    this.walOptions = walOptions;
    this.snapshotter = new Snapshotter({
      dir: posix.join(options.dir, 'snap'),
      ...(options.fs === undefined ? {} : { fs: options.fs }),
      ...(options.onBrokenSnapshot === undefined ? {} : { onBroken: options.onBrokenSnapshot }),
    });
  }

  /** load implements {@link RaftPersistence.load}; the WAL stays open for appending. */
  async load(): Promise<PersistedState | undefined> {
    assert(this.wal === undefined, 'wal persistence is loaded once');
    let markers;
    try {
      markers = await Wal.readSnapshotMarkers(this.walOptions);
    } catch (error) {
      if (error instanceof WalNotFoundError) return undefined;
      throw error;
    }
    const snapshot = await this.snapshotter.loadNewestAvailable(markers);
    const fromSnapshot =
      snapshot === undefined
        ? undefined
        : { index: snapshot.metadata.index, term: snapshot.metadata.term };
    const opened = await Wal.open({
      ...this.walOptions,
      ...(fromSnapshot === undefined ? {} : { fromSnapshot }),
    });
    this.wal = opened.wal;
    const state: PersistedState = { hardState: opened.hardState, entries: opened.entries };
    if (snapshot !== undefined) state.snapshot = snapshot;
    return state;
  }

  /** create implements {@link RaftPersistence.create}: an empty WAL, then `initial` synced. */
  async create(initial: PersistedState): Promise<void> {
    assert(this.wal === undefined, 'wal persistence is created once');
    assert(initial.snapshot === undefined, 'a new member starts without a snapshot');
    const metadata = { nodeId: this.options.nodeId, clusterId: this.options.clusterId ?? 0 };
    this.wal = await Wal.create({ ...this.walOptions, metadata });
    if (initial.entries.length > 0) {
      const { hardState, entries } = initial;
      await this.wal.save({ hardState, entries, mustSync: true });
    }
  }

  /** save implements {@link RaftPersistence.save}: one write, one fsync when mustSync. */
  save(batch: SaveBatch): Promise<void> {
    const inline = batch.inlineSync === true && this.options.inlineSync === true;
    return this.opened().save({ ...batch, inlineSync: inline });
  }

  /** saveSnapshot writes the snapshot file durably, then the WAL marker (synced). */
  async saveSnapshot(snapshot: Snapshot): Promise<void> {
    const wal = this.opened();
    await this.snapshotter.save(snapshot);
    await wal.saveSnapshotMarker({ index: snapshot.metadata.index, term: snapshot.metadata.term });
  }

  /** writeSnapshotFile writes the snapshot file durably (temp, fsync, rename); no WAL I/O. */
  async writeSnapshotFile(snapshot: Snapshot): Promise<void> {
    this.opened();
    await this.snapshotter.save(snapshot);
  }

  /** recordSnapshot writes the WAL marker (synced) of a snapshot whose file is durable. */
  async recordSnapshot(snapshot: Snapshot): Promise<void> {
    await this.opened().saveSnapshotMarker({ index: snapshot.metadata.index, term: snapshot.metadata.term });
  }

  /** releaseBefore deletes WAL segments wholly before `index` and old snapshot files. */
  async releaseBefore(index: number): Promise<void> {
    await this.opened().releaseBefore(index);
    const keep = this.options.snapshotFilesKeep ?? RAFT_NODE_LIMITS.snapshotFilesKeep;
    await this.snapshotter.purge(keep);
  }

  /** close syncs and closes the WAL. */
  async close(): Promise<void> {
    const wal = this.opened();
    this.wal = undefined;
    await wal.close();
  }

  private opened(): Wal {
    assert(this.wal !== undefined, 'wal persistence is open (load or create first)');
    return this.wal;
  }
}
