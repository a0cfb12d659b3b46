/**
 * Goal: the election and replication scenarios 1-13 of raft.md §2.4, each a named test
 * (etcd-raft test names in parentheses where a scenario ports one).
 * Method: a synchronous in-process Network of raft instances (scenario-level message
 * exchange, partitions via cut/isolate/ignore), or a Cluster of RawNodes driven through the
 * full Ready loop where ticks, persistence and application matter.
 */
import { Entry, MessageType } from './types';
import { Raft, StateType } from './raft';
import { ProgressState } from './progress';
import { RaftError } from './errors';
import { sendAppend } from './replication';
import { Cluster } from './testing/cluster';
import {
  entriesWithTerms,
  logString,
  msg,
  mustAppendEntry,
  entry,
  newStorage,
  newTestRaft,
  propMsg,
} from './testing/helpers';
import { Network, NOP_STEPPER } from './testing/network';
import { Config } from './config';

const hup = (id: number) => msg({ from: id, to: id, type: MessageType.MsgHup });
const beat = (id: number) => msg({ from: id, to: id, type: MessageType.MsgBeat });

/** A raft whose log holds entries with `terms` and whose term is the last of them. */
function entsWith(
  id: number,
  peers: number[],
  overrides: Partial<Config>,
  ...terms: number[]
): Raft {
  const s = newStorage(peers);
  s.append(terms.map((t, i) => entry(t, i + 1)));
  const r = newTestRaft(id, 5, 1, s, overrides);
  r.reset(terms[terms.length - 1] as number);
  return r;
}

/** A raft that voted for `vote` in `term` but has no log. */
function votedWith(
  id: number,
  peers: number[],
  overrides: Partial<Config>,
  vote: number,
  term: number,
): Raft {
  const s = newStorage(peers);
  s.setHardState({ term, vote, commit: 0 });
  const r = newTestRaft(id, 5, 1, s, overrides);
  r.reset(term);
  return r;
}

function expectedLog(...ents: Entry[]): string {
  const s = newStorage([1]);
  s.append(ents);
  return entriesOf(newTestRaft(1, 10, 1, s));
}

function entriesOf(r: Raft): string {
  return logString(r.raftLog).replace(/committed: \d+\napplied: {2}\d+\n/, '');
}

describe('scenarios: election and replication', () => {
  test('S01 a single node elects itself after one election timeout and commits at once', () => {
    const c = new Cluster();
    const n = c.add(1, [1]);
    for (let i = 0; i < 2 * 10 && n.rn.raft.state !== StateType.Leader; i++) {
      n.rn.tick();
      c.stabilize();
    }
    expect(n.rn.raft.state).toBe(StateType.Leader);
    expect(n.rn.propose(new TextEncoder().encode('x'))).toBeNull();
    c.stabilize();
    expect(n.rn.raft.raftLog.committed).toBe(2);
    expect(n.applied.map((e) => e.index)).toEqual([1, 2]);
  });

  test('S02 three nodes converge on one leader, all at the same term', () => {
    const c = new Cluster();
    for (const id of [1, 2, 3]) c.add(id, [1, 2, 3], [], { preVote: true, checkQuorum: true });
    for (let i = 0; i < 100 && c.leaders().length === 0; i++) {
      c.tickAll();
      c.stabilize();
    }
    expect(c.leaders()).toHaveLength(1);
    const leader = c.leaders()[0] as number;
    const terms = [1, 2, 3].map((id) => c.node(id).rn.raft.term);
    expect(new Set(terms).size).toBe(1);
    for (const id of [1, 2, 3]) expect(c.node(id).rn.raft.lead).toBe(leader);
  });

  // Ports TestDuelingCandidates.
  test('S03 dueling candidates resolve; randomized timeouts break a split vote', () => {
    const a = newTestRaft(1, 10, 1, newStorage([1, 2, 3]));
    const b = newTestRaft(2, 10, 1, newStorage([1, 2, 3]));
    const cc = newTestRaft(3, 10, 1, newStorage([1, 2, 3]));
    const nt = new Network([a, b, cc]);
    nt.cut(1, 3);
    nt.send(hup(1));
    nt.send(hup(3));
    expect(a.state).toBe(StateType.Leader);
    expect(cc.state).toBe(StateType.Candidate);
    nt.recover();
    // 3 campaigns at term 2 with a stale log: it forces the term up but cannot win.
    nt.send(hup(3));
    expect([a.state, a.term, a.raftLog.lastIndex()]).toEqual([StateType.Follower, 2, 1]);
    expect([b.state, b.term, b.raftLog.lastIndex()]).toEqual([StateType.Follower, 2, 1]);
    expect([cc.state, cc.term, cc.raftLog.lastIndex()]).toEqual([StateType.Follower, 2, 0]);

    // A 4-node split vote (2 against 2) resolves by ticking: timeouts differ per node.
    const c = new Cluster();
    for (const id of [1, 2, 3, 4]) c.add(id, [1, 2, 3, 4]);
    // Candidates 1 and 4 each reach only one other voter: 1 gets 2's vote, 4 gets 3's.
    const blocked = new Set(['1->4', '4->1', '1->3', '4->2']);
    c.dropFilter = (m) => m.type === MessageType.MsgVote && blocked.has(`${m.from}->${m.to}`);
    c.node(1).rn.campaign();
    c.node(4).rn.campaign();
    c.stabilize();
    expect(c.leaders()).toEqual([]);
    c.dropFilter = () => false;
    for (let i = 0; i < 200 && c.leaders().length === 0; i++) {
      c.tickAll();
      c.stabilize();
    }
    expect(c.leaders()).toHaveLength(1);
  });

  test('S04 a node grants at most one vote per term, first come first served', () => {
    const r = newTestRaft(3, 10, 1, newStorage([1, 2, 3]));
    r.step(msg({ from: 1, to: 3, term: 1, type: MessageType.MsgVote }));
    r.step(msg({ from: 2, to: 3, term: 1, type: MessageType.MsgVote }));
    r.step(msg({ from: 1, to: 3, term: 1, type: MessageType.MsgVote }));
    const votes = r.readMessages().map((m) => [m.to, m.type, m.reject]);
    expect(votes).toEqual([
      [1, MessageType.MsgVoteResp, false],
      [2, MessageType.MsgVoteResp, true],
      [1, MessageType.MsgVoteResp, false],
    ]);
    expect(r.vote).toBe(1);
  });

  test('S05 a voter rejects a candidate whose last (term, index) is behind its own', () => {
    // Node 1's log [1] is behind 2's [1 1 1] (same last term, shorter) and 3's [1 2]
    // (lower last term): both reject it. Node 3's log is the most up to date: it wins.
    const peers = [1, 2, 3];
    const nt = new Network([
      entsWith(1, peers, {}, 1),
      entsWith(2, peers, {}, 1, 1, 1),
      entsWith(3, peers, {}, 1, 2),
    ]);
    const replies: Array<[number, boolean]> = [];
    nt.msgHook = (m) => {
      if (m.type === MessageType.MsgVoteResp && m.to === 1) replies.push([m.from, m.reject]);
      return true;
    };
    nt.send(hup(1));
    expect(replies).toEqual([
      [2, true],
      [3, true],
    ]);
    expect(nt.raft(1).state).toBe(StateType.Follower);
    nt.send(hup(3));
    expect(nt.raft(3).state).toBe(StateType.Leader);
  });

  test('S06 a candidate becomes follower on MsgApp or MsgHeartbeat with term >= its own', () => {
    for (const type of [MessageType.MsgApp, MessageType.MsgHeartbeat]) {
      for (const delta of [0, 1]) {
        const r = newTestRaft(1, 10, 1, newStorage([1, 2, 3]));
        r.becomeCandidate();
        r.step(msg({ from: 2, to: 1, term: r.term + delta, type }));
        expect([type, delta, r.state, r.lead]).toEqual([type, delta, StateType.Follower, 2]);
      }
    }
  });

  // Ports TestOldMessages.
  test('S07 any role steps down on a higher term; stale messages change nothing', () => {
    const nt = new Network([null, null, null]);
    // Make 1 leader @ term 3 via 1, 2, 1 campaigns.
    nt.send(hup(1));
    nt.send(hup(2));
    nt.send(hup(1));
    expect(nt.raft(2).state).toBe(StateType.Follower);
    // A late MsgApp from the term-2 leader is ignored.
    nt.send(msg({ from: 2, to: 1, type: MessageType.MsgApp, term: 2, entries: [entry(2, 3)] }));
    nt.send(propMsg(1, 'somedata'));
    const want = expectedLog(entry(1, 1), entry(2, 2), entry(3, 3), entry(3, 4, 'somedata'));
    for (const id of [1, 2, 3]) expect(entriesOf(nt.raft(id))).toBe(want);
    // And the leader itself steps down on a higher term.
    nt.raft(1).step(msg({ from: 3, to: 1, type: MessageType.MsgHeartbeat, term: 9 }));
    expect([nt.raft(1).state, nt.raft(1).term]).toEqual([StateType.Follower, 9]);
  });

  // Ports TestCannotCommitWithoutNewTermEntry, TestCommitWithoutNewTermEntry.
  test('S08 Figure 8: old-term entries commit only along with a current-term entry', () => {
    const tt = new Network([null, null, null, null, null]);
    tt.send(hup(1));
    tt.cut(1, 3);
    tt.cut(1, 4);
    tt.cut(1, 5);
    tt.send(propMsg(1, 'some data'));
    tt.send(propMsg(1, 'some data'));
    expect(tt.raft(1).raftLog.committed).toBe(1);
    tt.recover();
    // Elect 2 without letting it append its empty entry anywhere.
    tt.ignore(MessageType.MsgApp);
    tt.send(hup(2));
    const sm = tt.raft(2);
    expect(sm.raftLog.committed).toBe(1);
    tt.recover();
    tt.send(beat(2));
    tt.send(propMsg(2, 'some data'));
    expect(sm.raftLog.committed).toBe(5);

    const t2 = new Network([null, null, null, null, null]);
    t2.send(hup(1));
    t2.cut(1, 3);
    t2.cut(1, 4);
    t2.cut(1, 5);
    t2.send(propMsg(1, 'some data'));
    t2.send(propMsg(1, 'some data'));
    expect(t2.raft(1).raftLog.committed).toBe(1);
    t2.recover();
    // The new leader's empty entry commits the old-term entries along with it.
    t2.send(hup(2));
    expect(t2.raft(1).raftLog.committed).toBe(4);
  });

  test('S09 Figure 7: a leader repairs six divergent follower logs at once', () => {
    const peers = [1, 2, 3, 4, 5, 6, 7];
    const leaderTerms = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
    const followerTerms = [
      [1, 1, 1, 4, 4, 5, 5, 6, 6],
      [1, 1, 1, 4],
      [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
      [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
      [1, 1, 1, 4, 4, 4, 4],
      [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
    ];
    const mk = (id: number, terms: number[], term: number): Raft => {
      const s = newStorage(peers);
      s.append(entriesWithTerms(1, ...terms));
      s.setHardState({ term, vote: 0, commit: 0 });
      return newTestRaft(id, 10, 1, s);
    };
    const lead = mk(1, leaderTerms, 7);
    const nodes = [lead, ...followerTerms.map((t, i) => mk(i + 2, t, 7))];
    const nt = new Network(nodes);
    lead.becomeCandidate();
    lead.becomeLeader();
    nt.send(...lead.readMessages());
    nt.send(beat(1));
    nt.send(propMsg(1, 'x'));
    for (const r of nodes) expect(entriesOf(r)).toBe(entriesOf(lead));
    expect(lead.raftLog.committed).toBe(leaderTerms.length + 2);
  });

  // Ports TestLeaderElectionOverwriteNewerLogs(PreVote).
  test('S10 a new leader overwrites newer-term uncommitted entries it lacks', () => {
    for (const preVote of [false, true]) {
      const o = { preVote };
      const peers = [1, 2, 3, 4, 5];
      const n = new Network([
        entsWith(1, peers, o, 1), // won the first election
        entsWith(2, peers, o, 1), // got its entry
        entsWith(3, peers, o, 2), // won the second election, wrote an entry
        votedWith(4, peers, o, 3, 2), // voted for 3 but got no entry
        votedWith(5, peers, o, 3, 2),
      ]);
      n.send(hup(1));
      expect([n.raft(1).state, n.raft(1).term]).toEqual([StateType.Follower, 2]);
      n.send(hup(1));
      expect([n.raft(1).state, n.raft(1).term]).toEqual([StateType.Leader, 3]);
      for (const id of peers) {
        expect(n.raft(id).raftLog.allEntries().map((e) => e.term)).toEqual([1, 3]);
      }
    }
  });

  // Ports TestFastLogRejection.
  test('S11 fast rejection converges a divergent follower in O(terms) round trips', () => {
    const cases: Array<[number[], number[], number, number, number, number, number]> = [
      // leader terms, follower terms, follower compact index,
      // hint term, hint index, next append term, next append index
      [[1, 2, 2, 4, 4, 4, 4], [1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3], 0, 3, 7, 2, 3],
      [[1, 2, 2, 3, 4, 4, 4, 5], [1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3], 0, 3, 8, 3, 4],
      [[1, 1, 1, 1], [1, 2, 2, 4], 0, 1, 1, 1, 1],
      [[1, 1, 1, 1, 1, 1], [1, 2, 2, 4], 0, 1, 1, 1, 1],
      [[1, 1, 1, 1], [1, 2, 2, 4, 4, 4], 0, 1, 1, 1, 1],
      [[1, 1, 1, 4, 5], [1, 1, 1, 4], 0, 4, 4, 4, 4],
      [[2, 5, 5, 5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], 0, 4, 6, 2, 1],
      [[2, 2, 2, 2, 2], [2, 4, 4, 4, 4, 4, 4, 4], 0, 2, 1, 2, 1],
      [[1, 1, 3], [1, 1, 3, 3, 3], 5, 0, 3, 1, 2],
    ];
    for (const [lt, ft, compact, hintTerm, hintIndex, nextTerm, nextIndex] of cases) {
      const s1 = newStorage([1, 2, 3]);
      s1.append(entriesWithTerms(1, ...lt));
      // etcd has the leader lead at its last log term, and the follower at that term even
      // when its log holds later terms; a node's term is never below its last log term here,
      // so the leader leads after every term of both logs (the hints depend on logs only).
      const leaderTerm = Math.max(...lt, ...ft) + 1;
      s1.setHardState({ term: leaderTerm - 1, vote: 0, commit: lt.length });
      const n1 = newTestRaft(1, 10, 1, s1);
      n1.becomeCandidate();
      n1.becomeLeader();
      const s2 = newStorage([1, 2, 3]);
      s2.append(entriesWithTerms(1, ...ft));
      s2.setHardState({ term: leaderTerm, vote: 1, commit: 0 });
      const n2 = newTestRaft(2, 10, 1, s2);
      if (compact !== 0) s2.compact(compact);
      n2.step(msg({ from: 1, to: 2, type: MessageType.MsgHeartbeat }));
      const [hbResp] = n2.readMessages();
      n1.step(hbResp as never);
      const [app] = n1.readMessages();
      expect(app?.type).toBe(MessageType.MsgApp);
      n2.step(app as never);
      const [rej] = n2.readMessages();
      expect([rej?.reject, rej?.logTerm, rej?.rejectHint]).toEqual([true, hintTerm, hintIndex]);
      n1.step(rej as never);
      const [next] = n1.readMessages();
      expect([next?.logTerm, next?.index]).toEqual([nextTerm, nextIndex]);
    }
  });

  // Ports TestLogReplicationWithReorderedMessage.
  test('S12 reordered or duplicated MsgApp/MsgAppResp never move match or commit back', () => {
    const r1 = newTestRaft(1, 10, 1, newStorage([1, 2]));
    r1.becomeCandidate();
    r1.becomeLeader();
    r1.readMessages();
    r1.trk.progress.get(2)?.becomeReplicate();
    const r2 = newTestRaft(2, 10, 1, newStorage([1, 2]));
    mustAppendEntry(r1, entry(0, 0, 'somedata'));
    sendAppend(r1, 2);
    const [req1] = r1.readMessages();
    mustAppendEntry(r1, entry(0, 0, 'somedata'));
    sendAppend(r1, 2);
    const [req2] = r1.readMessages();
    // r2 receives the second MsgApp first and rejects it.
    r2.step(req2 as never);
    const [resp2] = r2.readMessages();
    expect([resp2?.reject, resp2?.rejectHint, resp2?.index]).toEqual([true, 0, 2]);
    r2.step(req1 as never);
    const [ack] = r2.readMessages();
    expect([ack?.reject, ack?.index]).toEqual([false, 2]);
    r1.step(ack as never);
    r1.readMessages();
    expect(r1.trk.progress.get(2)?.match).toBe(2);
    r1.step(msg({ from: 2, to: 1, type: MessageType.MsgUnreachable }));
    expect(r1.trk.progress.get(2)?.state).toBe(ProgressState.Probe);
    // The delayed rejection must not move next below match.
    r1.step(resp2 as never);
    const [m] = r1.readMessages();
    expect(m?.index).toBe(r1.trk.progress.get(2)?.match);
    // A duplicated ack is a no-op.
    const commit = r1.raftLog.committed;
    r1.step(ack as never);
    expect([r1.trk.progress.get(2)?.match, r1.raftLog.committed]).toEqual([2, commit]);
  });

  // Ports TestProposalByProxy, TestDisableProposalForwarding.
  test('S13 proposals are forwarded; dropped without a leader or with forwarding off', () => {
    for (const third of [null, NOP_STEPPER]) {
      const tt = new Network([null, null, third]);
      tt.send(hup(1));
      tt.send(propMsg(2, 'somedata'));
      const want = expectedLog(entry(1, 1), entry(1, 2, 'somedata'));
      expect(entriesOf(tt.raft(1))).toBe(want);
      expect(entriesOf(tt.raft(2))).toBe(want);
      expect(tt.raft(1).term).toBe(1);
    }
    // No leader: the proposal is dropped.
    const lone = newTestRaft(2, 10, 1, newStorage([1, 2, 3]));
    expect(lone.step(propMsg(2, 'x'))).toBe(RaftError.ProposalDropped);
    // Forwarding disabled: dropped even with a leader.
    const r3 = newTestRaft(3, 10, 1, newStorage([1, 2, 3]), { disableProposalForwarding: true });
    r3.step(msg({ from: 1, to: 3, term: 1, type: MessageType.MsgHeartbeat }));
    expect(r3.lead).toBe(1);
    expect(r3.step(propMsg(3, 'x'))).toBe(RaftError.ProposalDropped);
    expect(r3.readMessages().filter((m) => m.type === MessageType.MsgProp)).toEqual([]);
  });
});
