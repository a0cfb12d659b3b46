/**
 * Goal: pin the raft core to the sentences of the Raft paper (§5.1-§5.4), one test per
 * claim, as etcd-raft's raft_paper_test.go does (each test keeps etcd's name).
 * Method: build a raft instance in a known state (init), drive it only through `step`/`tick`
 * (test), then check its outgoing messages and state (check). Messages addressed to the node
 * itself (its own vote, its own append ack) are stepped by `readMessages`, as if the
 * entries of the Ready were durable.
 */
import { Entry, MessageType } from './types';
import { Raft, StateType } from './raft';
import {
  acceptAndReply,
  commitNoopEntry,
  entriesWithTerms,
  entry,
  idsBySize,
  logString,
  msg,
  mustAppendEntry,
  newStorage,
  newTestRaft,
  propMsg,
  sortMessages,
} from './testing/helpers';
import { Network, NOP_STEPPER } from './testing/network';

function raft3(): Raft {
  return newTestRaft(1, 10, 1, newStorage([1, 2, 3]));
}

function entrySummary(ents: readonly Entry[]): Array<[number, number, string]> {
  return ents.map((e) => [e.term, e.index, new TextDecoder().decode(e.data)]);
}

describe('§5.1 terms', () => {
  // "If one server's current term is smaller than the other's, then it updates its current
  // term to the larger value. If a candidate or leader discovers that its term is out of
  // date, it immediately reverts to follower state."
  function updateTermFromMessage(state: StateType): void {
    const r = raft3();
    if (state === StateType.Follower) r.becomeFollower(1, 2);
    if (state === StateType.Candidate) r.becomeCandidate();
    if (state === StateType.Leader) {
      r.becomeCandidate();
      r.becomeLeader();
    }
    r.step(msg({ type: MessageType.MsgApp, term: 2 }));
    expect(r.term).toBe(2);
    expect(r.state).toBe(StateType.Follower);
  }

  test('TestFollowerUpdateTermFromMessage: a follower adopts a larger term', () => {
    updateTermFromMessage(StateType.Follower);
  });

  test('TestCandidateUpdateTermFromMessage: a candidate reverts on a larger term', () => {
    updateTermFromMessage(StateType.Candidate);
  });

  test('TestLeaderUpdateTermFromMessage: a leader reverts to follower on a larger term', () => {
    updateTermFromMessage(StateType.Leader);
  });

  // "If a server receives a request with a stale term number, it rejects the request."
  // Our implementation ignores the request instead (as etcd does).
  test('TestRejectStaleTermMessage: a request with a stale term never reaches the role', () => {
    let called = false;
    const r = raft3();
    r.stepRole = () => {
      called = true;
      return null;
    };
    r.loadState({ term: 2, vote: 0, commit: 0 });
    r.step(msg({ type: MessageType.MsgApp, term: r.term - 1 }));
    expect(called).toBe(false);
  });
});

describe('§5.2 leader election', () => {
  // "When servers start up, they begin as followers."
  test('TestStartAsFollower: servers start up as followers', () => {
    expect(raft3().state).toBe(StateType.Follower);
  });

  // "Leaders send periodic heartbeats (AppendEntries RPCs that carry no log entries) to all
  // followers in order to maintain their authority."
  test('TestLeaderBcastBeat: a leader sends heartbeats to all followers', () => {
    const r = raft3();
    r.becomeCandidate();
    r.becomeLeader();
    for (let i = 0; i < 10; i++) mustAppendEntry(r, entry(0, i + 1));
    r.tick();
    const msgs = sortMessages(r.readMessages());
    expect(msgs.map((m) => [m.from, m.to, m.term, m.type, m.commit, m.entries.length])).toEqual([
      [1, 2, 1, MessageType.MsgHeartbeat, 0, 0],
      [1, 3, 1, MessageType.MsgHeartbeat, 0, 0],
    ]);
  });

  // "If a follower receives no communication over a period of time called the election
  // timeout, then it assumes there is no viable leader and begins an election to choose a
  // new leader. To begin an election, a follower increments its current term and
  // transitions to candidate state. It then votes for itself and issues RequestVote RPCs in
  // parallel to each of the other servers in the cluster." / "A candidate continues in this
  // state until ... a period of time goes by with no winner." / "If many followers become
  // candidates at the same time, votes could be split ... each candidate will time out and
  // start a new election by incrementing its term and initiating another round."
  function nonleaderStartElection(state: StateType): void {
    const et = 10;
    const r = newTestRaft(1, et, 1, newStorage([1, 2, 3]));
    if (state === StateType.Follower) r.becomeFollower(1, 2);
    else r.becomeCandidate();
    for (let i = 1; i < 2 * et; i++) r.tick();
    r.advanceMessagesAfterAppend();
    expect(r.term).toBe(2);
    expect(r.state).toBe(StateType.Candidate);
    expect(r.trk.votes.get(r.id)).toBe(true);
    const msgs = sortMessages(r.readMessages());
    expect(msgs.map((m) => [m.from, m.to, m.term, m.type, m.index, m.logTerm])).toEqual([
      [1, 2, 2, MessageType.MsgVote, 0, 0],
      [1, 3, 2, MessageType.MsgVote, 0, 0],
    ]);
  }

  test('TestFollowerStartElection: a follower times out, votes for itself, asks the others', () => {
    nonleaderStartElection(StateType.Follower);
  });

  test('TestCandidateStartNewElection: a candidate with no winner starts a new election', () => {
    nonleaderStartElection(StateType.Candidate);
  });

  // "A candidate wins an election if it receives votes from a majority of the servers in the
  // full cluster for the same term." / "Once a candidate wins an election, it becomes
  // leader." / "... if the candidate's term ... is not larger, the candidate rejects the RPC
  // and continues in candidate state" (win / lose / unclear outcomes).
  test('TestLeaderElectionInOneRoundRPC: a majority wins, a majority of rejections loses', () => {
    const cases: Array<[number, Record<number, boolean>, StateType]> = [
      [1, {}, StateType.Leader],
      [3, { 2: true, 3: true }, StateType.Leader],
      [3, { 2: true }, StateType.Leader],
      [5, { 2: true, 3: true, 4: true, 5: true }, StateType.Leader],
      [5, { 2: true, 3: true, 4: true }, StateType.Leader],
      [5, { 2: true, 3: true }, StateType.Leader],
      [3, { 2: false, 3: false }, StateType.Follower],
      [5, { 2: false, 3: false, 4: false, 5: false }, StateType.Follower],
      [5, { 2: true, 3: false, 4: false, 5: false }, StateType.Follower],
      [3, {}, StateType.Candidate],
      [5, { 2: true }, StateType.Candidate],
      [5, { 2: false, 3: false }, StateType.Candidate],
      [5, {}, StateType.Candidate],
    ];
    for (const [size, votes, want] of cases) {
      const r = newTestRaft(1, 10, 1, newStorage(idsBySize(size)));
      r.step(msg({ from: 1, to: 1, type: MessageType.MsgHup }));
      r.advanceMessagesAfterAppend();
      for (const [id, v] of Object.entries(votes)) {
        r.step(msg({
          from: Number(id),
          to: 1,
          term: r.term,
          type: MessageType.MsgVoteResp,
          reject: !v,
        }));
      }
      expect([size, votes, r.state, r.term]).toEqual([size, votes, want, 1]);
    }
  });

  // "Each server will vote for at most one candidate in a given term, on a first-come-first-
  // served basis."
  test('TestFollowerVote: one vote per term, first come first served', () => {
    const cases: Array<[number, number, boolean]> = [
      [0, 2, false],
      [0, 3, false],
      [2, 2, false],
      [3, 3, false],
      [2, 3, true],
      [3, 2, true],
    ];
    for (const [vote, nvote, wantReject] of cases) {
      const r = raft3();
      r.loadState({ term: 1, vote, commit: 0 });
      r.step(msg({ from: nvote, to: 1, term: 1, type: MessageType.MsgVote }));
      expect(r.msgsAfterAppend.map((m) => [m.from, m.to, m.term, m.type, m.reject])).toEqual([
        [1, nvote, 1, MessageType.MsgVoteResp, wantReject],
      ]);
    }
  });

  // "While waiting for votes, a candidate may receive an AppendEntries RPC from another
  // server claiming to be leader. If the leader's term is at least as large as the
  // candidate's current term, then the candidate recognizes the leader as legitimate and
  // returns to follower state."
  test('TestCandidateFallback: a candidate yields to a leader of an equal or larger term', () => {
    for (const term of [1, 2]) {
      const r = raft3();
      r.step(msg({ from: 1, to: 1, type: MessageType.MsgHup }));
      expect(r.state).toBe(StateType.Candidate);
      r.step(msg({ from: 2, to: 1, term, type: MessageType.MsgApp }));
      expect(r.state).toBe(StateType.Follower);
      expect(r.term).toBe(term);
    }
  });

  // "Raft uses randomized election timeouts to ensure that split votes are rare and that
  // they are resolved quickly. ... election timeouts are chosen randomly from a fixed
  // interval": every timeout in [E, 2E-1] occurs.
  function electionTimeoutRandomized(state: StateType): void {
    const et = 10;
    const r = newTestRaft(1, et, 1, newStorage([1, 2, 3]));
    const timeouts = new Set<number>();
    for (let round = 0; round < 50 * et; round++) {
      if (state === StateType.Follower) r.becomeFollower(r.term + 1, 2);
      else r.becomeCandidate();
      let time = 0;
      while (r.readMessages().length === 0) {
        r.tick();
        time++;
      }
      timeouts.add(time);
    }
    for (let d = et; d < 2 * et; d++) expect([d, timeouts.has(d)]).toEqual([d, true]);
    for (const t of timeouts) expect(t >= et && t < 2 * et).toBe(true);
  }

  test('TestFollowerElectionTimeoutRandomized: follower timeouts cover [E, 2E-1]', () => {
    electionTimeoutRandomized(StateType.Follower);
  });

  test('TestCandidateElectionTimeoutRandomized: candidate timeouts cover [E, 2E-1]', () => {
    electionTimeoutRandomized(StateType.Candidate);
  });

  // "... in most cases only a single server will time out; it wins the election and sends
  // heartbeats before any other servers time out."
  function electionTimeoutNonconflict(state: StateType): void {
    const et = 10;
    const ids = idsBySize(5);
    const rs = ids.map((id) => newTestRaft(id, et, 1, newStorage(ids)));
    let conflicts = 0;
    for (let round = 0; round < 1000; round++) {
      for (const r of rs) {
        if (state === StateType.Follower) r.becomeFollower(r.term + 1, 0);
        else r.becomeCandidate();
      }
      let timeouts = 0;
      while (timeouts === 0) {
        for (const r of rs) {
          r.tick();
          if (r.readMessages().length > 0) timeouts++;
        }
      }
      if (timeouts > 1) conflicts++;
    }
    expect(conflicts / 1000).toBeLessThanOrEqual(0.3);
  }

  test('TestFollowersElectionTimeoutNonconflict: usually a single follower times out', () => {
    electionTimeoutNonconflict(StateType.Follower);
  });

  test('TestCandidatesElectionTimeoutNonconflict: usually a single candidate times out', () => {
    electionTimeoutNonconflict(StateType.Candidate);
  });
});

describe('§5.3 log replication', () => {
  // "Once a leader has been elected, it begins servicing client requests. Each client request
  // contains a command to be executed by the replicated state machines. The leader appends
  // the command to its log as a new entry, then issues AppendEntries RPCs in parallel to
  // each of the other servers to replicate the entry." / "... each entry stores a state
  // machine command along with the term number when the entry was received by the leader."
  test('TestLeaderStartReplication: the leader appends a proposal and replicates it', () => {
    const s = newStorage([1, 2, 3]);
    const r = newTestRaft(1, 10, 1, s);
    r.becomeCandidate();
    r.becomeLeader();
    commitNoopEntry(r, s);
    const li = r.raftLog.lastIndex();
    r.step(propMsg(1, 'some data'));
    expect(r.raftLog.lastIndex()).toBe(li + 1);
    expect(r.raftLog.committed).toBe(li);
    const msgs = sortMessages(r.readMessages());
    const want = [[1, li + 1, 'some data']];
    expect(msgs.map((m) => [m.from, m.to, m.term, m.type, m.index, m.logTerm, m.commit])).toEqual([
      [1, 2, 1, MessageType.MsgApp, li, 1, li],
      [1, 3, 1, MessageType.MsgApp, li, 1, li],
    ]);
    for (const m of msgs) expect(entrySummary(m.entries)).toEqual(want);
    expect(entrySummary(r.raftLog.nextUnstableEntries())).toEqual(want);
  });

  // "A log entry is committed once the leader that created the entry has replicated it on a
  // majority of the servers." / "The leader keeps track of the highest index it knows to be
  // committed, and it includes that index in future AppendEntries RPCs (including
  // heartbeats) so that the other servers eventually find out."
  test('TestLeaderCommitEntry: an entry on a majority commits and followers learn it', () => {
    const s = newStorage([1, 2, 3]);
    const r = newTestRaft(1, 10, 1, s);
    r.becomeCandidate();
    r.becomeLeader();
    commitNoopEntry(r, s);
    const li = r.raftLog.lastIndex();
    r.step(propMsg(1, 'some data'));
    for (const m of r.readMessages()) r.step(acceptAndReply(m));
    expect(r.raftLog.committed).toBe(li + 1);
    expect(entrySummary(r.raftLog.nextCommittedEntries())).toEqual([[1, li + 1, 'some data']]);
    const msgs = sortMessages(r.readMessages());
    expect(msgs.map((m) => [m.to, m.type, m.commit])).toEqual([
      [2, MessageType.MsgApp, li + 1],
      [3, MessageType.MsgApp, li + 1],
    ]);
  });

  // "A log entry is committed once the leader that created the entry has replicated it on a
  // majority of the servers."
  test('TestLeaderAcknowledgeCommit: commit needs a majority including the leader', () => {
    const cases: Array<[number, number[], boolean]> = [
      [1, [], true],
      [3, [], false],
      [3, [2], true],
      [3, [2, 3], true],
      [5, [], false],
      [5, [2], false],
      [5, [2, 3], true],
      [5, [2, 3, 4], true],
      [5, [2, 3, 4, 5], true],
    ];
    for (const [size, acceptors, wantAck] of cases) {
      const s = newStorage(idsBySize(size));
      const r = newTestRaft(1, 10, 1, s);
      r.becomeCandidate();
      r.becomeLeader();
      commitNoopEntry(r, s);
      const li = r.raftLog.lastIndex();
      r.step(propMsg(1, 'some data'));
      r.advanceMessagesAfterAppend();
      for (const m of r.msgs) if (acceptors.includes(m.to)) r.step(acceptAndReply(m));
      expect([size, acceptors, r.raftLog.committed > li]).toEqual([size, acceptors, wantAck]);
    }
  });

  // "When the leader commits an entry, it also commits all preceding entries in its log,
  // including entries created by previous leaders."
  test('TestLeaderCommitPrecedingEntries: committing an entry commits all before it', () => {
    const cases: Entry[][] = [
      [],
      entriesWithTerms(1, 2),
      entriesWithTerms(1, 1, 2),
      entriesWithTerms(1, 1),
    ];
    for (const tt of cases) {
      const s = newStorage([1, 2, 3]);
      s.append(tt);
      const r = newTestRaft(1, 10, 1, s);
      r.loadState({ term: 2, vote: 0, commit: 0 });
      r.becomeCandidate();
      r.becomeLeader();
      r.step(propMsg(1, 'some data'));
      for (const m of r.readMessages()) r.step(acceptAndReply(m));
      const li = tt.length;
      const want = [...entrySummary(tt), [3, li + 1, ''], [3, li + 2, 'some data']];
      expect(entrySummary(r.raftLog.nextCommittedEntries())).toEqual(want);
    }
  });

  // "Once a follower learns that a log entry is committed, it applies the entry to its local
  // state machine (in log order)."
  test('TestFollowerCommitEntry: a follower commits what the leader says is committed', () => {
    const cases: Array<[Entry[], number]> = [
      [[entry(1, 1, 'some data')], 1],
      [[entry(1, 1, 'some data'), entry(1, 2, 'some data2')], 2],
      [[entry(1, 1, 'some data2'), entry(1, 2, 'some data')], 2],
      [[entry(1, 1, 'some data'), entry(1, 2, 'some data2')], 1],
    ];
    for (const [ents, commit] of cases) {
      const r = raft3();
      r.becomeFollower(1, 2);
      r.step(msg({ from: 2, to: 1, type: MessageType.MsgApp, term: 1, entries: ents, commit }));
      expect(r.raftLog.committed).toBe(commit);
      expect(entrySummary(r.raftLog.nextCommittedEntries())).toEqual(
        entrySummary(ents.slice(0, commit)),
      );
    }
  });

  // "When sending an AppendEntries RPC, the leader includes the index and term of the entry
  // in its log that immediately precedes the new entries. If the follower does not find an
  // entry in its log with the same index and term, then it refuses the new entries."
  test('TestFollowerCheckMsgApp: a follower refuses entries whose predecessor it lacks', () => {
    const ents = entriesWithTerms(1, 1, 2);
    const cases: Array<[number, number, number, boolean, number, number]> = [
      [0, 0, 1, false, 0, 0], // match with committed entries
      [1, 1, 1, false, 0, 0],
      [2, 2, 2, false, 0, 0], // match with uncommitted entries
      [1, 2, 2, true, 1, 1], // unmatch with existing entry
      [3, 3, 3, true, 2, 2], // unexisting entry
    ];
    for (const [term, index, wIndex, wReject, wHint, wLogTerm] of cases) {
      const s = newStorage([1, 2, 3]);
      s.append(ents);
      const r = newTestRaft(1, 10, 1, s);
      r.loadState({ term: 0, vote: 0, commit: 1 });
      r.becomeFollower(2, 2);
      r.step(msg({ from: 2, to: 1, type: MessageType.MsgApp, term: 2, logTerm: term, index }));
      const got = r
        .readMessages()
        .map((m) => [m.from, m.to, m.type, m.term, m.index, m.reject, m.rejectHint, m.logTerm]);
      expect(got).toEqual([[1, 2, MessageType.MsgAppResp, 2, wIndex, wReject, wHint, wLogTerm]]);
    }
  });

  // "If an existing entry conflicts with a new one (same index but different terms), delete
  // the existing entry and all that follow it; append any new entries not already in the
  // log." / "... the follower's inconsistent entries are overwritten with entries from the
  // leader's log."
  test('TestFollowerAppendEntries: conflicting entries are overwritten, new ones appended', () => {
    const cases: Array<[number, number, Entry[], Entry[], Entry[]]> = [
      [2, 2, entriesWithTerms(3, 3), entriesWithTerms(1, 1, 2, 3), entriesWithTerms(3, 3)],
      [1, 1, entriesWithTerms(2, 3, 4), entriesWithTerms(1, 1, 3, 4), entriesWithTerms(2, 3, 4)],
      [0, 0, entriesWithTerms(1, 1), entriesWithTerms(1, 1, 2), []],
      [0, 0, entriesWithTerms(1, 3), entriesWithTerms(1, 3), entriesWithTerms(1, 3)],
    ];
    for (const [index, term, ents, wEnts, wUnstable] of cases) {
      const s = newStorage([1, 2, 3]);
      s.append(entriesWithTerms(1, 1, 2));
      const r = newTestRaft(1, 10, 1, s);
      r.becomeFollower(2, 2);
      r.step(msg({
        from: 2,
        to: 1,
        type: MessageType.MsgApp,
        term: 2,
        logTerm: term,
        index,
        entries: ents,
      }));
      expect(entrySummary(r.raftLog.allEntries())).toEqual(entrySummary(wEnts));
      expect(entrySummary(r.raftLog.nextUnstableEntries())).toEqual(entrySummary(wUnstable));
    }
  });

  // Figure 7: "The leader handles inconsistencies by forcing the followers' logs to duplicate
  // its own." / "... the leader must find the latest log entry where the two logs agree,
  // delete any entries in the follower's log after that point, and send the follower all of
  // the leader's entries after that point."
  test('TestLeaderSyncFollowerLog: the leader repairs the six divergent logs of Figure 7', () => {
    const ents = entriesWithTerms(1, 1, 1, 1, 4, 4, 5, 5, 6, 6, 6);
    const term = 8;
    const followers = [
      entriesWithTerms(1, 1, 1, 1, 4, 4, 5, 5, 6, 6),
      entriesWithTerms(1, 1, 1, 1, 4, 4),
      entriesWithTerms(1, 1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6),
      entriesWithTerms(1, 1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7),
      entriesWithTerms(1, 1, 1, 1, 4, 4, 4, 4),
      entriesWithTerms(1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3),
    ];
    for (const tt of followers) {
      const ls = newStorage([1, 2, 3]);
      ls.append(ents);
      const lead = newTestRaft(1, 10, 1, ls);
      lead.loadState({ term, vote: 0, commit: lead.raftLog.lastIndex() });
      const fs = newStorage([1, 2, 3]);
      fs.append(tt);
      const follower = newTestRaft(2, 10, 1, fs);
      follower.loadState({ term: term - 1, vote: 0, commit: 0 });
      // The leader must win with the vote of the third (black hole) node, whose log is
      // assumed to be at least as long as the leader's.
      const n = new Network([lead, follower, NOP_STEPPER]);
      n.send(msg({ from: 1, to: 1, type: MessageType.MsgHup }));
      n.send(msg({ from: 3, to: 1, type: MessageType.MsgVoteResp, term: term + 1 }));
      n.send(msg({ from: 1, to: 1, type: MessageType.MsgProp, entries: [entry(0, 0)] }));
      expect(logString(follower.raftLog)).toBe(logString(lead.raftLog));
    }
  });
});

describe('§5.4 safety', () => {
  // "The RequestVote RPC ... includes information about the candidate's log" (its last
  // entry's index and term), so that voters can refuse candidates with stale logs.
  test('TestVoteRequest: vote requests carry the candidate last log index and term', () => {
    const cases: Array<[Entry[], number]> = [
      [entriesWithTerms(1, 1), 2],
      [entriesWithTerms(1, 1, 2), 3],
    ];
    for (const [ents, wTerm] of cases) {
      const r = raft3();
      r.step(msg({ from: 2, to: 1, type: MessageType.MsgApp, term: wTerm - 1, entries: ents }));
      r.readMessages();
      for (let i = 1; i < r.electionTimeout * 2; i++) r.tickElection();
      const msgs = sortMessages(r.readMessages());
      const last = ents[ents.length - 1] as Entry;
      expect(msgs.map((m) => [m.type, m.to, m.term, m.index, m.logTerm])).toEqual([
        [MessageType.MsgVote, 2, wTerm, last.index, last.term],
        [MessageType.MsgVote, 3, wTerm, last.index, last.term],
      ]);
    }
  });

  // "The voter denies its vote if its own log is more up-to-date than that of the
  // candidate." / "If the logs have last entries with different terms, then the log with
  // the later term is more up-to-date. If the logs end with the same term, then whichever
  // log is longer is more up-to-date."
  test('TestVoter: a voter denies candidates whose log is less up to date', () => {
    const cases: Array<[Entry[], number, number, boolean]> = [
      [entriesWithTerms(1, 1), 1, 1, false], // same logterm
      [entriesWithTerms(1, 1), 1, 2, false],
      [entriesWithTerms(1, 1, 1), 1, 1, true],
      [entriesWithTerms(1, 1), 2, 1, false], // candidate higher logterm
      [entriesWithTerms(1, 1), 2, 2, false],
      [entriesWithTerms(1, 1, 1), 2, 1, false],
      [entriesWithTerms(1, 2), 1, 1, true], // voter higher logterm
      [entriesWithTerms(1, 2), 1, 2, true],
      [entriesWithTerms(1, 2, 2), 1, 1, true],
      [entriesWithTerms(1, 1, 1), 1, 1, true],
    ];
    for (const [ents, logTerm, index, wReject] of cases) {
      const s = newStorage([1, 2]);
      s.append(ents);
      const r = newTestRaft(1, 10, 1, s);
      r.step(msg({ from: 2, to: 1, type: MessageType.MsgVote, term: 3, logTerm, index }));
      const msgs = r.readMessages();
      expect(msgs.map((m) => [m.type, m.reject])).toEqual([[MessageType.MsgVoteResp, wReject]]);
    }
  });

  // "Raft never commits log entries from previous terms by counting replicas. Only log
  // entries from the leader's current term are committed by counting replicas."
  test('TestLeaderOnlyCommitsLogFromCurrentTerm: only current-term replicas count', () => {
    const cases: Array<[number, number]> = [
      [1, 0], // do not commit log entries in previous terms
      [2, 0],
      [3, 3], // commit log in current term
    ];
    for (const [index, wCommit] of cases) {
      const s = newStorage([1, 2]);
      s.append(entriesWithTerms(1, 1, 2));
      const r = newTestRaft(1, 10, 1, s);
      r.loadState({ term: 2, vote: 0, commit: 0 });
      r.becomeCandidate();
      r.becomeLeader();
      r.readMessages();
      r.step(msg({ from: 1, to: 1, type: MessageType.MsgProp, entries: [entry(0, 0)] }));
      r.step(msg({ from: 2, to: 1, type: MessageType.MsgAppResp, term: r.term, index }));
      r.advanceMessagesAfterAppend();
      expect(r.raftLog.committed).toBe(wCommit);
    }
  });
});
