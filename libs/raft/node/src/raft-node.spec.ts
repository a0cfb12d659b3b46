// Goal: RaftNode runs the Ready loop correctly end to end: three members elect a leader and
// replicate; a proposal resolves only after it is applied on the leader; followers apply the
// same sequence; a crashed follower restarts from its WAL and catches up; leadership loss
// fails pending proposals and a new leader takes over; snapshots compact the log and a wiped
// follower catches up through one; reads are linearizable barriers on leader and follower;
// membership changes take effect on apply; a WAL failure stops the node.
// Method: TestCluster (testdata/cluster.ts): RaftNodes over LocalTransportHub, each with a
// real WAL on its own MemoryWalFs, ticked by a ManualClock; `settle` drains the event loop.
import { createMetrics } from '@shoal/metrics';
import { MessageType, type Message } from '@shoal/raft';
import { raftReason } from './errors';
import type { Transport } from './transport';
import { bytes, settle, TestCluster, TICK_MS } from './testdata/cluster';

let cluster: TestCluster;

afterEach(async () => {
  await cluster.stopAll();
});

async function proposeAll(texts: string[]): Promise<number[]> {
  const indexes: number[] = [];
  for (const text of texts) {
    const leader = await cluster.waitForLeader();
    indexes.push((await cluster.resolve(leader.propose(bytes(text)))).index);
  }
  return indexes;
}

describe('RaftNode: election and replication', () => {
  it('three members elect one leader and replicate proposals in order to all', async () => {
    cluster = new TestCluster();
    await cluster.startMembers([1, 2, 3]);
    const leader = await cluster.waitForLeader();
    const others = cluster.running().filter((n) => n !== leader);
    expect(others.every((n) => n.leaderId === leader.id)).toBe(true);
    expect(new Set(cluster.running().map((n) => n.status().term)).size).toBe(1);
    const indexes = await proposeAll(['a', 'b', 'c']);
    expect(indexes[1]).toBe((indexes[0] as number) + 1);
    await cluster.waitFor(
      () => [1, 2, 3].every((id) => cluster.applier(id).texts().join() === 'a,b,c'),
      'followers to apply',
    );
    const seqs = [1, 2, 3].map((id) => cluster.applier(id).applied);
    expect(seqs[1]).toEqual(seqs[0]);
    expect(seqs[2]).toEqual(seqs[0]);
    expect(seqs[0]?.map((a) => a.index)).toEqual(indexes);
  });

  it('resolves a proposal only after the leader applied it', async () => {
    cluster = new TestCluster();
    await cluster.startMembers([1, 2, 3]);
    const leader = await cluster.waitForLeader();
    const applier = cluster.applier(leader.id);
    const seen = await cluster.resolve(
      leader.propose(bytes('x')).then((r) => ({
        index: r.index,
        applied: applier.applied.some((a) => a.index === r.index && a.text === 'x'),
        appliedIndex: leader.appliedIndex,
      })),
    );
    expect(seen.applied).toBe(true);
    expect(seen.appliedIndex).toBeGreaterThanOrEqual(seen.index);
    const second = await cluster.resolve(leader.propose(bytes('y')));
    expect(second.result).toBe(applier.applied.length);
  });

  it('batches concurrent proposals: far fewer leader fsyncs than entries', async () => {
    cluster = new TestCluster();
    await cluster.startMembers([1, 2, 3]);
    const leader = await cluster.waitForLeader();
    const before = leader.status().stats;
    const results = await cluster.resolve(
      Promise.all(Array.from({ length: 200 }, (_, i) => leader.propose(bytes(`p${i}`)))),
    );
    expect(new Set(results.map((r) => r.index)).size).toBe(200);
    const after = leader.status().stats;
    const fsyncs = after.fsyncs - before.fsyncs;
    expect(after.entriesSynced - before.entriesSynced).toBeGreaterThanOrEqual(200);
    expect(fsyncs).toBeLessThan(20);
  });

  it('refuses proposals on a follower with NOT_LEADER naming the leader', async () => {
    cluster = new TestCluster();
    await cluster.startMembers([1, 2, 3]);
    const leader = await cluster.waitForLeader();
    const follower = cluster.running().find((n) => n !== leader);
    await expect(follower?.propose(bytes('no'))).rejects.toMatchObject({
      code: 'NOT_LEADER',
      details: { leaderId: String(leader.id) },
    });
  });

  it('refuses a proposal above the size limit with RESOURCE_EXHAUSTED', async () => {
    cluster = new TestCluster();
    await cluster.startMembers([1, 2, 3]);
    const leader = await cluster.waitForLeader();
    await expect(leader.propose(new Uint8Array(2 * 1024 * 1024))).rejects.toMatchObject({
      code: 'RESOURCE_EXHAUSTED',
    });
  });
});

/**
 * writtenFirst wraps a transport: it offers `written` (a turn of the event loop) and logs
 * sends of entries and each `written` with the member's fsync count at that moment.
 */
function writtenFirst(inner: Transport, log: string[], fsyncs: () => number): Transport {
  return {
    start: (handler) => inner.start(handler),
    stop: () => inner.stop(),
    send: (messages: readonly Message[]) => {
      if (messages.some((m) => m.type === MessageType.MsgApp && m.entries.length > 0)) {
        log.push(`send fsyncs=${fsyncs()}`);
      }
      inner.send(messages);
    },
    written: async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      log.push(`written fsyncs=${fsyncs()}`);
    },
  };
}

describe('RaftNode: the leader replicates before it writes', () => {
  it('waits until its MsgApps are written before persisting its own entries', async () => {
    cluster = new TestCluster();
    const logs = new Map<number, string[]>();
    for (const id of [1, 2, 3]) {
      const log: string[] = [];
      logs.set(id, log);
      const fsyncs = (): number => cluster.node(id).status().stats.fsyncs;
      await cluster.startMember(id, {
        peers: [1, 2, 3],
        extra: { transport: writtenFirst(cluster.hub.connect(id), log, fsyncs) },
      });
    }
    const leader = await cluster.waitForLeader();
    const log = logs.get(leader.id) as string[];
    const before = leader.status().stats.fsyncs;
    log.length = 0;
    await cluster.resolve(leader.propose(bytes('x')));
    expect(log.slice(0, 2)).toEqual([`send fsyncs=${before}`, `written fsyncs=${before}`]);
    expect(leader.status().stats.fsyncs).toBeGreaterThan(before);
  });
});

describe('RaftNode: crashes and leadership loss', () => {
  it('restarts a crashed follower from its WAL and it catches up', async () => {
    cluster = new TestCluster();
    await cluster.startMembers([1, 2, 3]);
    const leader = await cluster.waitForLeader();
    await proposeAll(['a', 'b']);
    const followerId = [1, 2, 3].find((id) => id !== leader.id) as number;
    await cluster.waitFor(() => cluster.applier(followerId).applied.length === 2, 'follower');
    await cluster.crash(followerId);
    await proposeAll(['c', 'd']);
    const restarted = await cluster.startMember(followerId);
    expect(restarted.status().lastIndex).toBeGreaterThanOrEqual(2);
    await cluster.waitFor(
      () => cluster.applier(followerId).texts().join() === 'a,b,c,d',
      'restarted follower to catch up',
    );
    expect(cluster.applier(followerId).applied).toEqual(cluster.applier(leader.id).applied);
  });

  it('an isolated leader steps down, its pending proposals fail, the others elect', async () => {
    cluster = new TestCluster();
    await cluster.startMembers([1, 2, 3]);
    const old = await cluster.waitForLeader();
    await proposeAll(['a']);
    cluster.hub.isolate(old.id);
    const pending = old.propose(bytes('lost'));
    pending.catch(() => undefined);
    await cluster.waitFor(() => !old.isLeader, 'old leader to step down');
    await expect(pending).rejects.toMatchObject({ code: 'NOT_LEADER' });
    expect(raftReason(await pending.catch((e: unknown) => e))).toBe('lost-leadership');
    const fresh = await cluster.waitForLeader();
    expect(fresh.id).not.toBe(old.id);
    await cluster.resolve(fresh.propose(bytes('b')));
    cluster.hub.heal();
    await cluster.waitFor(
      () => cluster.applier(old.id).texts().join() === 'a,b',
      'old leader to drop its uncommitted tail and catch up',
    );
  });

  it('a stopped leader fails its pending proposals and a new leader is elected', async () => {
    cluster = new TestCluster();
    await cluster.startMembers([1, 2, 3]);
    const old = await cluster.waitForLeader();
    cluster.hub.isolate(old.id);
    const pending = old.propose(bytes('x'));
    pending.catch(() => undefined);
    await old.stop();
    await expect(pending).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    cluster.hub.heal();
    const stoppedAt = cluster.clock.now();
    const fresh = await cluster.waitForLeader();
    expect(fresh.id).not.toBe(old.id);
    expect(fresh.status().term).toBeGreaterThan(old.status().term);
    // Randomized timeouts are 10-19 ticks; allow one split vote (two rounds) and no more.
    expect(cluster.clock.now() - stoppedAt).toBeLessThanOrEqual(2 * 19 * TICK_MS + TICK_MS);
  });

  it('times out a proposal that cannot commit within the proposal timeout', async () => {
    cluster = new TestCluster({ proposalTimeoutMs: 3 * TICK_MS });
    await cluster.startMembers([1, 2, 3]);
    const leader = await cluster.waitForLeader();
    for (const id of [1, 2, 3]) if (id !== leader.id) cluster.hub.cut(leader.id, id);
    const pending = leader.propose(bytes('slow'));
    pending.catch(() => undefined);
    await settle();
    for (let i = 0; i < 4; i++) {
      cluster.clock.advance(TICK_MS);
      await settle();
    }
    await expect(pending).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED' });
  });

  it('stops for good on a WAL fsync failure and fails waiters with UNAVAILABLE', async () => {
    cluster = new TestCluster();
    await cluster.startMembers([1, 2, 3]);
    const leader = await cluster.waitForLeader();
    const fatal: string[] = [];
    leader.onFatal((e) => fatal.push(e.message));
    cluster.fs(leader.id).failNext('datasync');
    const pending = leader.propose(bytes('doomed'));
    pending.catch(() => undefined);
    await settle();
    await expect(pending).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(leader.status().phase).toBe('failed');
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatch(/fatal/);
    await expect(leader.propose(bytes('after'))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    const fresh = await cluster.waitForLeader();
    expect(fresh.id).not.toBe(leader.id);
  });
});

describe('RaftNode: snapshots and compaction', () => {
  it('snapshots every N entries and compacts the log keeping K entries', async () => {
    cluster = new TestCluster({ snapshotIntervalEntries: 20, logEntriesForSlowFollowers: 5 });
    await cluster.startMembers([1, 2, 3]);
    const leader = await cluster.waitForLeader();
    for (let batch = 0; batch < 6; batch++) {
      const texts = Array.from({ length: 10 }, (_, i) => `e${batch}-${i}`);
      await cluster.resolve(Promise.all(texts.map((t) => leader.propose(bytes(t)))));
    }
    const status = leader.status();
    expect(status.stats.snapshots).toBeGreaterThanOrEqual(2);
    expect(status.snapshotIndex).toBeGreaterThanOrEqual(40);
    // compact(snapshot - K) keeps the K entries up to the snapshot behind a dummy entry.
    expect(status.firstIndex).toBe(status.snapshotIndex - 5 + 1);
    const files = await cluster.fs(leader.id).readdir(`/data/${leader.id}/snap`);
    expect(files.filter((f) => f.endsWith('.snap')).length).toBeGreaterThanOrEqual(2);
  });

  it('goes on committing while a slow snapshot is encoded, then records it', async () => {
    cluster = new TestCluster({ snapshotIntervalEntries: 20, logEntriesForSlowFollowers: 5 });
    await cluster.startMembers([1, 2, 3]);
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    for (const id of [1, 2, 3]) {
      const applier = cluster.applier(id);
      // Captures its state when called, produces the bytes only once the gate opens.
      applier.snapshot = () => {
        const data = bytes(JSON.stringify(applier.applied));
        return gate.then(() => data);
      };
    }
    await proposeAll(Array.from({ length: 25 }, (_, i) => `a${i}`));
    const leader = await cluster.waitForLeader();
    expect(leader.status().stats.snapshots).toBe(0);
    // Commits go on while every member's snapshot is pending.
    await proposeAll(Array.from({ length: 10 }, (_, i) => `b${i}`));
    expect(cluster.applier(leader.id).texts()).toHaveLength(35);
    release();
    await cluster.waitFor(() => leader.status().stats.snapshots === 1, 'snapshot recorded');
    const status = leader.status();
    expect(status.snapshotIndex).toBeGreaterThanOrEqual(20);
    expect(status.snapshotIndex).toBeLessThan(status.applied);
  });

  it('sends a snapshot to a follower that fell behind the compacted log', async () => {
    cluster = new TestCluster({ snapshotIntervalEntries: 20, logEntriesForSlowFollowers: 5 });
    await cluster.startMembers([1, 2, 3]);
    const leader = await cluster.waitForLeader();
    const slow = [1, 2, 3].find((id) => id !== leader.id) as number;
    cluster.hub.cut(leader.id, slow);
    await cluster.resolve(
      Promise.all(Array.from({ length: 50 }, (_, i) => leader.propose(bytes(`e${i}`)))),
    );
    expect(leader.status().firstIndex).toBeGreaterThan(cluster.node(slow).appliedIndex + 1);
    cluster.hub.heal();
    await cluster.waitFor(() => cluster.applier(slow).texts().length === 50, 'slow follower');
    expect(cluster.applier(slow).restores).toBe(1);
    expect(cluster.applier(slow).texts()).toEqual(cluster.applier(leader.id).texts());
  });

  it('a wiped member rejoins under a new id and catches up through a snapshot', async () => {
    // A voter that lost its disk must not come back under its old id: its lost votes and
    // acks would break safety (the core asserts on a commit index beyond its log). As with
    // etcd and SwarmKit, it is removed and joins again as a new member.
    cluster = new TestCluster({ snapshotIntervalEntries: 20, logEntriesForSlowFollowers: 5 });
    await cluster.startMembers([1, 2, 3]);
    const leader = await cluster.waitForLeader();
    await cluster.resolve(
      Promise.all(Array.from({ length: 45 }, (_, i) => leader.propose(bytes(`e${i}`)))),
    );
    const wiped = [1, 2, 3].find((id) => id !== leader.id) as number;
    await cluster.node(wiped).stop();
    await cluster.resolve(leader.removeMember(wiped));
    await cluster.startMember(4);
    await cluster.resolve(leader.addMember(4));
    await cluster.waitFor(() => cluster.applier(4).texts().length === 45, 'new member');
    expect(cluster.applier(4).restores).toBe(1);
    expect(cluster.applier(4).texts()).toEqual(cluster.applier(leader.id).texts());
  });

  it('restarts after a crash from the newest snapshot plus the WAL after it', async () => {
    cluster = new TestCluster({ snapshotIntervalEntries: 10, logEntriesForSlowFollowers: 2 });
    await cluster.startMembers([1, 2, 3]);
    const leader = await cluster.waitForLeader();
    await cluster.resolve(
      Promise.all(Array.from({ length: 25 }, (_, i) => leader.propose(bytes(`s${i}`)))),
    );
    const id = [1, 2, 3].find((n) => n !== leader.id) as number;
    await cluster.waitFor(() => cluster.applier(id).applied.length === 25, 'follower');
    const snapshotIndex = cluster.node(id).status().snapshotIndex;
    expect(snapshotIndex).toBeGreaterThan(0);
    await cluster.crash(id);
    const restarted = await cluster.startMember(id);
    expect(cluster.applier(id).restores).toBe(1);
    expect(restarted.status().snapshotIndex).toBe(snapshotIndex);
    await cluster.waitFor(() => cluster.applier(id).applied.length === 25, 'replayed entries');
    expect(cluster.applier(id).texts()).toEqual(cluster.applier(leader.id).texts());
  });
});

describe('RaftNode: reads', () => {
  it('readIndex on the leader and on a follower waits for the apply of prior writes', async () => {
    cluster = new TestCluster();
    await cluster.startMembers([1, 2, 3]);
    const leader = await cluster.waitForLeader();
    const [written] = await proposeAll(['w']);
    const onLeader = await cluster.resolve(leader.readIndex());
    expect(onLeader).toBeGreaterThanOrEqual(written as number);
    expect(leader.appliedIndex).toBeGreaterThanOrEqual(onLeader);
    const follower = cluster.running().find((n) => n !== leader);
    const onFollower = await cluster.resolve((follower as typeof leader).readIndex());
    expect(onFollower).toBeGreaterThanOrEqual(written as number);
    expect(follower?.appliedIndex).toBeGreaterThanOrEqual(onFollower);
    expect(cluster.applier(follower?.id as number).texts()).toContain('w');
  });

  it('readIndex fails without a quorum once the deadline passes', async () => {
    cluster = new TestCluster({ readIndexTimeoutMs: 3 * TICK_MS });
    await cluster.startMembers([1, 2, 3]);
    const leader = await cluster.waitForLeader();
    for (const id of [1, 2, 3]) if (id !== leader.id) cluster.hub.cut(leader.id, id);
    const read = leader.readIndex();
    read.catch(() => undefined);
    for (let i = 0; i < 4; i++) {
      cluster.clock.advance(TICK_MS);
      await settle();
    }
    await expect(read).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED' });
  });
});

describe('RaftNode: membership', () => {
  it('adds a member that catches up, then removes it and it stops', async () => {
    cluster = new TestCluster();
    await cluster.startMembers([1, 2, 3]);
    const leader = await cluster.waitForLeader();
    await proposeAll(['before']);
    await cluster.startMember(4);
    const added = await cluster.resolve(leader.addMember(4, bytes('addr-4')));
    expect(added.confState.voters).toEqual([1, 2, 3, 4]);
    await proposeAll(['after']);
    await cluster.waitFor(
      () => cluster.applier(4).texts().join() === 'before,after',
      'new member to catch up',
    );
    const change = cluster.applier(4).confChanges.at(-1);
    expect(new TextDecoder().decode(change?.context)).toBe('addr-4');
    const removed = await cluster.resolve((await cluster.waitForLeader()).removeMember(4));
    expect(removed.confState.voters).toEqual([1, 2, 3]);
    await cluster.waitFor(() => cluster.node(4).status().phase === 'stopped', 'member 4 to stop');
    expect(cluster.node(4).status().removed).toBe(true);
    await proposeAll(['three again']);
  });

  it('adds a learner that replicates without voting, then promotes it', async () => {
    cluster = new TestCluster();
    await cluster.startMembers([1, 2, 3]);
    const leader = await cluster.waitForLeader();
    await cluster.startMember(4);
    const learner = await cluster.resolve(leader.addLearner(4));
    expect(learner.confState.learners).toEqual([4]);
    await proposeAll(['l']);
    await cluster.waitFor(() => cluster.applier(4).texts().includes('l'), 'learner to apply');
    const promoted = await cluster.resolve((await cluster.waitForLeader()).promote(4));
    expect(promoted.confState.voters).toEqual([1, 2, 3, 4]);
    expect(promoted.confState.learners).toEqual([]);
  });

  it('refuses a second membership change while one is in flight', async () => {
    cluster = new TestCluster();
    await cluster.startMembers([1, 2, 3]);
    const leader = await cluster.waitForLeader();
    const first = leader.addLearner(4);
    await expect(leader.addLearner(5)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await cluster.resolve(first);
  });

  it('transfers leadership to another voter', async () => {
    cluster = new TestCluster();
    await cluster.startMembers([1, 2, 3]);
    const leader = await cluster.waitForLeader();
    const target = [1, 2, 3].find((id) => id !== leader.id) as number;
    await cluster.resolve(leader.transferLeadership(target));
    const fresh = await cluster.waitForLeader();
    expect(fresh.id).toBe(target);
    await cluster.resolve(fresh.propose(bytes('after transfer')));
  });

  it('tells listeners about leader changes', async () => {
    cluster = new TestCluster();
    await cluster.startMembers([1, 2, 3]);
    const seen: number[] = [];
    cluster.node(1).onLeaderChange((c) => seen.push(c.leaderId));
    const leader = await cluster.waitForLeader();
    await cluster.waitFor(() => seen.includes(leader.id), 'member 1 to hear of the leader');
  });
});

describe('RaftNode: metrics', () => {
  it('exports shoal_raft_* series: term, indexes, leadership, proposals, fsyncs', async () => {
    const metrics = createMetrics({ app: 'raft-test', version: '0', collectDefaults: false });
    cluster = new TestCluster();
    await cluster.startMember(1, { peers: [1], extra: { metrics } });
    const leader = await cluster.waitForLeader();
    await cluster.resolve(leader.propose(bytes('m')));
    const text = await metrics.registry.metrics();
    for (const name of [
      'shoal_raft_term 2',
      'shoal_raft_has_leader 1',
      'shoal_raft_is_leader 1',
      'shoal_raft_proposals_committed_total 1',
      'shoal_raft_leader_changes_total 1',
      'shoal_raft_wal_fsync_duration_seconds_count',
      'shoal_raft_entries_per_fsync_count',
      'shoal_raft_apply_duration_seconds_count',
      'shoal_raft_proposal_duration_seconds_count',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(/shoal_raft_applied_index [3-9]/);
  });
});
