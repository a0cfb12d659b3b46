/**
 * Goal: the partition scenarios 14-19 of raft.md §2.4 (CheckQuorum, bounded uncommitted
 * log, disruptive followers, the vote lease, PreVote, lagging commit), each a named test.
 * Method: the synchronous Network for message-level scenarios; a RawNode Cluster where the
 * Ready loop (persistence, quota release on apply) matters. Election timeouts are pinned by
 * setting `randomizedElectionTimeout` directly, as etcd's tests do.
 */
import { MessageType } from './types';
import { Raft, StateType } from './raft';
import { RaftError } from './errors';
import { Cluster } from './testing/cluster';
import { bytes, msg, newStorage, newTestRaft, propMsg } from './testing/helpers';
import { Network } from './testing/network';
import { Config } from './config';

const hup = (id: number) => msg({ from: id, to: id, type: MessageType.MsgHup });

function trio(overrides: Partial<Config>): [Raft, Raft, Raft] {
  return [1, 2, 3].map((id) => newTestRaft(id, 10, 1, newStorage([1, 2, 3]), overrides)) as [
    Raft,
    Raft,
    Raft,
  ];
}

function setTimeout(r: Raft, ticks: number): void {
  r.randomizedElectionTimeout = ticks;
}

describe('scenarios: partitions', () => {
  // Ports TestLeaderElectionWithCheckQuorum-style isolation.
  test('S14 an isolated leader steps down; the majority elects anew; its tail is discarded', () => {
    const c = new Cluster();
    for (const id of [1, 2, 3]) c.add(id, [1, 2, 3], [], { checkQuorum: true, preVote: true });
    c.node(1).rn.campaign();
    c.stabilize();
    expect(c.leaders()).toEqual([1]);
    // Isolate 1; it accepts a proposal it can never commit.
    c.dropFilter = (m) => m.from === 1 || m.to === 1;
    expect(c.node(1).rn.propose(bytes('lost'))).toBeNull();
    c.stabilize();
    const stale = c.node(1).rn.raft.raftLog.lastIndex();
    let ticks = 0;
    while (c.node(1).rn.raft.state === StateType.Leader) {
      c.node(1).rn.tick();
      c.stabilize();
      ticks++;
    }
    // CheckQuorum runs every election timeout; the first window counted the followers.
    expect(ticks).toBeLessThanOrEqual(2 * 10);
    for (let i = 0; i < 100 && c.leaders().length === 0; i++) {
      c.node(2).rn.tick();
      c.node(3).rn.tick();
      c.stabilize();
    }
    const newLeader = c.leaders()[0] as number;
    expect([2, 3]).toContain(newLeader);
    expect(c.node(newLeader).rn.propose(bytes('kept'))).toBeNull();
    c.stabilize();
    c.dropFilter = () => false;
    for (let i = 0; i < 3; i++) {
      c.tickAll();
      c.stabilize();
    }
    const log1 = c.node(1).rn.raft.raftLog;
    const texts = log1.allEntries().map((e) => new TextDecoder().decode(e.data));
    expect(texts).toContain('kept');
    expect(texts).not.toContain('lost');
    expect(log1.committed).toBeGreaterThanOrEqual(stale);
    expect(c.node(1).rn.raft.state).toBe(StateType.Follower);
  });

  // Ports TestRawNodeBoundedLogGrowthWithPartition.
  test('S15 a minority leader keeps its uncommitted log bounded', () => {
    const maxEntries = 16;
    const data = bytes('testdata');
    const maxBytes = maxEntries * data.byteLength;
    const c = new Cluster();
    const n = c.add(1, [1], [], { maxUncommittedEntriesBytes: maxBytes });
    n.rn.campaign();
    c.stabilize();
    expect(n.rn.raft.state).toBe(StateType.Leader);
    let dropped = 0;
    for (let i = 0; i < 1024; i++) if (n.rn.propose(data) === RaftError.ProposalDropped) dropped++;
    expect(dropped).toBe(1024 - maxEntries);
    expect(n.rn.raft.uncommittedSizeBytes).toBe(maxBytes);
    let rd = n.rn.ready();
    expect(rd.entries).toHaveLength(maxEntries);
    n.storage.append(rd.entries);
    n.rn.advance();
    // Committed but not yet applied: the quota is still held.
    expect(n.rn.raft.uncommittedSizeBytes).toBe(maxBytes);
    rd = n.rn.ready();
    expect(rd.entries).toHaveLength(0);
    expect(rd.committedEntries).toHaveLength(maxEntries);
    n.rn.advance();
    expect(n.rn.raft.uncommittedSizeBytes).toBe(0);

    // The same bound holds for a leader cut off from its followers.
    const p = new Cluster();
    for (const id of [1, 2, 3]) p.add(id, [1, 2, 3], [], { maxUncommittedEntriesBytes: maxBytes });
    p.node(1).rn.campaign();
    p.stabilize();
    p.dropFilter = (m) => m.from === 1 || m.to === 1;
    for (let i = 0; i < 1024; i++) p.node(1).rn.propose(data);
    p.stabilize();
    const l = p.node(1).rn.raft.raftLog;
    expect(l.lastIndex() - l.committed).toBe(maxEntries);
  });

  // Ports TestDisruptiveFollower, TestDisruptiveFollowerPreVote.
  test('S16 a rejoining higher-term follower disrupts without PreVote, not with it', () => {
    const [n1, n2, n3] = trio({ checkQuorum: true });
    for (const r of [n1, n2, n3]) r.becomeFollower(1, 0);
    const nt = new Network([n1, n2, n3]);
    nt.send(hup(1));
    expect([n1.state, n2.state, n3.state]).toEqual(
      [StateType.Leader, StateType.Follower, StateType.Follower],
    );
    // n3 times out (its heartbeats were lost) and campaigns at term 3.
    setTimeout(n3, n3.electionTimeout + 2);
    for (let i = 0; i < n3.randomizedElectionTimeout; i++) n3.tick();
    expect([n1.term, n2.term, n3.term, n3.state]).toEqual([2, 2, 3, StateType.Candidate]);
    // The leader's next heartbeat reaches n3, whose empty MsgAppResp at term 3 deposes it.
    nt.send(msg({ from: 1, to: 3, term: n1.term, type: MessageType.MsgHeartbeat }));
    expect([n1.state, n1.term]).toEqual([StateType.Follower, 3]);

    const [p1, p2, p3] = trio({ checkQuorum: true, preVote: true });
    for (const r of [p1, p2, p3]) r.becomeFollower(1, 0);
    const pt = new Network([p1, p2, p3]);
    pt.send(hup(1));
    pt.isolate(3);
    for (let i = 0; i < 3; i++) pt.send(propMsg(1, 'somedata'));
    pt.recover();
    pt.send(hup(3));
    expect([p1.state, p3.state, p3.term]).toEqual([StateType.Leader, StateType.PreCandidate, 2]);
    pt.send(msg({ from: 1, to: 3, term: p1.term, type: MessageType.MsgHeartbeat }));
    expect(p1.state).toBe(StateType.Leader);
  });

  // Ports checkquorum.txt, TestFreeStuckCandidateWithCheckQuorum.
  test('S17 CheckQuorum: votes ignored in the lease; a stuck candidate is still freed', () => {
    // The lease: followers that heard from the leader ignore a vote request.
    const [l1, l2, l3] = trio({ checkQuorum: true });
    const lt = new Network([l1, l2, l3]);
    lt.send(hup(1));
    lt.send(hup(2));
    expect([l1.state, l2.state, l1.term]).toEqual([StateType.Leader, StateType.Candidate, 1]);
    expect(l2.term).toBe(2);

    const [a, b, c] = trio({ checkQuorum: true });
    const nt = new Network([a, b, c]);
    setTimeout(b, b.electionTimeout + 1);
    for (let i = 0; i < b.electionTimeout; i++) b.tick();
    nt.send(hup(1));
    nt.isolate(1);
    nt.send(hup(3));
    expect([b.state, c.state, c.term]).toEqual(
      [StateType.Follower, StateType.Candidate, b.term + 1],
    );
    nt.send(hup(3));
    expect([b.state, c.state, c.term]).toEqual(
      [StateType.Follower, StateType.Candidate, b.term + 2],
    );
    nt.recover();
    // The leader's heartbeat reaches the stuck candidate; its reply carries the higher term.
    nt.send(msg({ from: 1, to: 3, type: MessageType.MsgHeartbeat, term: a.term }));
    expect([a.state, a.term]).toEqual([StateType.Follower, c.term]);
    nt.send(hup(3));
    expect(c.state).toBe(StateType.Leader);
  });

  // Ports prevote.txt, TestPreVoteWithSplitVote, TestNodeWithSmallerTermCanCompleteElection,
  //  TestPreVoteMigration*.
  test('S18 PreVote: stale logs lose, split votes recover, smaller terms win, migration', () => {
    // A node with a stale log gets no pre-votes and does not raise its term (prevote.txt).
    const stale = (id: number, terms: number[]): Raft => {
      const st = newStorage([1, 2, 3]);
      st.append(terms.map((t, i) => ({ term: t, index: i + 1, type: 0, data: bytes('') })));
      st.setHardState({ term: 2, vote: 0, commit: 0 });
      return newTestRaft(id, 10, 1, st, { preVote: true });
    };
    const [s1, s2, s3] = [stale(1, [1, 2, 2]), stale(2, [1, 2, 2]), stale(3, [1, 2])];
    const st = new Network([s1, s2, s3]);
    const replies: boolean[] = [];
    st.msgHook = (m) => {
      if (m.type === MessageType.MsgPreVoteResp) replies.push(m.reject);
      return true;
    };
    st.send(hup(3));
    expect(replies).toEqual([true, true]);
    expect([s3.state, s3.term, s1.term, s2.term]).toEqual([StateType.Follower, 2, 2, 2]);
    st.send(hup(1));
    expect([s1.state, s1.term]).toEqual([StateType.Leader, 3]);

    // TestPreVoteWithSplitVote.
    const [n1, n2, n3] = trio({ preVote: true });
    for (const r of [n1, n2, n3]) r.becomeFollower(1, 0);
    const nt = new Network([n1, n2, n3]);
    nt.send(hup(1));
    nt.isolate(1);
    nt.send(hup(2), hup(3));
    expect([n2.term, n3.term, n2.state, n3.state]).toEqual(
      [3, 3, StateType.Candidate, StateType.Candidate],
    );
    nt.send(hup(2));
    expect([n2.term, n3.term, n2.state, n3.state]).toEqual(
      [4, 4, StateType.Leader, StateType.Follower],
    );

    // TestNodeWithSmallerTermCanCompleteElection.
    const [m1, m2, m3] = trio({ preVote: true });
    for (const r of [m1, m2, m3]) r.becomeFollower(1, 0);
    const mt = new Network([m1, m2, m3]);
    mt.cut(1, 3);
    mt.cut(2, 3);
    mt.send(hup(1));
    expect([m1.state, m2.state]).toEqual([StateType.Leader, StateType.Follower]);
    mt.send(hup(3));
    expect(m3.state).toBe(StateType.PreCandidate);
    mt.send(hup(2));
    expect([m1.term, m2.term, m3.term]).toEqual([3, 3, 1]);
    expect([m1.state, m2.state, m3.state]).toEqual(
      [StateType.Follower, StateType.Leader, StateType.PreCandidate],
    );
    mt.recover();
    mt.cut(2, 1);
    mt.cut(2, 3);
    mt.send(hup(3));
    mt.send(hup(1));
    expect(m1.state === StateType.Leader || m3.state === StateType.Leader).toBe(true);

    // Migration: old nodes (no PreVote) and a new one (PreVote) still elect and replicate.
    const old1 = newTestRaft(1, 10, 1, newStorage([1, 2, 3]), { preVote: false });
    const old2 = newTestRaft(2, 10, 1, newStorage([1, 2, 3]), { preVote: false });
    const new3 = newTestRaft(3, 10, 1, newStorage([1, 2, 3]), { preVote: true });
    const gt = new Network([old1, old2, new3]);
    gt.send(hup(1));
    gt.isolate(3);
    gt.send(propMsg(1, 'some data'));
    gt.send(hup(3));
    gt.send(hup(3));
    gt.recover();
    gt.send(hup(3));
    gt.send(hup(1));
    const leaders = [old1, old2, new3].filter((r) => r.state === StateType.Leader);
    expect(leaders).toHaveLength(1);
    gt.send(propMsg(leaders[0]?.id ?? 1, 'after migration'));
    const committed = [old1, old2, new3].map((r) => r.raftLog.committed);
    expect(new Set(committed).size).toBe(1);
  });

  // Ports lagging_commit.txt.
  test('S19 a lagging follower commit index catches up after a network hiccup', () => {
    const c = new Cluster();
    for (const id of [1, 2, 3]) c.add(id, [1, 2, 3]);
    c.node(1).rn.campaign();
    c.stabilize();
    c.node(1).rn.propose(bytes('data1'));
    c.node(1).rn.propose(bytes('data2'));
    c.processReady(1);
    c.deliver(2);
    c.deliver(3);
    c.processReady(3);
    // The blip: 3's acks are lost...
    c.queue = c.queue.filter((m) => m.from !== 3);
    for (let i = 0; i < 3; i++) {
      c.processReady(1);
      c.processReady(2);
      c.deliver(1);
      c.deliver(2);
    }
    // ...and so is the commit index sent to 3.
    c.queue = c.queue.filter((m) => m.to !== 3);
    const lead = c.node(1).rn.raft.raftLog.committed;
    expect(c.node(3).rn.raft.raftLog.committed).toBeLessThan(lead);
    // The next heartbeat round repairs it.
    c.node(1).rn.tick();
    c.stabilize();
    expect(c.node(3).rn.raft.raftLog.committed).toBe(lead);
    expect(c.node(3).applied.map((e) => new TextDecoder().decode(e.data))).toContain('data2');
  });
});
