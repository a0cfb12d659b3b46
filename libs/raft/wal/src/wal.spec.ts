// Goal: the WAL gives back exactly what was saved (with raft truncation and snapshots
// applied), survives a torn tail, refuses corruption it cannot explain, stops for good after
// an I/O error, and does one write and at most one fdatasync per save.
// Method: real files in a temp dir under os.tmpdir() for round trips and damage done with
// node:fs; the fault-injecting MemoryWalFs for counting syncs, failing them and crashing.
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

  it('starts the log afresh after a marker past its end (installed snapshot)', async () => {
    const options: WalOptions = { dir: join(dir, 'wal'), ...SMALL };
    const wal = await Wal.create({ ...options, metadata: METADATA });
    await wal.save({ entries: entries(1, 10, 1), mustSync: true });
    await wal.saveSnapshotMarker({ index: 100, term: 5 });
    await wal.save({ entries: entries(101, 5, 5), mustSync: true });
    await wal.close();
    const opened = await Wal.open({ ...options, fromSnapshot: { index: 100, term: 5 } });
    expect(opened.entries).toEqual(entries(101, 5, 5));
    await opened.wal.close();
  });

  it('releases segments wholly before a snapshot and still restarts from it', async () => {
    const options: WalOptions = { dir: join(dir, 'wal'), ...SMALL };
    const wal = await Wal.create({ ...options, metadata: METADATA });
    for (let i = 0; i < 30; i++) {
      await wal.save({ entries: entries(1 + i * 10, 10, 1), mustSync: true });
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
