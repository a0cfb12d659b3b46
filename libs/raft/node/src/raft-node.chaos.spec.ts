// Goal: under random faults (isolation, partitions, message loss, delays, crashes that lose
// unsynced writes, restarts) the shell keeps raft's promises: after healing, every member
// applies the same sequence, and every proposal that resolved is in it at the index it
// resolved with (no acknowledged write is lost or moved).
// Method: TestCluster with a seeded schedule of faults per tick and proposals to whoever
// leads; bounded ticks per seed; a fixed set of seeds so failures replay.
import { SeededRandom } from '@shoal/random';
import { bytes, settle, TestCluster, TICK_MS } from './testdata/cluster';

const SEEDS = [1, 2, 3, 4, 5, 6];
const CHAOS_TICKS = 150;
const MEMBERS = [1, 2, 3];

async function chaos(seed: number): Promise<void> {
  const random = new SeededRandom(seed);
  const cluster = new TestCluster({ snapshotIntervalEntries: 25, logEntriesForSlowFollowers: 5 });
  const acknowledged = new Map<number, string>();
  let next = 0;
  try {
    await cluster.startMembers(MEMBERS);
    for (let tick = 0; tick < CHAOS_TICKS; tick++) {
      await injectFault(cluster, random);
      const leader = cluster.leader();
      if (leader !== undefined) {
        for (let i = 0; i < random.int(0, 4); i++) {
          const text = `s${seed}-${next++}`;
          leader.propose(bytes(text)).then(
            (r) => acknowledged.set(r.index, text),
            () => undefined,
          );
        }
      }
      await settle(5);
      cluster.clock.advance(TICK_MS);
    }
    cluster.hub.heal();
    for (const id of MEMBERS) {
      if (cluster.node(id).status().phase === 'stopped') await cluster.startMember(id);
    }
    const final = await cluster.waitForLeader();
    await cluster.resolve(final.propose(bytes('final')));
    await cluster.waitFor(
      () => MEMBERS.every((id) => cluster.applier(id).texts().at(-1) === 'final'),
      'members to converge',
      400,
    );
    const reference = cluster.applier(final.id).applied;
    for (const id of MEMBERS) expect(cluster.applier(id).applied).toEqual(reference);
    const byIndex = new Map(reference.map((a) => [a.index, a.text]));
    for (const [index, text] of acknowledged) expect(byIndex.get(index)).toBe(text);
    expect(acknowledged.size).toBeGreaterThan(0);
  } finally {
    await cluster.stopAll();
  }
}

async function injectFault(cluster: TestCluster, random: SeededRandom): Promise<void> {
  const roll = random.int(0, 100);
  const victim = random.pick(MEMBERS);
  const node = cluster.node(victim);
  if (roll < 4) {
    cluster.hub.heal();
    cluster.hub.isolate(victim);
  } else if (roll < 7) {
    cluster.hub.heal();
    cluster.hub.partition([victim], MEMBERS.filter((id) => id !== victim));
  } else if (roll < 9) {
    cluster.hub.setDropRate(0.2);
  } else if (roll < 11) {
    cluster.hub.setDelay(random.int(1, 3) * TICK_MS);
  } else if (roll < 20) {
    cluster.hub.heal();
  } else if (roll < 23 && node.status().phase === 'running') {
    await cluster.crash(victim);
  } else if (roll < 30 && node.status().phase === 'stopped') {
    await cluster.startMember(victim);
  }
}

describe('RaftNode under random faults', () => {
  it.each(SEEDS)('seed %i: members converge and no acknowledged write is lost', async (seed) => {
    await chaos(seed);
  });
});
