/**
 * Goal: the raft invariant currentTerm >= lastLogTerm across a restart. A torn tail can keep
 * the entries of a node's first Ready of a term and lose its HardState; the node must come
 * back at the last log term with no vote (not at the older HardState term), persist that in
 * its first Ready, answer vote requests with that term, and vote in it normally. Role
 * changes assert the invariant.
 * Method: RawNodes and Rafts built over MemoryStorage holding the torn durable state (found
 * by the simulator, see libs/raft/sim/src/core-findings.spec.ts), stepped by hand.
 */
import { Message, MessageType, Snapshot } from './types';
import { RawNode } from './raw-node';
import { restoreSnapshot } from './replication';
import {
  confState,
  entriesWithTerms,
  msg,
  newStorage,
  newTestRaft,
  testConfig,
} from './testing/helpers';
import { MemoryStorage } from './storage';

/** tornStorage: entries of terms 1 1 3, HardState of term 1 with a vote (term 3's is lost). */
function tornStorage(): MemoryStorage {
  const s = newStorage([1, 2, 3]);
  s.append(entriesWithTerms(1, 1, 1, 3));
  s.setHardState({ term: 1, vote: 2, commit: 2 });
  return s;
}

/** snapshot is an empty snapshot of voters 1..3 at (index, term). */
function snapshot(index: number, term: number): Snapshot {
  return { metadata: { index, term, confState: confState([1, 2, 3]) }, data: new Uint8Array(0) };
}

/** voteRequest is a MsgVote/MsgPreVote to node 1 for a candidate whose log ends at (t, i). */
function voteRequest(type: MessageType, from: number, term: number, t: number, i: number): Message {
  return msg({ type, from, to: 1, term, logTerm: t, index: i });
}

describe('restart: currentTerm >= lastLogTerm', () => {
  test('a log ahead of the HardState raises the term to the last log term, with no vote', () => {
    const rn = new RawNode(testConfig(1, 10, 1, tornStorage()));
    expect(rn.status().hardState).toEqual({ term: 3, vote: 0, commit: 2 });
    // The first Ready persists the raised HardState (with an fsync) before any message.
    expect(rn.hasReady()).toBe(true);
    const rd = rn.ready();
    expect([rd.hardState, rd.mustSync, rd.messages]).toEqual([
      { term: 3, vote: 0, commit: 2 },
      true,
      [],
    ]);
    rn.advance();
    expect(rn.hasReady()).toBe(false);
  });

  test('a snapshot newer than the HardState raises the term too', () => {
    const s = newStorage([1, 2, 3]);
    s.applySnapshot(snapshot(5, 4));
    const r = newTestRaft(1, 10, 1, s);
    expect([r.term, r.vote, r.raftLog.committed]).toEqual([4, 0, 5]);
  });

  test('a HardState at or above the last log term is kept as it is', () => {
    const s = newStorage([1, 2, 3]);
    s.append(entriesWithTerms(1, 1, 3));
    s.setHardState({ term: 5, vote: 2, commit: 1 });
    const r = newTestRaft(1, 10, 1, s);
    expect([r.term, r.vote]).toEqual([5, 2]);
  });

  test('the raised node rejects a pre-vote from a shorter log with its term, not 0', () => {
    const storage = newStorage([1, 2, 3]);
    storage.append(entriesWithTerms(1, 1));
    storage.setHardState({ term: 0, vote: 0, commit: 0 });
    const rn = new RawNode(testConfig(1, 10, 1, storage, { preVote: true }));
    rn.step(voteRequest(MessageType.MsgPreVote, 2, 1, 0, 0));
    const rd = rn.ready();
    // The response waits for the raised HardState of its Ready to be durable.
    expect(rd.hardState).toEqual({ term: 1, vote: 0, commit: 0 });
    const resps = rd.messages.filter((m) => m.type === MessageType.MsgPreVoteResp);
    expect(resps.map((m) => [m.to, m.term, m.reject])).toEqual([[2, 1, true]]);
  });

  test('the raised node votes once in its term, and persists the vote before sending it', () => {
    const rn = new RawNode(testConfig(1, 10, 1, tornStorage()));
    rn.step(voteRequest(MessageType.MsgVote, 3, 3, 3, 3));
    const rd = rn.ready();
    expect(rd.hardState).toEqual({ term: 3, vote: 3, commit: 2 });
    expect(rd.mustSync).toBe(true);
    expect(rd.messages.map((m) => [m.type, m.term, m.reject])).toEqual([
      [MessageType.MsgVoteResp, 3, false],
    ]);
    rn.advance();
    rn.step(voteRequest(MessageType.MsgVote, 2, 3, 3, 3));
    const again = rn.ready().messages.map((m) => [m.type, m.term, m.reject]);
    expect(again).toEqual([[MessageType.MsgVoteResp, 3, true]]);
  });

  test('role changes assert the invariant: no term below the log, no term going back', () => {
    const r = newTestRaft(1, 10, 1, newStorage([1, 2, 3]));
    // A fixture that installs a snapshot of term 11 at term 0 (a MsgSnap would carry >= 11).
    restoreSnapshot(r, snapshot(11, 11));
    expect(() => r.becomeCandidate()).toThrow('term 1 is below the last log term 11');
    const ok = newTestRaft(1, 10, 1, tornStorage());
    expect(() => ok.becomeFollower(2, 0)).toThrow('term must not go back from 3 to 2');
  });
});
