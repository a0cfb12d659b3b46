/**
 * Goal: the simulated disk loses exactly what a real one may lose, and nothing else.
 * Method: write records, sync some, crash with and without torn tails, and compare the
 * durable image with what was synced; the lying disk (a mutation) must lose a batch it
 * acknowledged.
 */
import { Entry, EntryType, Snapshot } from '@shoal/raft';
import { SeededRandom } from '@shoal/random';
import { COVERED, DiskBehaviour, SimDisk } from './disk';

const empty: Snapshot = {
  metadata: { index: 0, term: 0, confState: { voters: [1], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } },
  data: new Uint8Array(0),
};

function entries(from: number, to: number, term: number): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push({ index: i, term, type: EntryType.Normal, data: new Uint8Array([i]) });
  return out;
}

describe('SimDisk', () => {
  it('keeps synced writes and loses unsynced ones on a crash', () => {
    const disk = new SimDisk(empty, DiskBehaviour.Honest);
    disk.write({ kind: 'entries', entries: entries(1, 3, 1) });
    disk.write({ kind: 'hardState', hardState: { term: 1, vote: 1, commit: 2 } });
    disk.sync();
    disk.write({ kind: 'entries', entries: entries(4, 5, 1) });
    disk.write({ kind: 'hardState', hardState: { term: 2, vote: 0, commit: 3 } });
    expect(disk.crash(new SeededRandom(1), false)).toEqual({ lost: 2, kept: 0 });
    const image = disk.image();
    expect(image.entries.map((e) => e.index)).toEqual([1, 2, 3]);
    expect(image.hardState).toEqual({ term: 1, vote: 1, commit: 2 });
  });

  it('keeps a prefix of the unsynced records when the tail tears', () => {
    const kept = new Set<number>();
    for (let seed = 1; seed <= 40; seed++) {
      const disk = new SimDisk(empty, DiskBehaviour.Honest);
      disk.write({ kind: 'entries', entries: entries(1, 2, 1) });
      disk.write({ kind: 'entries', entries: entries(3, 3, 1) });
      disk.write({ kind: 'hardState', hardState: { term: 1, vote: 0, commit: 3 } });
      const loss = disk.crash(new SeededRandom(seed), true);
      kept.add(loss.kept);
      const image = disk.image();
      expect(image.entries.length).toBe([0, 2, 3, 3][loss.kept]);
      expect(image.hardState.commit).toBe(loss.kept === 3 ? 3 : 0);
    }
    expect([...kept].sort()).toEqual([0, 1, 2, 3]);
  });

  it('truncates a conflicting suffix like raft does', () => {
    const disk = new SimDisk(empty, DiskBehaviour.Honest);
    disk.write({ kind: 'entries', entries: entries(1, 5, 1) });
    disk.write({ kind: 'entries', entries: entries(3, 4, 2) });
    disk.sync();
    expect(disk.image().entries.map((e) => `${e.index}@${e.term}`)).toEqual(['1@1', '2@1', '3@2', '4@2']);
    expect(disk.durableTermAt(5)).toBeUndefined();
  });

  it('answers COVERED below a snapshot and compacts only what it covers', () => {
    const disk = new SimDisk(empty, DiskBehaviour.Honest);
    disk.write({ kind: 'entries', entries: entries(1, 6, 1) });
    disk.saveSnapshot({ metadata: { ...empty.metadata, index: 4, term: 1 }, data: new Uint8Array(0) });
    disk.compact(3);
    expect(disk.durableTermAt(2)).toBe(COVERED);
    expect(disk.durableTermAt(4)).toBe(1);
    expect(disk.durableTermAt(6)).toBe(1);
    expect(() => disk.compact(5)).toThrow('compact only what a snapshot covers');
  });

  it('as a lying disk, loses a batch whose fsync it acknowledged', () => {
    const disk = new SimDisk(empty, DiskBehaviour.LiesAboutFsync);
    disk.write({ kind: 'entries', entries: entries(1, 1, 1) });
    disk.sync();
    disk.write({ kind: 'entries', entries: entries(2, 2, 1) });
    disk.sync();
    disk.crash(new SeededRandom(1), false);
    expect(disk.image().entries.map((e) => e.index)).toEqual([1]);
  });
});
