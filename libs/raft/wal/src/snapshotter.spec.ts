// Goal: snapshot files are written crash-safely (temp file, fsync, rename, directory fsync),
// the newest valid one is loaded, broken ones are set aside as `.broken`, snapshots the WAL
// does not know about are skipped, and purge keeps the newest N.
// Method: real files in a temp dir under os.tmpdir() for load/damage/purge; MemoryWalFs to
// observe the order of operations and what survives a crash.
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { MemoryWalFs } from './memory-wal-fs';
import { decodeSnapshotFile, encodeSnapshotFile, SnapshotFileProblem } from './snapshot-format';
import { Snapshotter } from './snapshotter';
import { EntryType, type Snapshot } from '@shoal/raft';
import { Wal } from './wal';

function snapshot(index: number, term: number, text = `state at ${index}`): Snapshot {
  return {
    metadata: {
      index,
      term,
      confState: {
        voters: [1, 2, 3],
        learners: [4],
        votersOutgoing: [],
        learnersNext: [],
        autoLeave: false,
      },
    },
    data: new TextEncoder().encode(text),
  };
}

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(join(tmpdir(), 'shoal-snap-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('snapshot file format', () => {
  it('round-trips any snapshot and detects a damaged byte', () => {
    const ids = fc.array(fc.nat({ max: Number.MAX_SAFE_INTEGER }), { maxLength: 5 });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.tuple(ids, ids, ids, ids, fc.boolean()),
        fc.uint8Array({ maxLength: 100 }),
        fc.nat(),
        (index, term, [voters, learners, votersOutgoing, learnersNext, autoLeave], data, at) => {
          const confState = { voters, learners, votersOutgoing, learnersNext, autoLeave };
          const original: Snapshot = { metadata: { index, term, confState }, data };
          const bytes = encodeSnapshotFile(original);
          expect(decodeSnapshotFile(bytes)).toEqual(original);
          const damaged = bytes.slice();
          damaged[at % damaged.length] ^= 0x10;
          expect(decodeSnapshotFile(damaged)).toBeInstanceOf(SnapshotFileProblem);
          expect(decodeSnapshotFile(bytes.subarray(0, at % bytes.length))).toBeInstanceOf(
            SnapshotFileProblem,
          );
        },
      ),
    );
  });
});

describe('Snapshotter', () => {
  it('saves via a synced temp file, renames it, syncs the directory', async () => {
    const fs = new MemoryWalFs();
    const snapshotter = new Snapshotter({ fs, dir: '/data/snap' });
    await snapshotter.save(snapshot(10, 2));
    expect(await fs.readdir('/data/snap')).toEqual(['0000000000000002-000000000000000a.snap']);
    expect(fs.counts.sync).toBe(1);
    expect(fs.counts.rename).toBe(1);
    expect(fs.counts.syncDir).toBe(1);
    const restarted = new Snapshotter({ fs: fs.crash({ kind: 'lose' }), dir: '/data/snap' });
    expect(await restarted.loadNewestAvailable()).toEqual(snapshot(10, 2));
  });

  it('leaves no snapshot if the rename never happened, and purge clears the temp', async () => {
    const fs = new MemoryWalFs();
    const snapshotter = new Snapshotter({ fs, dir: '/data/snap' });
    await snapshotter.save(snapshot(5, 1));
    fs.failNext('rename');
    await expect(snapshotter.save(snapshot(10, 2))).rejects.toThrow(/EIO/);
    expect(await snapshotter.list()).toEqual([
      { index: 5, term: 1, name: '0000000000000001-0000000000000005.snap' },
    ]);
    expect(await snapshotter.loadNewestAvailable()).toEqual(snapshot(5, 1));
    expect(await snapshotter.purge(1)).toEqual(['0000000000000002-000000000000000a.snap.tmp']);
  });

  it('loads the newest valid snapshot and sets a broken newer one aside', async () => {
    const broken: string[] = [];
    const snapshotter = new Snapshotter({ dir, onBroken: (e) => broken.push(e.name) });
    for (const [index, term] of [[10, 1], [20, 1], [30, 2]]) {
      await snapshotter.save(snapshot(index, term));
    }
    const newest = join(dir, '0000000000000002-000000000000001e.snap');
    const bytes = await fsp.readFile(newest);
    bytes[bytes.length - 1] ^= 1;
    await fsp.writeFile(newest, bytes);

    expect(await snapshotter.loadNewestAvailable()).toEqual(snapshot(20, 1));
    expect(broken).toEqual(['0000000000000002-000000000000001e.snap']);
    expect((await fsp.readdir(dir)).sort()).toEqual([
      '0000000000000001-000000000000000a.snap',
      '0000000000000001-0000000000000014.snap',
      '0000000000000002-000000000000001e.snap.broken',
    ]);
  });

  it('sets aside a file whose content disagrees with its name', async () => {
    const snapshotter = new Snapshotter({ dir });
    await snapshotter.save(snapshot(10, 1));
    await fsp.copyFile(
      join(dir, '0000000000000001-000000000000000a.snap'),
      join(dir, '0000000000000001-000000000000000b.snap'),
    );
    expect(await snapshotter.loadNewestAvailable()).toEqual(snapshot(10, 1));
    expect(await fsp.readdir(dir)).toContain('0000000000000001-000000000000000b.snap.broken');
  });

  it('considers only snapshots the WAL knows about, without breaking the others', async () => {
    const snapshotter = new Snapshotter({ dir: join(dir, 'snap') });
    const walDir = join(dir, 'wal');
    const small = { segmentBytes: 4096, recordBytesMax: 1024 };
    const wal = await Wal.create({ dir: walDir, ...small, metadata: { nodeId: 1, clusterId: 1 } });
    const entries = Array.from({ length: 30 }, (_, i) => ({
      index: i + 1,
      term: 1,
      type: EntryType.Normal,
      data: new Uint8Array(0),
    }));
    await wal.save({ entries, hardState: { term: 1, vote: 1, commit: 25 }, mustSync: true });
    await snapshotter.save(snapshot(20, 1));
    await wal.saveSnapshotMarker({ index: 20, term: 1 });
    // Saved to disk, but the node crashed before the WAL marker was written.
    await snapshotter.save(snapshot(25, 1));
    await wal.close();

    const markers = await Wal.readSnapshotMarkers({ dir: walDir, ...small });
    expect(markers).toEqual([{ index: 20, term: 1 }]);
    const loaded = await snapshotter.loadNewestAvailable(markers);
    expect(loaded).toEqual(snapshot(20, 1));
    expect((await snapshotter.list()).map((s) => s.index)).toEqual([20, 25]);
    const opened = await Wal.open({ dir: walDir, ...small, fromSnapshot: loaded?.metadata });
    expect(opened.entries.map((e) => e.index)).toEqual([21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
    await opened.wal.close();
  });

  it('returns undefined when there is no usable snapshot', async () => {
    expect(await new Snapshotter({ dir: join(dir, 'none') }).loadNewestAvailable()).toBe(
      undefined,
    );
  });

  it('purges all but the newest N', async () => {
    const snapshotter = new Snapshotter({ dir });
    for (let i = 1; i <= 7; i++) await snapshotter.save(snapshot(i * 10, 1));
    const removed = await snapshotter.purge(5);
    expect(removed).toHaveLength(2);
    expect((await snapshotter.list()).map((s) => s.index)).toEqual([30, 40, 50, 60, 70]);
  });
});
