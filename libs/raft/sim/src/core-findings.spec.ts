/**
 * Goal: pin down raft-core behaviour the simulator reached that the core did not handle, as
 * minimal tests next to the simulator. Method: rebuild the exact durable state the
 * simulation produced and step the one message that tripped the core.
 *
 * Finding 1 (first hit by a random run under the send-before-persist-hardstate mutation,
 * before the VoteOnce checker existed; the first test below replays the same crash through
 * the correct shell, step by step): a Ready carries both the entries and the HardState
 * of a node's first term. A crash after the entries record reached the disk but before the
 * HardState record did (a torn tail at a record boundary) restarted the node with entries of
 * term 1 but HardState term 0. When that node then rejected a pre-vote from a candidate with
 * a shorter log, the core answered with its own term, 0, and its `send` asserted "term should
 * be set when sending MsgPreVoteResp" (etcd-raft panics the same way). Fixed in the core: on
 * restart a node's term is raised to its last log term, with no vote (currentTerm >=
 * lastLogTerm; `Raft.raiseTermToLastLogTerm`), persisted by its first Ready, so the
 * rejection carries term 1. These were `test.failing` while the defect existed.
 */
import { EntryType, MemoryStorage, Message, MessageType, RawNode, Snapshot } from '@shoal/raft';
import { Random, SeededRandom } from '@shoal/random';
import { DiskBehaviour, SimDisk } from './disk';
import { CrashPoint, ShellBehaviour, ShellObserver, SimNode } from './node';

function preVote(from: number, to: number, term: number, logTerm: number, index: number): Message {
  return {
    type: MessageType.MsgPreVote,
    from,
    to,
    term,
    logTerm,
    index,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    context: new Uint8Array(0),
  };
}

function message(type: MessageType, from: number, to: number, fields: Partial<Message>): Message {
  return { ...preVote(from, to, 0, 0, 0), type, ...fields };
}

/**
 * A shell observer that crashes the node after the writes of its first Ready with entries,
 * and records the messages the node sends in `sent`.
 */
function crashingObserver(sent: Message[]): ShellObserver {
  let crashed = false;
  const ignore = (): void => undefined;
  return {
    readyTaken: ignore,
    crashPoint: (_node, rd) => {
      if (crashed || rd.entries.length === 0) return undefined;
      crashed = true;
      return CrashPoint.AfterWrite;
    },
    entriesWritten: ignore,
    send: (_node, m) => {
      sent.push(m);
    },
    applied: ignore,
    confChangeApplied: ignore,
    snapshotApplied: ignore,
    readServed: ignore,
  };
}

describe('raft core findings', () => {
  test('through the correct shell: torn tail after a first MsgApp, then a pre-vote', () => {
    const sent: Message[] = [];
    const initial: Snapshot = {
      metadata: { index: 0, term: 0, confState: { voters: [1, 2, 3], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } },
      data: new Uint8Array(0),
    };
    const node = new SimNode({
      id: 3,
      disk: new SimDisk(initial, DiskBehaviour.Honest),
      founders: [1, 2, 3],
      behaviour: ShellBehaviour.Correct,
      observer: crashingObserver(sent),
      snapshotEveryEntries: 0,
      snapshotKeepEntries: 0,
      preVote: true,
      checkQuorum: true,
    });
    node.start(new SeededRandom(1));
    const entries = [{ index: 1, term: 1, type: EntryType.Normal, data: new Uint8Array(0) }];
    // Leader 1 of term 1 replicates its first entry; node 3 never voted in term 1.
    expect(node.receive(message(MessageType.MsgApp, 1, 3, { term: 1, entries }))).toBe(false);
    // The tail tears after the entries record: the HardState (term 1) record is lost.
    const keepOneRecord = { int: () => 1 } as unknown as Random;
    expect(node.crash(keepOneRecord, true)).toEqual({ lost: 1, kept: 1 });
    expect(node.disk.durableHardState().term).toBe(0);
    // Nothing of the torn Ready went out (the crash came before its sends).
    expect(sent).toEqual([]);
    node.start(new SeededRandom(2));
    // The term is back at the last log term, with no vote (the lost HardState's term).
    expect(node.rawNode.status().hardState).toEqual({ term: 1, vote: 0, commit: 0 });
    // Candidate 2 never got the entry; node 3 rejects its pre-vote at term 1.
    expect(node.receive(preVote(2, 3, 1, 0, 0))).toBe(true);
    const responses = sent.filter((m) => m.type === MessageType.MsgPreVoteResp);
    expect(responses.map((m) => [m.to, m.term, m.reject])).toEqual([[2, 1, true]]);
    // The raised HardState was persisted (and fsynced) before the response went out.
    expect(node.disk.durableHardState()).toEqual({ term: 1, vote: 0, commit: 0 });
  });

  test('a restarted node with entries but HardState term 0 can reject a pre-vote', () => {
    const storage = new MemoryStorage({ voters: [1, 2, 3] });
    storage.append([{ index: 1, term: 1, type: EntryType.Normal, data: new Uint8Array(0) }]);
    storage.setHardState({ term: 0, vote: 0, commit: 0 });
    const node = new RawNode({ id: 1, storage, random: new SeededRandom(1), preVote: true });
    // Candidate 2 has an empty log: node 1's log is more up to date, so it must reject.
    node.step(preVote(2, 1, 1, 0, 0));
    const responses = node.ready().messages.filter((m) => m.type === MessageType.MsgPreVoteResp);
    expect(responses.map((m) => [m.term, m.reject])).toEqual([[1, true]]);
  });
});
