/**
 * SimDisk: one node's durable storage, modelled at the level of a write-ahead log. A write
 * lands in the page cache (pending); `sync` makes every pending write durable; a crash loses
 * what is pending. With torn tails on, a crash keeps a random prefix of the pending records
 * (the rest never reached the platter; a half-written record fails its checksum on replay
 * and is cut, which leaves exactly such a prefix). Snapshot files are written, fsynced and
 * renamed into place (durable at once), and saving one syncs the log first, as a WAL marker
 * does. The disk never reorders: records persist in the order written.
 */
import { assert } from '@shoal/assert';
import { Entry, HardState, Snapshot } from '@shoal/raft';
import type { Random } from '@shoal/random';

/** DiskBehaviour: honest, or (a mutation) one whose fsync acknowledges a batch too early. */
export enum DiskBehaviour {
  Honest = 'honest',
  /** fsync returns at once; a batch only becomes durable at the next fsync (one behind). */
  LiesAboutFsync = 'lies-about-fsync',
}

/** DiskRecord is one write of the log: entries (which may overwrite a suffix) or state. */
export type DiskRecord =
  | { kind: 'entries'; entries: readonly Entry[] }
  | { kind: 'hardState'; hardState: HardState };

/**
 * DiskImage is what a restarting node reads back: the newest snapshot, the log entries
 * after it (contiguous; entries at or below the snapshot index are ignored on replay) and
 * the latest HardState.
 */
export interface DiskImage {
  snapshot: Snapshot;
  entries: Entry[];
  hardState: HardState;
}

/** CrashLoss reports what a crash did: pending records lost and kept (torn tail). */
export interface CrashLoss {
  lost: number;
  kept: number;
}

/** COVERED is what {@link SimDisk.durableTermAt} returns for an index inside the snapshot. */
export const COVERED = -1;

/**
 * SimDisk: see the file comment. Contract: writes of entries are contiguous with what was
 * written before (a gap is a programmer error); `image()` is the durable state only.
 */
export class SimDisk {
  private readonly durable: DiskImage;
  private pending: DiskRecord[] = [];
  /** Under LiesAboutFsync: how many pending records the last fsync acknowledged. */
  private acknowledged = 0;

  /** The constructor starts from an empty log whose snapshot is `initial` (index 0). */
  constructor(
    initial: Snapshot,
    private readonly behaviour: DiskBehaviour,
  ) {
    this.durable = { snapshot: initial, entries: [], hardState: { term: 0, vote: 0, commit: 0 } };
  }

  /** pendingCount is the number of written, not yet durable, records. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** write appends a record to the page cache (not durable until a sync). */
  write(record: DiskRecord): void {
    if (record.kind === 'entries') assert(record.entries.length > 0, 'entries record is not empty');
    this.pending.push(record);
  }

  /**
   * sync is fsync: every pending record becomes durable. A lying disk makes durable only the
   * records an earlier fsync acknowledged, and acknowledges the rest.
   */
  sync(): void {
    if (this.behaviour === DiskBehaviour.LiesAboutFsync) {
      const flushed = this.pending.slice(0, this.acknowledged);
      this.pending = this.pending.slice(this.acknowledged);
      for (const r of flushed) applyRecord(this.durable, r);
      this.acknowledged = this.pending.length;
      return;
    }
    this.flushAll();
  }

  /**
   * installSnapshot persists a snapshot received from a leader together with the HardState
   * that commits it, durably and at once: it replaces the whole log (the entries after it,
   * if any, were obsolete). The two must land together: a durable snapshot beyond the
   * durable commit index cannot be restarted from (etcd issue #10219; etcd fsyncs the
   * HardState whenever a Ready carries a snapshot).
   */
  installSnapshot(snapshot: Snapshot, hardState: HardState): void {
    this.flushAll();
    assert(snapshot.metadata.index > this.durable.snapshot.metadata.index, 'snapshot is newer');
    assert(hardState.commit >= snapshot.metadata.index, 'the HardState commits the snapshot');
    this.durable.snapshot = snapshot;
    this.durable.entries = [];
    this.durable.hardState = { ...hardState };
  }

  /** saveSnapshot persists a snapshot this node took itself; the log is kept. Durable. */
  saveSnapshot(snapshot: Snapshot): void {
    this.flushAll();
    assert(snapshot.metadata.index > this.durable.snapshot.metadata.index, 'snapshot is newer');
    const term = this.durableTermAt(snapshot.metadata.index);
    assert(term === snapshot.metadata.term, 'a local snapshot covers durable entries');
    this.durable.snapshot = snapshot;
  }

  /** compact drops durable entries at or below `index`, which a snapshot must cover. */
  compact(index: number): void {
    assert(index <= this.durable.snapshot.metadata.index, 'compact only what a snapshot covers');
    const entries = this.durable.entries;
    const first = entries[0];
    if (first === undefined || first.index > index) return;
    this.durable.entries = entries.slice(index - first.index + 1);
  }

  /**
   * crash loses pending records; with `tornTail` a random prefix of them (possibly all, or
   * none) had reached the disk and survives.
   */
  crash(random: Random, tornTail: boolean): CrashLoss {
    const kept = tornTail ? random.int(0, this.pending.length + 1) : 0;
    for (const r of this.pending.slice(0, kept)) applyRecord(this.durable, r);
    const loss = { lost: this.pending.length - kept, kept };
    this.pending = [];
    this.acknowledged = 0;
    return loss;
  }

  /** image returns a copy of the durable state, for a restart. */
  image(): DiskImage {
    assert(this.pending.length === 0, 'a restart reads a disk after its crash');
    const d = this.durable;
    return { snapshot: d.snapshot, entries: [...d.entries], hardState: { ...d.hardState } };
  }

  /** durableHardState is the HardState a restart would read. */
  durableHardState(): HardState {
    return { ...this.durable.hardState };
  }

  /**
   * durableTermAt is the durable term of entry `index`: COVERED when a durable snapshot
   * includes it, undefined when absent.
   */
  durableTermAt(index: number): number | undefined {
    const snapshotIndex = this.durable.snapshot.metadata.index;
    if (index === snapshotIndex) return this.durable.snapshot.metadata.term;
    const entries = this.durable.entries;
    const first = entries[0];
    if (first !== undefined && index >= first.index && index < first.index + entries.length) {
      return (entries[index - first.index] as Entry).term;
    }
    return index < snapshotIndex ? COVERED : undefined;
  }

  private flushAll(): void {
    for (const r of this.pending) applyRecord(this.durable, r);
    this.pending = [];
    this.acknowledged = 0;
  }
}

/** applyRecord replays one record onto an image, with raft's truncation rule. */
function applyRecord(image: DiskImage, record: DiskRecord): void {
  if (record.kind === 'hardState') {
    image.hardState = { ...record.hardState };
    return;
  }
  const incoming = record.entries;
  const firstNew = (incoming[0] as Entry).index;
  const entries = image.entries;
  const first = entries[0];
  if (first === undefined) {
    const snapshotIndex = image.snapshot.metadata.index;
    assert(firstNew <= snapshotIndex + 1, `entries at ${firstNew} leave a gap after the snapshot`);
    image.entries = [...incoming];
    return;
  }
  const last = first.index + entries.length - 1;
  assert(firstNew <= last + 1, `entries at ${firstNew} leave a gap after ${last}`);
  if (firstNew <= first.index) {
    image.entries = [...incoming];
    return;
  }
  entries.length = firstNew - first.index;
  for (const e of incoming) entries.push(e);
}
