// Goal: the WAL gives back exactly what was saved (with raft truncation and snapshots
// applied), survives a torn tail, refuses corruption it cannot explain, stops for good after
// an I/O error, does one write and at most one fdatasync per save, trusts a snapshot marker
// only once a saved commit covers it (and never loses the log before it), and prepares the
// next segment in the background so that a rollover does not zero-fill inside a save.
// Method: real files in a temp dir under os.tmpdir() for round trips and damage done with
// node:fs; the fault-injecting MemoryWalFs for counting syncs, failing them and crashing,
// wrapped in HoldingFs to stall the background zero-fill. MemoryWalFs completes every call
// within microtasks, so `settle()` (one macrotask) lets background work run to its end.
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  WalCorruptError,
  WalExistsError,
  WalFailedError,
  WalNotFoundError,
  WalSnapshotNotFoundError,
} from './errors';
import { MemoryWalFs } from './memory-wal-fs';
import { Wal, type WalOptions } from './wal';
import type { WalFile, WalFs } from './wal-fs';
import { EntryType, type Entry } from '@shoal/raft';

const SMALL = { segmentBytes: 4096, recordBytesMax: 1024 };
const METADATA = { nodeId: 7, clusterId: 42 };
/** Bytes of the segment header record, and of an entry record with the default 28 B data. */
const HEADER_BYTES = 88;
const ENTRY_BYTES = 64;

function entries(from: number, count: number, term: number, dataBytes = 28): Entry[] {
  return Array.from({ length: count }, (_, i) => ({
    index: from + i,
    term,
    type: EntryType.Normal,
    data: new Uint8Array(dataBytes).fill((from + i) % 251),
  }));
}

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(join(tmpdir(), 'shoal-wal-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

async function segmentFiles(walDir: string): Promise<string[]> {
  return (await fsp.readdir(walDir)).filter((n) => n.endsWith('.wal')).sort();
}

/** settle lets every pending microtask chain (all of MemoryWalFs's work) run to its end. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * HoldingFs passes every call to a MemoryWalFs, but while `holding` it parks writes of zeros
 * to temporary (`*.tmp`) files until `release`: a disk still busy preallocating the next
 * segment. It counts the temporary files opened.
 */
class HoldingFs implements WalFs {
  holding = false;
  temporaryOpens = 0;
  readonly parked: Array<() => void> = [];

  constructor(readonly memory: MemoryWalFs) {}

  mkdir = (path: string): Promise<void> => this.memory.mkdir(path);
  readdir = (path: string): Promise<string[]> => this.memory.readdir(path);
  exists = (path: string): Promise<boolean> => this.memory.exists(path);
  rename = (from: string, to: string): Promise<void> => this.memory.rename(from, to);
  remove = (path: string): Promise<void> => this.memory.remove(path);
  readFile = (path: string): Promise<Uint8Array> => this.memory.readFile(path);
  syncDir = (path: string): Promise<void> => this.memory.syncDir(path);

  async open(path: string, options: { create: boolean }): Promise<WalFile> {
    const file = await this.memory.open(path, options);
    if (!path.endsWith('.tmp')) return file;
    this.temporaryOpens += 1;
    const write = async (position: number, data: Uint8Array): Promise<void> => {
      if (this.holding && data.every((b) => b === 0)) {
        await new Promise<void>((resolve) => this.parked.push(resolve));
      }
      return file.write(position, data);
    };
    return {
      size: () => file.size(),
      read: (position, length) => file.read(position, length),
      write,
      truncate: (size) => file.truncate(size),
      datasync: () => file.datasync(),
      sync: () => file.sync(),
      close: () => file.close(),
    };
  }

  release(): void {
    this.holding = false;
    for (const resume of this.parked.splice(0)) resume();
  }
}

describe('Wal on disk', () => {
  it('round-trips many entries across segment rollovers', async () => {
    const options: WalOptions = { dir: join(dir, 'wal'), ...SMALL };
    const wal = await Wal.create({ ...options, metadata: METADATA });
    const saved: Entry[] = [];
    for (let batch = 0; batch < 60; batch++) {
      const next = entries(saved.length + 1, 1 + (batch % 7), 1 + Math.floor(batch / 20));
      saved.push(...next);
      const hardState = { term: next[0].term, vote: 1, commit: saved.length - 1 };
      await wal.save({ entries: next, hardState, mustSync: batch % 2 === 0 });
    }
    await wal.close();
    expect((await segmentFiles(options.dir)).length).toBeGreaterThan(3);

    const opened = await Wal.open(options);
    expect(opened.metadata).toEqual(METADATA);
    expect(opened.entries).toEqual(saved);
    expect(opened.hardState).toEqual({ term: 3, vote: 1, commit: saved.length - 1 });
    expect(opened.repairedTail).toBeUndefined();
    const more = entries(saved.length + 1, 5, 3);
    await opened.wal.save({ entries: more, mustSync: true });
    await opened.wal.close();
    const reopened = await Wal.open(options);
    expect(reopened.entries).toEqual([...saved, ...more]);
    await reopened.wal.close();
  });

  it('refuses to create over a WAL or a non-empty dir; open needs a WAL', async () => {
    const walDir = join(dir, 'wal');
    await (await Wal.create({ dir: walDir, ...SMALL, metadata: METADATA })).close();
    await expect(Wal.create({ dir: walDir, ...SMALL, metadata: METADATA })).rejects.toThrow(
      WalExistsError,
    );
    await expect(Wal.open({ dir: join(dir, 'nothing') })).rejects.toThrow(WalNotFoundError);
    const occupied = join(dir, 'occupied');
    await fsp.mkdir(occupied);
    await fsp.writeFile(join(occupied, 'precious.txt'), 'keep me');
    await expect(Wal.create({ dir: occupied, ...SMALL, metadata: METADATA })).rejects.toThrow(
      /not empty/,
    );
    expect(await fsp.readFile(join(occupied, 'precious.txt'), 'utf8')).toBe('keep me');
  });

  it('cuts a torn tail (partial record, zeros after) and keeps the valid prefix', async () => {
    const options: WalOptions = { dir: join(dir, 'wal'), ...SMALL };
    const wal = await Wal.create({ ...options, metadata: METADATA });
    await wal.save({ entries: entries(1, 10, 1), mustSync: true });
    await wal.close();
    const [segment] = await segmentFiles(options.dir);
    const path = join(options.dir, segment);
    const before = await fsp.readFile(path);
    // Tear entry 8 in half and zero-fill the rest back to the preallocated size, as a crash
    // in the middle of a write leaves it.
    const torn = HEADER_BYTES + 7 * ENTRY_BYTES + 30;
    await fsp.truncate(path, torn);
    await fsp.truncate(path, before.length);

    const opened = await Wal.open(options);
    expect(opened.entries.map((e) => e.index)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(opened.repairedTail).toMatchObject({ path, offset: HEADER_BYTES + 7 * ENTRY_BYTES });
    const after = await fsp.readFile(path);
    expect(after.subarray(HEADER_BYTES + 7 * ENTRY_BYTES).every((b) => b === 0)).toBe(true);

    await opened.wal.save({ entries: entries(8, 3, 2), mustSync: true });
    await opened.wal.close();
    const reopened = await Wal.open(options);
    expect(reopened.entries.map((e) => [e.index, e.term])).toEqual([
      ...[1, 2, 3, 4, 5, 6, 7].map((i) => [i, 1]),
      [8, 2],
      [9, 2],
      [10, 2],
    ]);
    expect(reopened.repairedTail).toBeUndefined();
    await reopened.wal.close();
  });

  it('refuses a corrupted record followed by valid ones, and leaves the file alone', async () => {
    const options: WalOptions = { dir: join(dir, 'wal'), ...SMALL };
    const wal = await Wal.create({ ...options, metadata: METADATA });
    await wal.save({ entries: entries(1, 10, 1), mustSync: true });
    await wal.close();
    const path = join(options.dir, (await segmentFiles(options.dir))[0]);
    const bytes = await fsp.readFile(path);
    bytes[HEADER_BYTES + 3 * ENTRY_BYTES + 20] ^= 0x40; // one bit of entry 4's payload
    await fsp.writeFile(path, bytes);

    const error = await Wal.open(options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WalCorruptError);
    expect((error as WalCorruptError).offset).toBe(HEADER_BYTES + 3 * ENTRY_BYTES);
    expect(String(error)).toMatch(/followed by a valid record/);
    expect(Buffer.compare(await fsp.readFile(path), bytes)).toBe(0);
  });

  it('refuses damage in a sealed segment even at its end', async () => {
    const options: WalOptions = { dir: join(dir, 'wal'), ...SMALL };
    const wal = await Wal.create({ ...options, metadata: METADATA });
    for (let i = 0; i < 20; i++) {
      await wal.save({ entries: entries(1 + i * 10, 10, 1), mustSync: true });
    }
    await wal.close();
    const [first] = await segmentFiles(options.dir);
    const path = join(options.dir, first);
    const bytes = await fsp.readFile(path);
    bytes[bytes.length - 3] ^= 1; // inside the last record of the first, sealed, segment
    await fsp.writeFile(path, bytes);
    await expect(Wal.open(options)).rejects.toThrow(/inside a sealed segment/);
  });

  it('refuses a WAL with a segment missing in the middle', async () => {
    const options: WalOptions = { dir: join(dir, 'wal'), ...SMALL };
    const wal = await Wal.create({ ...options, metadata: METADATA });
    for (let i = 0; i < 20; i++) {
      await wal.save({ entries: entries(1 + i * 10, 10, 1), mustSync: true });
    }
    await wal.close();
    const names = await segmentFiles(options.dir);
    await fsp.rm(join(options.dir, names[1]));
    await expect(Wal.open(options)).rejects.toThrow(/segment 1 missing/);
  });

  it('restarts from a snapshot: replays later entries with truncations applied', async () => {
    const options: WalOptions = { dir: join(dir, 'wal'), ...SMALL };
    const wal = await Wal.create({ ...options, metadata: METADATA });
    await wal.save({ entries: entries(1, 50, 1), mustSync: true });
    await wal.saveSnapshotMarker({ index: 30, term: 1 });
    await wal.save({ entries: entries(51, 10, 1), mustSync: true });
    // A new leader in term 2 overwrites 55.. (raft truncation), then 57.. again in term 3.
    const term2 = { term: 2, vote: 3, commit: 52 };
    await wal.save({ entries: entries(55, 4, 2), hardState: term2, mustSync: true });
    const term3 = { term: 3, vote: 0, commit: 56 };
    await wal.save({ entries: entries(57, 3, 3), hardState: term3, mustSync: true });
    await wal.releaseBefore(30);
    await wal.close();

    const opened = await Wal.open({ ...options, fromSnapshot: { index: 30, term: 1 } });
    const expected = [
      ...entries(31, 24, 1),
      ...entries(55, 2, 2),
      ...entries(57, 3, 3),
    ];
    expect(opened.entries).toEqual(expected);
    expect(opened.snapshotMarker).toEqual({ index: 30, term: 1 });
    expect(opened.hardState).toEqual({ term: 3, vote: 0, commit: 56 });
    await opened.wal.close();
    await expect(Wal.open({ ...options, fromSnapshot: { index: 31, term: 1 } })).rejects.toThrow(
      WalSnapshotNotFoundError,
    );
  });

  it('goes on after a covered marker past the log end (installed snapshot)', async () => {
    const options: WalOptions = { dir: join(dir, 'wal'), ...SMALL };
    const wal = await Wal.create({ ...options, metadata: METADATA });
    const hardState = { term: 1, vote: 1, commit: 8 };
    await wal.save({ entries: entries(1, 10, 1), hardState, mustSync: true });
    // As raft persists a received snapshot: marker, then the HardState that commits it.
    await wal.saveSnapshotMarker({ index: 100, term: 5 });
    const installed = { term: 5, vote: 0, commit: 100 };
    await wal.save({ entries: entries(101, 5, 5), hardState: installed, mustSync: true });
    await wal.close();
    expect(await Wal.readSnapshotMarkers(options)).toEqual([{ index: 100, term: 5 }]);
    const opened = await Wal.open({ ...options, fromSnapshot: { index: 100, term: 5 } });
    expect(opened.entries).toEqual(entries(101, 5, 5));
    expect(opened.snapshotMarker).toEqual({ index: 100, term: 5 });
    await opened.wal.close();
    // Entries 11..100 are in no segment: the log cannot be read without that snapshot.
    await expect(Wal.open(options)).rejects.toThrow(/open from that snapshot/);
  });

  it('releases segments wholly before a snapshot and still restarts from it', async () => {
    const options: WalOptions = { dir: join(dir, 'wal'), ...SMALL };
    const wal = await Wal.create({ ...options, metadata: METADATA });
    for (let i = 0; i < 30; i++) {
      const hardState = { term: 1, vote: 1, commit: 10 * (i + 1) };
      await wal.save({ entries: entries(1 + i * 10, 10, 1), hardState, mustSync: true });
    }
    const before = wal.segmentNames();
    await wal.saveSnapshotMarker({ index: 250, term: 1 });
    await wal.releaseBefore(250);
    const after = wal.segmentNames();
    expect(after.length).toBeLessThan(before.length);
    expect(await segmentFiles(options.dir)).toEqual(after);
    await wal.close();
    const opened = await Wal.open({ ...options, fromSnapshot: { index: 250, term: 1 } });
    expect(opened.entries).toEqual(entries(251, 50, 1));
    await opened.wal.close();
    await expect(Wal.open(options)).rejects.toThrow(WalSnapshotNotFoundError);
  });
});

describe('Wal on the fault-injecting file system', () => {
  const base = (fs: MemoryWalFs): WalOptions => ({ fs, dir: '/data/wal', ...SMALL });

  async function created(fs: MemoryWalFs): Promise<Wal> {
    await fs.mkdir('/data');
    return Wal.create({ ...base(fs), metadata: METADATA });
  }

  it('does one write and exactly one fdatasync per synced save, none if not synced', async () => {
    const fs = new MemoryWalFs();
    const wal = await created(fs);
    await settle(); // the next segment's background preparation does its own I/O
    for (let i = 0; i < 20; i++) {
      const writes = fs.counts.write;
      const syncs = fs.counts.datasync + fs.counts.sync;
      const mustSync = i % 3 !== 0;
      const hardState = { term: 1, vote: 1, commit: i * 2 };
      await wal.save({ entries: entries(1 + i * 2, 2, 1), hardState, mustSync });
      expect(fs.counts.write - writes).toBe(1);
      expect(fs.counts.datasync + fs.counts.sync - syncs).toBe(mustSync ? 1 : 0);
    }
    await wal.close();
  });

  it('loses unsynced saves at a crash and keeps synced ones', async () => {
    const fs = new MemoryWalFs();
    const wal = await created(fs);
    await wal.save({ entries: entries(1, 5, 1), mustSync: true });
    await wal.save({ entries: entries(6, 5, 1), mustSync: false });
    const opened = await Wal.open(base(fs.crash({ kind: 'lose' })));
    expect(opened.entries.map((e) => e.index)).toEqual([1, 2, 3, 4, 5]);
  });

  it('recovers a prefix of records from a write torn at any byte', async () => {
    for (let tear = 0; tear <= 5 * ENTRY_BYTES; tear += 13) {
      const fs = new MemoryWalFs();
      const wal = await created(fs);
      await wal.save({ entries: entries(1, 3, 1), mustSync: true });
      await wal.save({ entries: entries(4, 5, 1), mustSync: false });
      const opened = await Wal.open(base(fs.crash({ kind: 'tear', bytes: tear })));
      const survivors = 3 + Math.floor(tear / ENTRY_BYTES);
      expect(opened.entries).toEqual(entries(1, survivors, 1));
      expect(opened.repairedTail === undefined).toBe(tear % ENTRY_BYTES === 0);
    }
  });

  it('fails for good after an fsync error: every later call throws', async () => {
    const fs = new MemoryWalFs();
    const wal = await created(fs);
    await wal.save({ entries: entries(1, 2, 1), mustSync: true });
    fs.failNext('datasync');
    await expect(wal.save({ entries: entries(3, 1, 1), mustSync: true })).rejects.toThrow(
      WalFailedError,
    );
    expect(wal.failed).toBe(true);
    await expect(wal.save({ entries: entries(4, 1, 1), mustSync: true })).rejects.toThrow(
      WalFailedError,
    );
    await expect(wal.saveSnapshotMarker({ index: 1, term: 1 })).rejects.toThrow(WalFailedError);
    await expect(wal.close()).rejects.toThrow(WalFailedError);
  });

  it('fails for good after a write error, without syncing', async () => {
    const fs = new MemoryWalFs();
    const wal = await created(fs);
    await settle(); // so that the injected fault hits the save, not the preparation
    fs.failNext('write');
    const syncs = fs.counts.datasync;
    await expect(wal.save({ entries: entries(1, 1, 1), mustSync: true })).rejects.toThrow(
      /EIO/,
    );
    expect(fs.counts.datasync).toBe(syncs);
    await expect(wal.save({ entries: entries(1, 1, 1), mustSync: true })).rejects.toThrow(
      WalFailedError,
    );
  });

  it('creates atomically: a crash before the rename leaves no WAL, and a retry works', async () => {
    const fs = new MemoryWalFs();
    await fs.mkdir('/data');
    fs.failNext('rename');
    await expect(Wal.create({ ...base(fs), metadata: METADATA })).rejects.toThrow(/EIO/);
    const restarted = fs.crash({ kind: 'keep' });
    await expect(Wal.open(base(restarted))).rejects.toThrow(WalNotFoundError);
    const wal = await Wal.create({ ...base(restarted), metadata: METADATA });
    await wal.save({ entries: entries(1, 1, 1), mustSync: true });
    const reopened = await Wal.open(base(restarted.crash({ kind: 'lose' })));
    expect(reopened.entries).toEqual(entries(1, 1, 1));
  });

  it('loses no synced entry when the disk dies at any step, rollovers included', async () => {
    for (let calls = 0; calls < 120; calls += 1) {
      const fs = new MemoryWalFs();
      const wal = await created(fs);
      fs.failAllAfter(calls);
      let synced = 0;
      for (let i = 0; i < 12 && !wal.failed; i++) {
        const saved = wal.save({ entries: entries(1 + i * 10, 10, 1), mustSync: true });
        if (await saved.then(() => true, () => false)) synced = 10 * (i + 1);
      }
      const opened = await Wal.open(base(fs.crash({ kind: 'lose' })));
      expect(opened.entries.length).toBeGreaterThanOrEqual(synced);
      expect(opened.entries).toEqual(entries(1, opened.entries.length, 1));
    }
  });

  it('reports an fsync slower than the warning threshold', async () => {
    const fs = new MemoryWalFs();
    await fs.mkdir('/data');
    let clock = 0;
    const slow: number[] = [];
    const wal = await Wal.create({
      ...base(fs),
      metadata: METADATA,
      now: () => (clock += 600),
      onSlowSync: (event) => slow.push(event.durationMs),
    });
    await wal.save({ entries: entries(1, 1, 1), mustSync: true });
    await wal.close();
    expect(slow).toEqual([]);
    clock = 0;
    const wal2 = await Wal.open({
      ...base(fs),
      now: () => (clock += 1200),
      onSlowSync: (event) => slow.push(event.durationMs),
    });
    await wal2.wal.save({ entries: entries(2, 1, 1), mustSync: true });
    expect(slow).toEqual([1200]);
  });
});

describe('Wal snapshot markers that no saved commit covers', () => {
  const base = (fs: MemoryWalFs): WalOptions => ({ fs, dir: '/data/wal', ...SMALL });
  const INSTALLED = { index: 30, term: 2 };

  /** A follower with log 1..20 (commit 18) saves the marker of a leader's snapshot at 30. */
  async function followerWithMarker(fs: MemoryWalFs): Promise<Wal> {
    await fs.mkdir('/data');
    const wal = await Wal.create({ ...base(fs), metadata: METADATA });
    const hardState = { term: 1, vote: 0, commit: 18 };
    await wal.save({ entries: entries(1, 20, 1), hardState, mustSync: true });
    await wal.saveSnapshotMarker(INSTALLED);
    await settle();
    return wal;
  }

  it('keeps the log before the marker when a crash loses the HardState that covers it', async () => {
    const fs = new MemoryWalFs();
    const wal = await followerWithMarker(fs);
    const covering = { term: 2, vote: 0, commit: 30 };
    await wal.save({ entries: [], hardState: covering, mustSync: false });
    const restarted = fs.crash({ kind: 'lose' });

    expect(await Wal.readSnapshotMarkers(base(restarted))).toEqual([]);
    await expect(Wal.open({ ...base(restarted), fromSnapshot: INSTALLED })).rejects.toThrow(
      /not covered by the saved commit 18/,
    );
    const opened = await Wal.open(base(restarted));
    expect(opened.hardState).toEqual({ term: 1, vote: 0, commit: 18 });
    expect(opened.entries).toEqual(entries(1, 20, 1));
    expect(opened.snapshotMarker).toEqual({ index: 0, term: 0 });
    expect(opened.ignoredSnapshot).toBeUndefined();

    // The node goes on from its old log: the leader sends 21.. again.
    const hardState = { term: 2, vote: 0, commit: 25 };
    await opened.wal.save({ entries: entries(21, 5, 2), hardState, mustSync: true });
    const again = await Wal.open(base(restarted.crash({ kind: 'lose' })));
    expect(again.entries).toEqual([...entries(1, 20, 1), ...entries(21, 5, 2)]);
    expect(again.hardState).toEqual(hardState);
  });

  it('leaves out entries after the uncovered marker, and trusts it once commit passes it', async () => {
    const fs = new MemoryWalFs();
    const wal = await followerWithMarker(fs);
    const covering = { term: 2, vote: 0, commit: 30 };
    await wal.save({ entries: entries(31, 5, 2), hardState: covering, mustSync: false });
    // The write is torn after the entries: they are on disk, the HardState is not.
    const restarted = fs.crash({ kind: 'tear', bytes: 5 * ENTRY_BYTES });

    const opened = await Wal.open(base(restarted));
    expect(opened.entries).toEqual(entries(1, 20, 1));
    expect(opened.ignoredSnapshot).toEqual({ marker: INSTALLED, droppedEntries: 5 });
    const hardState = { term: 3, vote: 0, commit: 40 };
    await opened.wal.save({ entries: entries(21, 20, 3), hardState, mustSync: true });

    // Now commit 40 covers the marker: the snapshot counts, and both readings agree.
    const later = restarted.crash({ kind: 'lose' });
    expect(await Wal.readSnapshotMarkers(base(later))).toEqual([INSTALLED]);
    const fromSnapshot = await Wal.open({ ...base(later), fromSnapshot: INSTALLED });
    expect(fromSnapshot.entries).toEqual(entries(31, 10, 3));
    expect(fromSnapshot.ignoredSnapshot).toBeUndefined();
    const whole = await Wal.open(base(later));
    expect(whole.entries).toEqual([...entries(1, 20, 1), ...entries(21, 20, 3)]);
  });

  it('keeps the log when the uncovered marker is repeated by a new segment header', async () => {
    const fs = new MemoryWalFs();
    await fs.mkdir('/data');
    const wal = await Wal.create({ ...base(fs), metadata: METADATA });
    const hardState = { term: 1, vote: 0, commit: 48 };
    await wal.save({ entries: entries(1, 50, 1), hardState, mustSync: true });
    await wal.saveSnapshotMarker({ index: 100, term: 2 });
    // Crosses into segment 1: the cut syncs 101..111 and the new header (marker 100,
    // commit 48); the covering HardState, in segment 1, is lost.
    const covering = { term: 2, vote: 0, commit: 100 };
    await wal.save({ entries: entries(101, 15, 2), hardState: covering, mustSync: false });
    expect(wal.segmentNames()).toHaveLength(2);
    const restarted = fs.crash({ kind: 'lose' });

    const opened = await Wal.open(base(restarted));
    expect(opened.entries).toEqual(entries(1, 50, 1));
    expect(opened.ignoredSnapshot).toEqual({
      marker: { index: 100, term: 2 },
      droppedEntries: 11,
    });
    const next = { term: 2, vote: 0, commit: 55 };
    await opened.wal.save({ entries: entries(51, 10, 2), hardState: next, mustSync: true });
    const again = await Wal.open(base(restarted.crash({ kind: 'lose' })));
    expect(again.entries).toEqual([...entries(1, 50, 1), ...entries(51, 10, 2)]);
    expect(again.ignoredSnapshot).toBeUndefined();
  });
});

describe('Wal segment pipeline', () => {
  const METADATA_OPTIONS = { dir: '/data/wal', ...SMALL, metadata: METADATA };
  /** Six saves of ten 64-byte entries fill segment 0 to 3928 bytes; a seventh crosses. */
  async function fillFirstSegment(wal: Wal): Promise<void> {
    for (let i = 0; i < 6; i++) {
      await wal.save({ entries: entries(1 + i * 10, 10, 1), mustSync: true });
    }
    expect(wal.segmentNames()).toHaveLength(1);
  }

  it('crosses into a prepared segment without zero-filling inside the save', async () => {
    const memory = new MemoryWalFs();
    await memory.mkdir('/data');
    const fs = new HoldingFs(memory);
    const wal = await Wal.create({ ...METADATA_OPTIONS, fs });
    await settle(); // segment 1 is prepared
    fs.holding = true;
    await fillFirstSegment(wal);

    let crossed = false;
    const crossing = wal.save({ entries: entries(61, 10, 1), mustSync: true });
    void crossing.then(() => (crossed = true));
    await settle();
    // The save is done while a zero-fill write is stalled: the one of segment 2, in the
    // background.
    expect(crossed).toBe(true);
    expect(wal.segmentNames()).toHaveLength(2);
    expect(fs.parked).toHaveLength(1);
    expect(fs.temporaryOpens).toBe(2);
    fs.release();
    await wal.close();
    const opened = await Wal.open({ ...METADATA_OPTIONS, fs: memory });
    expect(opened.entries).toEqual(entries(1, 70, 1));
  });

  it('waits for an unfinished preparation rather than preparing a second file', async () => {
    const memory = new MemoryWalFs();
    await memory.mkdir('/data');
    const fs = new HoldingFs(memory);
    fs.holding = true;
    const wal = await Wal.create({ ...METADATA_OPTIONS, fs });
    await fillFirstSegment(wal);

    let crossed = false;
    const crossing = wal.save({ entries: entries(61, 10, 1), mustSync: true });
    void crossing.then(() => (crossed = true));
    await settle();
    expect(crossed).toBe(false);
    expect(fs.temporaryOpens).toBe(1);
    fs.release();
    await crossing;
    expect(wal.segmentNames()).toHaveLength(2);
    await wal.close();
    const opened = await Wal.open({ ...METADATA_OPTIONS, fs: memory });
    expect(opened.entries).toEqual(entries(1, 70, 1));
  });

  it('fails the save that needs a segment whose preparation failed', async () => {
    const fs = new MemoryWalFs();
    await fs.mkdir('/data');
    fs.failNext('sync', { pathIncludes: 'next.wal.tmp' });
    const wal = await Wal.create({ ...METADATA_OPTIONS, fs });
    await settle();
    await fillFirstSegment(wal);
    await expect(wal.save({ entries: entries(61, 10, 1), mustSync: true })).rejects.toThrow(
      WalFailedError,
    );
    const opened = await Wal.open({ ...METADATA_OPTIONS, fs: fs.crash({ kind: 'lose' }) });
    expect(opened.entries).toEqual(entries(1, 60, 1));
  });
});

describe('Wal segment pipeline on disk', () => {
  it('ignores and replaces a half-prepared next segment left by a crash', async () => {
    const options: WalOptions = { dir: join(dir, 'wal'), ...SMALL };
    const wal = await Wal.create({ ...options, metadata: METADATA });
    await wal.save({ entries: entries(1, 10, 1), mustSync: true });
    await wal.close();
    expect((await fsp.readdir(options.dir)).sort()).toEqual(await segmentFiles(options.dir));
    // What a crash while zero-filling can leave: a short temporary file, not all zeros.
    await fsp.writeFile(join(options.dir, 'next.wal.tmp'), new Uint8Array(1000).fill(0xa5));

    const opened = await Wal.open(options);
    expect(opened.entries).toEqual(entries(1, 10, 1));
    for (let i = 1; i <= 6; i++) {
      await opened.wal.save({ entries: entries(1 + i * 10, 10, 1), mustSync: true });
    }
    await opened.wal.close();
    const names = await segmentFiles(options.dir);
    expect(names).toHaveLength(2);
    const second = await fsp.readFile(join(options.dir, names[1]));
    expect(second.length).toBe(SMALL.segmentBytes);
    const used = HEADER_BYTES + 8 * ENTRY_BYTES; // 62..70 went to segment 1
    expect(second.subarray(used).every((b) => b === 0)).toBe(true);
    const reopened = await Wal.open(options);
    expect(reopened.entries).toEqual(entries(1, 70, 1));
    expect(reopened.repairedTail).toBeUndefined();
    await reopened.wal.close();
  });
});
