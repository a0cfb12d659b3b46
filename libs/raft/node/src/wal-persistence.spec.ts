// Goal: WalPersistence gives back what was saved (bootstrap log, entries, HardState), starts
// from the newest snapshot the WAL trusts, releases old segments after a snapshot, and keeps
// the log when a crash leaves a snapshot marker no saved commit covers.
// Method: a WAL on MemoryWalFs with small segments; crashes that lose unsynced writes.
import { EntryType, type Entry, type Snapshot } from '@shoal/raft';
import { MemoryWalFs } from '@shoal/raft-wal';
import { bootstrapState } from './bootstrap';
import { WalPersistence } from './wal-persistence';

const SMALL = { segmentBytes: 4096, recordBytesMax: 1024 };

function persistence(fs: MemoryWalFs): WalPersistence {
  return new WalPersistence({ dir: '/data/1', nodeId: 1, fs, ...SMALL });
}

function entries(from: number, to: number, term: number): Entry[] {
  return Array.from({ length: to - from + 1 }, (_, i) => ({
    term,
    index: from + i,
    type: EntryType.Normal,
    data: new Uint8Array(40).fill((from + i) % 251),
  }));
}

function snapshot(index: number, term: number): Snapshot {
  const confState = {
    voters: [1, 2, 3],
    learners: [],
    votersOutgoing: [],
    learnersNext: [],
    autoLeave: false,
  };
  const data = new TextEncoder().encode(`state@${index}`);
  return { data, metadata: { index, term, confState } };
}

describe('WalPersistence', () => {
  it('loads nothing before create, then the bootstrap log and later saves', async () => {
    const fs = new MemoryWalFs();
    const p = persistence(fs);
    expect(await p.load()).toBeUndefined();
    const initial = bootstrapState(1, [1, 2, 3]);
    await p.create(initial);
    const hardState = { term: 2, vote: 1, commit: 9 };
    await p.save({ entries: entries(4, 10, 2), hardState, mustSync: true });
    await p.close();
    const loaded = await persistence(fs).load();
    expect(loaded?.hardState).toEqual({ term: 2, vote: 1, commit: 9 });
    expect(loaded?.entries.map((e) => e.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(loaded?.snapshot).toBeUndefined();
  });

  it('restarts from a saved snapshot and releases segments before it', async () => {
    const fs = new MemoryWalFs();
    const p = persistence(fs);
    await p.create(bootstrapState(1, [1, 2, 3]));
    for (let i = 4; i <= 200; i += 20) {
      const hardState = { term: 2, vote: 1, commit: i + 19 };
      await p.save({ entries: entries(i, i + 19, 2), hardState, mustSync: true });
    }
    const segmentsBefore = (await fs.readdir('/data/1/wal')).length;
    await p.saveSnapshot(snapshot(150, 2));
    await p.releaseBefore(140);
    expect((await fs.readdir('/data/1/wal')).length).toBeLessThan(segmentsBefore);
    const loaded = await persistence(fs.crash({ kind: 'lose' })).load();
    expect(loaded?.snapshot?.metadata.index).toBe(150);
    expect(loaded?.entries[0]?.index).toBe(151);
    expect(loaded?.entries.at(-1)?.index).toBe(203);
  });

  // A follower installs a leader's snapshot S past its log: the marker is synced, then the
  // crash loses the HardState that would have covered it. The WAL trusts no marker its saved
  // commit does not cover (etcd's ValidSnapshotEntries): S is no snapshot to start from, and
  // it must not cost the old log either (durable, possibly acknowledged entries 1..20), or
  // RawNode would refuse commit 18 with no entries. (Was a known raft-wal bug.)
  it('keeps the log when a crash leaves a marker the commit does not cover', async () => {
    const fs = new MemoryWalFs();
    const p = persistence(fs);
    await p.create({ hardState: { term: 0, vote: 0, commit: 0 }, entries: [] });
    const hardState = { term: 1, vote: 0, commit: 18 };
    await p.save({ entries: entries(1, 20, 1), hardState, mustSync: true });
    await p.saveSnapshot(snapshot(30, 2));
    await p.save({ entries: [], hardState: { term: 2, vote: 0, commit: 30 }, mustSync: false });
    const loaded = await persistence(fs.crash({ kind: 'lose' })).load();
    expect(loaded?.hardState.commit).toBe(18);
    expect(loaded?.entries.map((e) => e.index)).toEqual(entries(1, 20, 1).map((e) => e.index));
  });
});
