/**
 * Goal: the read, membership and leader-transfer scenarios 25-32 of raft.md §2.4, each a
 * named test (etcd-raft test names in parentheses where a scenario ports one).
 * Method: the synchronous Network for message-level behaviour; a RawNode Cluster where a
 * conf change must be applied through the Ready loop (joint consensus, auto-leave,
 * learners); hand-driven RawNodes for the storage-pipeline contract of scenario 32.
 */
import { Entry, EntryType, MessageType } from './types';
import { StateType } from './raft';
import { RaftError } from './errors';
import { ReadOnlyOption } from './read-only';
import { applyConfChange } from './membership';
import {
  ConfChangeTransition,
  ConfChangeType,
  asV2,
  confChangeV1,
  confChangeV2,
  decodeConfChange,
  encodeConfChange,
} from './conf-change';
import { RawNode } from './raw-node';
import { Cluster } from './testing/cluster';
import {
  bytes,
  entriesWithTerms,
  entry,
  msg,
  mustAppendEntry,
  newStorage,
  newTestRaft,
  nextEnts,
  propMsg,
  testConfig,
  textOf,
} from './testing/helpers';
import { Network } from './testing/network';

const hup = (id: number) => msg({ from: id, to: id, type: MessageType.MsgHup });
const transfer = (from: number, to: number) => msg({
  from,
  to,
  type: MessageType.MsgTransferLeader,
});
const readIndex = (from: number, to: number, ctx: string) =>
  msg({ from, to, type: MessageType.MsgReadIndex, entries: [entry(0, 0, ctx)] });

function ccEntry(cc: Parameters<typeof encodeConfChange>[0]): Entry {
  const type = cc.kind === 'v1' ? EntryType.ConfChange : EntryType.ConfChangeV2;
  return { term: 0, index: 0, type, data: encodeConfChange(cc) };
}

function voters(c: Cluster, id: number): string {
  return c.node(id).rn.raft.trk.describe();
}

describe('scenarios: reads, membership, transfer, storage pipeline', () => {
  // Ports TestReadOnlyForNewLeader, TestReadOnlyOptionSafe, TestReadOnlyDuplicateRequest,
  //  TestReadOnlyOptionLease.
  test('S25 ReadIndex waits for a current-term commit; forwarding, duplicates, lease reads', () => {
    const setups = [
      [1, 1, 1, 0],
      [2, 2, 2, 2],
      [3, 2, 2, 2],
    ];
    const peers = setups.map(([id, committed, applied, compact]) => {
      const s = newStorage([1, 2, 3]);
      s.append(entriesWithTerms(1, 1, 1));
      s.setHardState({ term: 1, vote: 0, commit: committed as number });
      if (compact !== 0) s.compact(compact as number);
      return newTestRaft(id as number, 10, 1, s, { applied });
    });
    const nt = new Network(peers);
    // Elect 1 but keep its empty entry uncommitted.
    nt.ignore(MessageType.MsgApp);
    nt.send(hup(1));
    const sm = nt.raft(1);
    expect(sm.state).toBe(StateType.Leader);
    nt.send(readIndex(1, 1, 'ctx'));
    expect(sm.readStates).toEqual([]);
    nt.recover();
    for (let i = 0; i < sm.heartbeatTimeout; i++) sm.tick();
    nt.send(propMsg(1, ''));
    expect(sm.raftLog.committed).toBe(4);
    expect(sm.readStates.map((r) => [r.index, textOf(r.requestCtx)])).toEqual([[4, 'ctx']]);
    nt.send(readIndex(1, 1, 'ctx'));
    expect(sm.readStates.map((r) => r.index)).toEqual([4, 4]);

    // Follower forwarding: the answer comes back as a ReadState on the follower.
    nt.send(readIndex(2, 2, 'from-2'));
    expect(nt.raft(2).readStates.map((r) => [r.index, textOf(r.requestCtx)])).toEqual(
      [[4, 'from-2']],
    );

    // Duplicate contexts while pending are confirmed once, together.
    const dn = new Network([null, null, null]);
    dn.send(hup(1));
    const held: ReturnType<typeof msg>[] = [];
    dn.msgHook = (m) => {
      if (m.type !== MessageType.MsgHeartbeatResp) return true;
      held.push(m);
      return false;
    };
    dn.send(readIndex(1, 1, 'dup'));
    dn.send(readIndex(1, 1, 'dup'));
    dn.msgHook = undefined;
    expect(dn.raft(1).readStates).toEqual([]);
    dn.send(...held);
    expect(dn.raft(1).readStates.map((r) => textOf(r.requestCtx))).toEqual(['dup']);

    // Lease-based reads answer at once, with no heartbeat round.
    const ln = new Network([null, null, null], {
      checkQuorum: true,
      readOnlyOption: ReadOnlyOption.LeaseBased,
    });
    ln.send(hup(1));
    let beats = 0;
    ln.msgHook = (m) => {
      if (m.type === MessageType.MsgHeartbeat) beats++;
      return true;
    };
    ln.send(readIndex(1, 1, 'lease'));
    expect(beats).toBe(0);
    expect(ln.raft(1).readStates.map((r) => [r.index, textOf(r.requestCtx)])).toEqual(
      [[1, 'lease']],
    );
  });

  // Ports TestStepIgnoreConfig, TestNewLeaderPendingConfig, TestAddNode, TestRemoveNode.
  test('S26 v1 changes apply on apply; one pending at a time; new leader pendingConfIndex', () => {
    const r = newTestRaft(1, 10, 1, newStorage([1, 2]));
    r.becomeCandidate();
    r.becomeLeader();
    r.step(msg({
      from: 1,
      to: 1,
      type: MessageType.MsgProp,
      entries: [ccEntry(confChangeV1(ConfChangeType.AddNode, 3))],
    }));
    expect(r.trk.voterNodes()).toEqual([1, 2]); // appended, not applied
    const index = r.raftLog.lastIndex();
    const pending = r.pendingConfIndex;
    r.step(msg({
      from: 1,
      to: 1,
      type: MessageType.MsgProp,
      entries: [ccEntry(confChangeV1(ConfChangeType.AddNode, 4))],
    }));
    const after = r.raftLog.entries(index + 1, Number.MAX_SAFE_INTEGER) ?? [];
    expect(after.map((e) => [e.term, e.index, e.type, e.data.byteLength])).toEqual(
      [[1, 3, EntryType.Normal, 0]],
    );
    expect(r.pendingConfIndex).toBe(pending);
    applyConfChange(r, asV2(confChangeV1(ConfChangeType.AddNode, 3)));
    expect(r.trk.voterNodes()).toEqual([1, 2, 3]);
    applyConfChange(r, asV2(confChangeV1(ConfChangeType.RemoveNode, 2)));
    expect(r.trk.voterNodes()).toEqual([1, 3]);

    for (const [addEntry, want] of [[false, 0], [true, 1]] as const) {
      const n = newTestRaft(1, 10, 1, newStorage([1, 2]));
      if (addEntry) mustAppendEntry(n, entry(0, 0));
      n.becomeCandidate();
      n.becomeLeader();
      expect(n.pendingConfIndex).toBe(want);
    }
  });

  // Ports TestCommitAfterRemoveNode, confchange_v1_remove_leader_stepdown.txt.
  test('S27 a removed leader steps down; pending commands commit once the quorum shrinks', () => {
    const s = newStorage([1, 2]);
    const r = newTestRaft(1, 5, 1, s);
    r.becomeCandidate();
    r.becomeLeader();
    const cc = confChangeV1(ConfChangeType.RemoveNode, 2);
    r.step(msg({ type: MessageType.MsgProp, entries: [ccEntry(cc)] }));
    expect(nextEnts(r, s)).toEqual([]);
    const ccIndex = r.raftLog.lastIndex();
    r.step(msg({ type: MessageType.MsgProp, entries: [entry(0, 0, 'hello')] }));
    r.step(msg({ type: MessageType.MsgAppResp, from: 2, index: ccIndex }));
    let ents = nextEnts(r, s);
    expect(ents.map((e) => e.type)).toEqual([EntryType.Normal, EntryType.ConfChange]);
    applyConfChange(r, asV2(cc));
    ents = nextEnts(r, s);
    expect(ents.map((e) => textOf(e.data))).toEqual(['hello']);

    // With StepDownOnRemoval (our default), removing the leader makes it step down.
    const c = new Cluster();
    for (const id of [1, 2, 3]) c.add(id, [1, 2, 3], [], { stepDownOnRemoval: true });
    c.node(1).rn.campaign();
    c.stabilize();
    c.node(1).rn.proposeConfChange(confChangeV1(ConfChangeType.RemoveNode, 1));
    c.stabilize();
    expect(c.node(1).rn.raft.state).toBe(StateType.Follower);
    expect(voters(c, 2)).toBe('voters=(2 3)');
    expect(c.node(1).rn.propose(bytes('x'))).toBe(RaftError.ProposalDropped);
  });

  // Ports TestRawNodeJointAutoLeave, confchange_v2_add_double_auto.txt,
  //  confchange_v2_replace_leader.txt.
  test('S28 joint consensus: auto-leave, explicit leave, leader replaced, removed idle', () => {
    // Auto: adding two voters needs a joint config, left automatically once applied.
    const c = new Cluster();
    // New nodes start from the membership the leader had when they were provisioned (in a
    // deployment they receive it in a snapshot).
    c.add(1, [1]);
    c.add(2, [1]);
    c.add(3, [1]);
    c.node(1).rn.campaign();
    c.stabilize();
    c.node(1).rn.proposeConfChange(confChangeV2([
      { type: ConfChangeType.AddNode, nodeId: 2 },
      { type: ConfChangeType.AddNode, nodeId: 3 },
    ]));
    const seen: string[] = [];
    for (let i = 0; i < 50; i++) {
      for (const id of [1, 2, 3]) {
        c.processReady(id);
        seen.push(voters(c, 1));
      }
      c.deliver();
    }
    // The leader proposed the leave-joint entry itself once the joint entry was applied.
    const leave = c.node(1).applied.filter((x) => x.type === EntryType.ConfChangeV2);
    expect(leave.map((x) => asV2(decodeConfChange(x.data)).changes.length)).toEqual([2, 0]);
    expect(seen).toContain('voters=(1 2 3)&&(1) autoleave');
    for (const id of [1, 2, 3]) expect(voters(c, id)).toBe('voters=(1 2 3)');

    // Explicit: stays joint until the app proposes the empty V2 change.
    const e = new Cluster();
    for (const id of [1, 2, 3]) e.add(id, [1, 2, 3]);
    e.add(4, [1, 2, 3]);
    e.node(1).rn.campaign();
    e.stabilize();
    e.node(1).rn.proposeConfChange(confChangeV2([{
      type: ConfChangeType.AddNode,
      nodeId: 4,
    }], ConfChangeTransition.JointExplicit));
    e.stabilize();
    expect(voters(e, 1)).toBe('voters=(1 2 3 4)&&(1 2 3)');
    // Another change is refused (turned into an empty entry) while joint.
    e.node(1).rn.proposeConfChange(confChangeV1(ConfChangeType.RemoveNode, 2));
    e.stabilize();
    expect(voters(e, 1)).toBe('voters=(1 2 3 4)&&(1 2 3)');
    e.node(1).rn.proposeConfChange(confChangeV2([]));
    e.stabilize();
    for (const id of [1, 2, 3, 4]) expect(voters(e, id)).toBe('voters=(1 2 3 4)');

    // Replace the leader: enter (2 3 4)&&(1 2 3), transfer to 4, leave; 1 is gone.
    e.node(1).rn.proposeConfChange(confChangeV2([{
      type: ConfChangeType.RemoveNode,
      nodeId: 1,
    }], ConfChangeTransition.JointExplicit));
    e.stabilize();
    expect(voters(e, 1)).toBe('voters=(2 3 4)&&(1 2 3 4)');
    e.node(1).rn.transferLeader(4);
    e.stabilize();
    expect(e.leaders()).toEqual([4]);
    e.node(4).rn.proposeConfChange(confChangeV2([]));
    e.stabilize();
    expect(voters(e, 4)).toBe('voters=(2 3 4)');
    expect(voters(e, 1)).toBe('voters=(2 3 4)');
    // The removed node is not promotable: its election timeout passes without a campaign.
    for (let i = 0; i < 40; i++) e.node(1).rn.tick();
    expect(e.node(1).rn.raft.state).toBe(StateType.Follower);
    expect(e.node(1).rn.raft.term).toBe(e.node(4).rn.raft.term);
  });

  // Ports TestLearnerElectionTimeout, TestLearnerLogReplication, TestLearnerPromotion,
  //  TestLearnerCanVote.
  test('S29 learners never campaign, replicate, can be promoted, and vote when asked', () => {
    // TestLearnerElectionTimeout.
    const n2 = newTestRaft(2, 10, 1, newStorage([1], [2]));
    n2.becomeFollower(1, 0);
    n2.randomizedElectionTimeout = n2.electionTimeout;
    for (let i = 0; i < n2.electionTimeout; i++) n2.tick();
    expect(n2.state).toBe(StateType.Follower);

    // TestLearnerLogReplication and promotion.
    const c = new Cluster();
    c.add(1, [1], [2]);
    c.add(2, [1], [2]);
    c.node(1).rn.campaign();
    c.stabilize();
    c.node(1).rn.propose(bytes('somedata'));
    c.stabilize();
    const lead = c.node(1).rn.raft.raftLog;
    expect(c.node(2).rn.raft.raftLog.committed).toBe(lead.committed);
    expect(c.node(1).rn.status().progress.get(2)?.match).toBe(lead.lastIndex());
    c.node(1).rn.proposeConfChange(confChangeV1(ConfChangeType.AddNode, 2));
    c.stabilize();
    expect(c.node(2).rn.raft.isLearner).toBe(false);
    c.node(2).rn.campaign();
    c.stabilize();
    expect(c.leaders()).toEqual([2]);

    // TestLearnerCanVote: a learner grants a vote when asked (it may have been promoted).
    const l = newTestRaft(2, 10, 1, newStorage([1], [2]));
    l.step(msg({ from: 1, to: 2, term: 2, type: MessageType.MsgVote, logTerm: 11, index: 11 }));
    expect(l.readMessages().map((m) => [m.type, m.reject])).toEqual(
      [[MessageType.MsgVoteResp, false]],
    );
  });

  // Ports TestLeaderTransferToUpToDateNode, ...ToSlowFollower, ...Timeout, ...IgnoreProposal,
  //  ...ToSelf, ...ToNonExistingNode, ...SecondTransferToAnotherNode,
  //  ...SecondTransferToSameNode.
  test('S30 leader transfer: immediate, after catch-up, timeout abort, ignored, redirected', () => {
    const up = new Network([null, null, null]);
    up.send(hup(1));
    up.send(transfer(2, 1));
    expect([up.raft(1).state, up.raft(2).state, up.raft(1).lead]).toEqual(
      [StateType.Follower, StateType.Leader, 2],
    );
    up.send(propMsg(2, ''));
    up.send(transfer(1, 2));
    expect(up.raft(1).state).toBe(StateType.Leader);

    const slow = new Network([null, null, null]);
    slow.send(hup(1));
    slow.isolate(3);
    slow.send(propMsg(1, ''));
    slow.recover();
    expect(slow.raft(1).trk.progress.get(3)?.match).toBe(1);
    slow.send(transfer(3, 1));
    expect([slow.raft(3).state, slow.raft(1).lead]).toEqual([StateType.Leader, 3]);

    const to = new Network([null, null, null]);
    to.send(hup(1));
    to.isolate(3);
    const lead = to.raft(1);
    to.send(transfer(3, 1));
    expect(lead.leadTransferee).toBe(3);
    expect(lead.step(propMsg(1, 'dropped'))).toBe(RaftError.ProposalDropped);
    for (let i = 0; i < lead.heartbeatTimeout; i++) lead.tick();
    // Same target again: ignored, does not extend the deadline.
    to.send(transfer(3, 1));
    for (let i = 0; i < lead.electionTimeout - lead.heartbeatTimeout; i++) lead.tick();
    expect([lead.state, lead.lead, lead.leadTransferee]).toEqual([StateType.Leader, 1, 0]);
    expect(lead.step(propMsg(1, 'accepted'))).toBeNull();

    to.send(transfer(1, 1));
    expect(lead.leadTransferee).toBe(0);
    to.send(transfer(4, 1));
    expect([lead.state, lead.leadTransferee]).toEqual([StateType.Leader, 0]);
    // A second request to another node replaces a stuck first one.
    to.send(transfer(3, 1));
    expect(lead.leadTransferee).toBe(3);
    to.send(transfer(2, 1));
    expect([to.raft(2).state, lead.state]).toEqual([StateType.Leader, StateType.Follower]);
  });

  // Ports TestConfChangeCheckBeforeCampaign, TestConfChangeV2CheckBeforeCampaign.
  test('S31 a node with a committed, unapplied conf change does not campaign', () => {
    for (const v2 of [false, true]) {
      const nt = new Network([null, null, null]);
      const n1 = nt.raft(1);
      const n2 = nt.raft(2);
      nt.send(hup(1));
      const cc = confChangeV1(ConfChangeType.RemoveNode, 2);
      nt.send(msg({
        from: 1,
        to: 1,
        type: MessageType.MsgProp,
        entries: [ccEntry(v2 ? asV2(cc) : cc)],
      }));
      for (let i = 0; i < n2.randomizedElectionTimeout; i++) n2.tick();
      expect(n2.state).toBe(StateType.Follower);
      nt.send(transfer(2, 1));
      expect([n1.state, n2.state]).toEqual([StateType.Leader, StateType.Follower]);
      for (let i = 0; i < n1.electionTimeout; i++) n1.tick();
      nextEnts(n2, nt.storage.get(2) as never);
      nt.send(transfer(2, 1));
      expect([n1.state, n2.state]).toEqual([StateType.Follower, StateType.Leader]);
      nextEnts(n1, nt.storage.get(1) as never);
      for (let i = 0; i < n1.randomizedElectionTimeout; i++) n1.tick();
      expect(n1.state).toBe(StateType.Candidate);
    }
  });

  test('S32 storage pipeline: responses go out only after durability; the append ABA race', () => {
    // The leader counts its own entries only once advance() reports them durable.
    const s1 = newStorage([1, 2, 3]);
    const s2 = newStorage([1, 2, 3]);
    const rn1 = new RawNode(testConfig(1, 10, 1, s1));
    const rn2 = new RawNode(testConfig(2, 10, 1, s2));
    const cycle = (rn: RawNode, s: typeof s1) => {
      const rd = rn.ready();
      s.append(rd.entries);
      if (rd.hardState !== undefined) s.setHardState(rd.hardState);
      rn.advance();
      return rd;
    };
    rn1.campaign();
    let rd = cycle(rn1, s1);
    for (const m of rd.messages) if (m.to === 2) rn2.step(m);
    rd = cycle(rn2, s2);
    for (const m of rd.messages) rn1.step(m);
    rd = cycle(rn1, s1); // leader; MsgApp for the empty entry
    for (const m of rd.messages) if (m.to === 2) rn2.step(m);
    rd = cycle(rn2, s2);
    // The follower's ack travels in the Ready that carries the acked entries: it may be
    // sent only after they are durable.
    expect(rd.entries.map((e) => e.index)).toEqual([1]);
    expect(rd.messages.map((m) => [m.type, m.index])).toEqual([[MessageType.MsgAppResp, 1]]);
    for (const m of rd.messages) rn1.step(m);
    cycle(rn1, s1);
    expect(rn1.raft.raftLog.committed).toBe(1);

    rn1.propose(bytes('p'));
    const lrd = rn1.ready(); // leader's entry 2 handed out, not yet durable
    for (const m of lrd.messages) if (m.to === 2) rn2.step(m);
    rd = cycle(rn2, s2);
    for (const m of rd.messages) rn1.step(m);
    // Follower 2 acked, but with 3 voters the leader's own copy is needed and not durable.
    expect(rn1.raft.raftLog.committed).toBe(1);
    s1.append(lrd.entries);
    rn1.advance();
    expect(rn1.raft.raftLog.committed).toBe(2);

    // ABA: a follower hands entry 2@term1 to the shell; before advance() a new leader at
    // term 2 overwrites index 2. The old durability report must not mark the new entry
    // stable: it stays unstable and is handed out again.
    const s3 = newStorage([1, 2, 3]);
    const f = new RawNode(testConfig(3, 10, 1, s3));
    f.step(msg({
      from: 1,
      to: 3,
      term: 1,
      type: MessageType.MsgApp,
      index: 0,
      logTerm: 0,
      entries: [entry(1, 1), entry(1, 2, 'old')],
    }));
    const first = f.ready();
    s3.append(first.entries);
    if (first.hardState !== undefined) s3.setHardState(first.hardState);
    f.step(msg({
      from: 2,
      to: 3,
      term: 2,
      type: MessageType.MsgApp,
      index: 1,
      logTerm: 1,
      entries: [entry(2, 2, 'new')],
    }));
    f.advance();
    expect(f.raft.raftLog.unstable.entries.map((e) => [e.index, e.term])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    const second = f.ready();
    expect(second.entries.map((e) => [e.index, e.term, textOf(e.data)])).toEqual([[2, 2, 'new']]);
    s3.append(second.entries);
    f.advance();
    expect(f.raft.raftLog.unstable.entries).toEqual([]);
    expect(s3.term(2)).toBe(2);
  });
});
