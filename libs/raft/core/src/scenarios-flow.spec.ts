/**
 * Goal: the flow-control and snapshot scenarios 20-24 of raft.md §2.4: the inflight window,
 * Probe/Replicate/Snapshot transitions, snapshots to lagging followers and learners, and
 * restarts from storage, each a named test.
 * Method: a single leader raft stepped by hand (acks, rejections, heartbeat responses and
 * snapshot reports are synthesised) for the flow-control state machine; a RawNode Cluster
 * with MemoryStorage for end-to-end snapshot catch-up and restarts.
 */
import { Entry, MessageType, Snapshot } from './types';
import { Raft, StateType } from './raft';
import { ProgressState } from './progress';
import { restoreSnapshot } from './replication';
import { RawNode, SnapshotStatus } from './raw-node';
import { Cluster } from './testing/cluster';
import {
  bytes,
  confState,
  entriesWithTerms,
  entry,
  msg,
  newStorage,
  newTestRaft,
  propMsg,
  testConfig,
  textOf,
} from './testing/helpers';
import { Progress } from './progress';
import { EMPTY_BYTES, NONE } from './util';

function leaderWithReplicatingPeer(): { r: Raft; pr2: Progress } {
  const r = newTestRaft(1, 5, 1, newStorage([1, 2]));
  r.becomeCandidate();
  r.becomeLeader();
  const pr2 = r.trk.progress.get(2) as Progress;
  pr2.becomeReplicate();
  return { r, pr2 };
}

const TESTING_SNAP: Snapshot = {
  metadata: {
    index: 11,
    term: 11,
    confState: confState([1, 2]),
  },
  data: EMPTY_BYTES,
};

function snapLeader(peers: number[]): Raft {
  const sm = newTestRaft(1, 10, 1, newStorage(peers));
  // The MsgSnap that carries a snapshot has moved the follower to (at least) its term.
  sm.becomeFollower(TESTING_SNAP.metadata.term, NONE);
  restoreSnapshot(sm, TESTING_SNAP);
  sm.becomeCandidate();
  sm.becomeLeader();
  return sm;
}

describe('scenarios: flow control and snapshots', () => {
  // Ports TestMsgAppFlowControlFull, ...MoveForward, ...RecvHeartbeat.
  test('S20 the inflight window fills and blocks, acks slide it, a heartbeat frees one', () => {
    // Full: the window takes maxInflight MsgApps, then blocks.
    let { r, pr2 } = leaderWithReplicatingPeer();
    for (let i = 0; i < r.trk.maxInflight; i++) {
      r.step(propMsg(1, 'somedata'));
      expect(r.readMessages().map((m) => m.type)).toEqual([MessageType.MsgApp]);
    }
    expect(pr2.isPaused()).toBe(true);
    for (let i = 0; i < 10; i++) {
      r.step(propMsg(1, 'somedata'));
      expect(r.readMessages()).toEqual([]);
    }
    // MoveForward: each ack frees the slots up to it; stale acks are no-ops.
    ({ r, pr2 } = leaderWithReplicatingPeer());
    for (let i = 0; i < r.trk.maxInflight; i++) {
      r.step(propMsg(1, 'somedata'));
      r.readMessages();
    }
    for (let tt = 2; tt < r.trk.maxInflight; tt++) {
      r.step(msg({ from: 2, to: 1, type: MessageType.MsgAppResp, index: tt }));
      r.readMessages();
      r.step(propMsg(1, 'somedata'));
      expect(r.readMessages().map((m) => m.type)).toEqual([MessageType.MsgApp]);
      expect(pr2.isPaused()).toBe(true);
      for (let i = 0; i < tt; i++) {
        r.step(msg({ from: 2, to: 1, type: MessageType.MsgAppResp, index: i }));
        expect(pr2.isPaused()).toBe(true);
      }
    }
    // RecvHeartbeat: a heartbeat response unpauses for exactly one (empty) MsgApp.
    ({ r, pr2 } = leaderWithReplicatingPeer());
    for (let i = 0; i < r.trk.maxInflight; i++) {
      r.step(propMsg(1, 'somedata'));
      r.readMessages();
    }
    for (let tt = 1; tt < 5; tt++) {
      for (let i = 0; i < tt; i++) {
        expect(pr2.isPaused()).toBe(true);
        r.step(msg({ from: 2, to: 1, type: MessageType.MsgHeartbeatResp }));
        const ms = r.readMessages();
        expect(ms.map((m) => [m.type, m.entries.length])).toEqual([[MessageType.MsgApp, 0]]);
      }
      for (let i = 0; i < 10; i++) {
        expect(pr2.isPaused()).toBe(true);
        r.step(propMsg(1, 'somedata'));
        expect(r.readMessages()).toEqual([]);
      }
      r.step(msg({ from: 2, to: 1, type: MessageType.MsgHeartbeatResp }));
      r.readMessages();
    }
  });

  test('S21 Probe: one MsgApp per heartbeat, Replicate on ack, back on reject/unreachable', () => {
    const r = newTestRaft(1, 10, 1, newStorage([1, 2]));
    r.becomeCandidate();
    r.becomeLeader();
    r.readMessages();
    const pr2 = r.trk.progress.get(2) as Progress;
    expect(pr2.state).toBe(ProgressState.Probe);
    r.step(propMsg(1, 'a'));
    expect(r.readMessages().filter((m) => m.type === MessageType.MsgApp)).toHaveLength(1);
    // Paused until the probe is answered (or a heartbeat response arrives).
    r.step(propMsg(1, 'b'));
    r.step(propMsg(1, 'c'));
    expect(r.readMessages()).toEqual([]);
    r.step(msg({ from: 1, to: 1, type: MessageType.MsgBeat }));
    expect(r.readMessages().map((m) => m.type)).toEqual([MessageType.MsgHeartbeat]);
    r.step(msg({ from: 2, to: 1, type: MessageType.MsgHeartbeatResp }));
    expect(r.readMessages().map((m) => m.type)).toEqual([MessageType.MsgApp]);
    // The ack moves the peer to Replicate and streams the rest.
    r.step(msg({ from: 2, to: 1, type: MessageType.MsgAppResp, index: r.raftLog.lastIndex() }));
    expect(pr2.state).toBe(ProgressState.Replicate);
    r.readMessages();
    // A rejection of an in-flight MsgApp (beyond match) sends it back to Probe from
    // match + 1; a rejection at or below match would be stale and ignored.
    r.step(propMsg(1, 'd'));
    r.step(propMsg(1, 'e'));
    expect(r.readMessages().map((m) => m.index)).toEqual([pr2.match, pr2.match + 1]);
    r.step(msg({
      from: 2,
      to: 1,
      type: MessageType.MsgAppResp,
      index: pr2.match + 1,
      reject: true,
      rejectHint: pr2.match,
    }));
    expect([pr2.state, pr2.next]).toEqual([ProgressState.Probe, pr2.match + 1]);
    // Back to Replicate on the next ack; then an unreachable report forces Probe again.
    r.step(msg({ from: 2, to: 1, type: MessageType.MsgAppResp, index: r.raftLog.lastIndex() }));
    expect(pr2.state).toBe(ProgressState.Replicate);
    r.step(msg({ from: 2, to: 1, type: MessageType.MsgUnreachable }));
    expect(pr2.state).toBe(ProgressState.Probe);
  });

  // Ports TestSendingSnapshotSetPendingSnapshot, TestPendingSnapshotPauseReplication,
  //  TestSnapshotFailure, TestSnapshotSucceed, TestSnapshotAbort,
  //  snapshot_succeed_via_app_resp(_behind).
  test('S22 a follower behind compaction gets a snapshot; failure probes, success resumes', () => {
    // TestSendingSnapshotSetPendingSnapshot.
    let sm = snapLeader([1]);
    const pr = (): Progress => sm.trk.progress.get(2) as Progress;
    pr().next = sm.raftLog.firstIndex();
    sm.step(msg({
      from: 2,
      to: 1,
      type: MessageType.MsgAppResp,
      index: pr().next - 1,
      reject: true,
    }));
    expect(pr().pendingSnapshot).toBe(11);
    expect(sm.readMessages().map((m) => m.type)).toEqual([MessageType.MsgSnap]);
    // TestPendingSnapshotPauseReplication.
    sm = snapLeader([1, 2]);
    pr().becomeSnapshot(11);
    sm.step(propMsg(1, 'somedata'));
    expect(sm.readMessages()).toEqual([]);
    // TestSnapshotFailure.
    sm = snapLeader([1, 2]);
    pr().next = 1;
    pr().becomeSnapshot(11);
    sm.step(msg({ from: 2, to: 1, type: MessageType.MsgSnapStatus, reject: true }));
    expect([pr().pendingSnapshot, pr().next, pr().msgAppFlowPaused]).toEqual([0, 1, true]);
    // TestSnapshotSucceed.
    sm = snapLeader([1, 2]);
    pr().next = 1;
    pr().becomeSnapshot(11);
    sm.step(msg({ from: 2, to: 1, type: MessageType.MsgSnapStatus, reject: false }));
    expect([pr().pendingSnapshot, pr().next, pr().msgAppFlowPaused]).toEqual([0, 12, true]);
    // TestSnapshotAbort: an ack at the snapshot index reconnects the follower.
    sm = snapLeader([1, 2]);
    pr().next = 1;
    pr().becomeSnapshot(11);
    sm.step(msg({ from: 2, to: 1, type: MessageType.MsgAppResp, index: 11 }));
    expect([pr().pendingSnapshot, pr().next, pr().inflights.count()]).toEqual([0, 13, 1]);

    // End to end: node 3 misses entries that are compacted, then catches up via snapshot,
    // both when the snapshot is exactly at the last index and when it is behind it.
    for (const behind of [false, true]) {
      const c = new Cluster();
      for (const id of [1, 2, 3]) c.add(id, [1, 2, 3]);
      c.node(1).rn.campaign();
      c.stabilize();
      c.dropFilter = (m) => m.to === 3 || m.from === 3;
      for (let i = 0; i < 5; i++) c.node(1).rn.propose(bytes(`e${i}`));
      c.stabilize();
      const n1 = c.node(1);
      const snapIndex = n1.appliedIndex - (behind ? 2 : 0);
      n1.storage.createSnapshot(snapIndex, confState([1, 2, 3]), bytes('state'));
      n1.storage.compact(snapIndex);
      c.dropFilter = () => false;
      const sent: MessageType[] = [];
      c.node(1).rn.tick();
      for (let i = 0; i < 20; i++) {
        c.processReady(1);
        c.processReady(2);
        c.processReady(3);
        for (const m of c.queue) if (m.to === 3) sent.push(m.type);
        c.deliver();
        if (sent.includes(MessageType.MsgSnap)) {
          c.node(1).rn.reportSnapshot(3, SnapshotStatus.Finish);
          break;
        }
      }
      c.stabilize();
      expect(sent).toContain(MessageType.MsgSnap);
      expect(c.node(3).rn.raft.raftLog.committed).toBe(n1.rn.raft.raftLog.committed);
      expect(c.node(3).storage.snapshot().metadata.index).toBe(snapIndex);
      expect(n1.rn.status().progress.get(3)?.state).toBe(ProgressState.Replicate);
    }
  });

  // Ports TestRestoreIgnoreSnapshot, TestLearnerReceiveSnapshot.
  test('S23 a snapshot older than the commit index is ignored; learners get snapshots', () => {
    const s = newStorage([1, 2]);
    s.append(entriesWithTerms(1, 1, 1, 1));
    const sm = newTestRaft(1, 10, 1, s);
    sm.raftLog.commitTo(1);
    const snap = (index: number, term: number): Snapshot => ({
      metadata: { index, term, confState: confState([1, 2]) },
      data: EMPTY_BYTES,
    });
    // Ignore a snapshot at or below the commit index.
    expect(restoreSnapshot(sm, snap(1, 1))).toBe(false);
    expect(sm.raftLog.committed).toBe(1);
    // A snapshot matching our log only fast-forwards the commit index.
    expect(restoreSnapshot(sm, snap(2, 1))).toBe(false);
    expect(sm.raftLog.committed).toBe(2);

    // A learner catches up through a snapshot like any follower.
    const c = new Cluster();
    c.add(1, [1], [2]);
    c.add(2, [1], [2]);
    c.node(1).rn.campaign();
    c.stabilize();
    c.dropFilter = (m) => m.to === 2 || m.from === 2;
    for (let i = 0; i < 3; i++) c.node(1).rn.propose(bytes(`x${i}`));
    c.stabilize();
    const n1 = c.node(1);
    n1.storage.createSnapshot(n1.appliedIndex, confState([1], [2]), bytes('s'));
    n1.storage.compact(n1.appliedIndex);
    c.dropFilter = () => false;
    for (let i = 0; i < 3; i++) {
      n1.rn.tick();
      c.stabilize();
      if (n1.rn.status().progress.get(2)?.state === ProgressState.Snapshot) {
        n1.rn.reportSnapshot(2, SnapshotStatus.Finish);
      }
    }
    c.stabilize();
    expect(c.node(2).rn.raft.raftLog.committed).toBe(n1.rn.raft.raftLog.committed);
    expect(c.node(2).storage.snapshot().metadata.index).toBe(n1.appliedIndex);
    expect(c.node(2).rn.raft.isLearner).toBe(true);
  });

  // Ports TestRawNodeRestart(FromSnapshot), TestRawNodeCommitPaginationAfterRestart.
  test('S24 restart from storage; applied prevents re-application; pagination survives', () => {
    // Restart from a snapshot plus entries: only entries after the snapshot are applied.
    const s = newStorage([1]);
    s.applySnapshot({
      metadata: { index: 5, term: 2, confState: confState([1, 2, 3]) },
      data: bytes('snap'),
    });
    s.append([entry(2, 6, 'a'), entry(2, 7, 'b'), entry(3, 8, 'c')]);
    s.setHardState({ term: 3, vote: 1, commit: 7 });
    const rn = new RawNode(testConfig(1, 10, 1, s));
    expect(rn.hasReady()).toBe(true);
    let rd = rn.ready();
    expect(rd.hardState).toBeUndefined();
    expect(rd.entries).toEqual([]);
    expect(rd.committedEntries.map((e) => textOf(e.data))).toEqual(['a', 'b']);
    rn.advance();
    expect(rn.status().hardState).toEqual({ term: 3, vote: 1, commit: 7 });
    expect(rn.status().config.voters[0]).toEqual(new Set([1, 2, 3]));

    // Applied: entries up to it are not handed out again after a restart.
    const s2 = newStorage([1]);
    s2.append(Array.from({ length: 10 }, (_, i) => entry(1, i + 1, `e${i + 1}`)));
    s2.setHardState({ term: 1, vote: 1, commit: 10 });
    const again = new RawNode(testConfig(1, 10, 1, s2, { applied: 4 }));
    rd = again.ready();
    expect(rd.committedEntries.map((e) => e.index)).toEqual([5, 6, 7, 8, 9, 10]);
    again.advance();

    // Pagination: with a small apply budget, committed entries come in contiguous pages,
    // each exactly once, across a restart in the middle.
    const s3 = newStorage([1]);
    s3.append(Array.from({ length: 20 }, (_, i) => entry(1, i + 1, 'x'.repeat(50))));
    s3.setHardState({ term: 1, vote: 1, commit: 20 });
    const budget = { maxCommittedSizePerReadyBytes: 200 };
    const seen: number[] = [];
    let node = new RawNode(testConfig(1, 10, 1, s3, budget));
    for (let i = 0; i < 2; i++) {
      rd = node.ready();
      expect(rd.committedEntries.length).toBeGreaterThan(0);
      seen.push(...rd.committedEntries.map((e: Entry) => e.index));
      node.advance();
    }
    node = new RawNode(testConfig(1, 10, 1, s3, { ...budget, applied: seen[seen.length - 1] }));
    while (node.hasReady()) {
      rd = node.ready();
      seen.push(...rd.committedEntries.map((e: Entry) => e.index));
      node.advance();
    }
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(node.raft.state).toBe(StateType.Follower);
  });
});
