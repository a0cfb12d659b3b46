/**
 * ReadyWriter is step 3 of the Ready loop: it makes a Ready's snapshot, entries and HardState
 * durable through the member's RaftPersistence (one save, at most one fsync), then visible to
 * raft in MemoryStorage, and counts the fsyncs. It also defers HardStates that only move the
 * commit index (see `persist`) and writes them before anything that depends on them.
 */
import type { HardState, MemoryStorage, Ready, Snapshot } from '@shoal/raft';
import type { NodeMetrics } from './node-metrics';
import type { RaftPersistence, SaveBatch } from './persistence';
import type { RaftNodeStats } from './raft-node-types';

/** ReadyWriter persists Readys for one member; calls must not overlap (one Ready loop). */
export class ReadyWriter {
  /** The HardState last written to persistence (its term and vote are durable once synced). */
  private saved: HardState;
  /** A newer HardState whose write was deferred because only its commit index moved. */
  private deferred: HardState | undefined;

  constructor(
    private readonly persistence: RaftPersistence,
    private readonly storage: MemoryStorage,
    saved: HardState,
    private readonly stats: RaftNodeStats,
    private readonly metrics: NodeMetrics,
    private readonly now: () => number,
  ) {
    this.saved = { ...saved };
  }

  /**
   * persist writes `rd`: a received snapshot first (file, then WAL marker), then entries and
   * HardState in one save, fsynced when raft's mustSync says so, and then applies them to
   * MemoryStorage. A HardState that moved only the commit index is not written now: no fsync
   * is due and nothing depends on it being on disk, so it rides with the next save instead of
   * costing a write on every member every round (a lost commit index is relearned).
   * `inlineSync` lets the fsync run on the event loop (see SaveBatch.inlineSync).
   */
  async persist(rd: Ready, inlineSync = false): Promise<void> {
    if (rd.snapshot !== undefined) await this.persistence.saveSnapshot(rd.snapshot);
    const hs = rd.hardState;
    if (hs !== undefined && this.commitOnly(rd, hs)) {
      this.deferred = hs;
    } else if (rd.entries.length > 0 || hs !== undefined) {
      const started = this.now();
      // After a received snapshot's marker, its HardState (commit >= the snapshot) is synced
      // at once: the WAL trusts a marker only once a saved commit covers it.
      const mustSync = rd.mustSync || rd.snapshot !== undefined;
      const batch: SaveBatch = { entries: rd.entries, mustSync, inlineSync };
      const latest = hs ?? this.deferred;
      if (latest !== undefined) batch.hardState = latest;
      await this.persistence.save(batch);
      if (latest !== undefined) this.saved = latest;
      this.deferred = undefined;
      if (mustSync) {
        this.stats.fsyncs += 1;
        this.stats.entriesSynced += rd.entries.length;
        this.metrics.fsync((this.now() - started) / 1000, rd.entries.length);
      }
    }
    if (rd.snapshot !== undefined) this.storage.applySnapshot(rd.snapshot);
    if (rd.entries.length > 0) this.storage.append(rd.entries);
    if (hs !== undefined) this.storage.setHardState(hs);
  }

  /**
   * writeSnapshotFile makes this member's own snapshot file durable. It may run while the
   * loop persists Readys; {@link recordSnapshot} then records it, between two Readys.
   */
  writeSnapshotFile(snapshot: Snapshot): Promise<void> {
    return this.persistence.writeSnapshotFile(snapshot);
  }

  /**
   * recordSnapshot records a snapshot whose file is durable: the deferred HardState first
   * (the WAL only trusts snapshot markers its saved commit index covers), then the marker.
   */
  async recordSnapshot(snapshot: Snapshot): Promise<void> {
    await this.flushHardState();
    await this.persistence.recordSnapshot(snapshot);
  }

  /** releaseBefore lets persistence drop log entries below `index` (after a snapshot). */
  releaseBefore(index: number): Promise<void> {
    return this.persistence.releaseBefore(index);
  }

  /** close writes a deferred HardState, then syncs and closes persistence. */
  async close(): Promise<void> {
    await this.flushHardState();
    await this.persistence.close();
  }

  private commitOnly(rd: Ready, hs: HardState): boolean {
    if (rd.entries.length > 0 || rd.snapshot !== undefined || rd.mustSync) return false;
    return hs.term === this.saved.term && hs.vote === this.saved.vote;
  }

  private async flushHardState(): Promise<void> {
    const hs = this.deferred;
    if (hs === undefined) return;
    await this.persistence.save({ entries: [], hardState: hs, mustSync: false });
    this.saved = hs;
    this.deferred = undefined;
  }
}
