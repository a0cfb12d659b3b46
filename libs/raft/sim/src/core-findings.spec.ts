/**
 * Goal: pin down raft-core behaviour the simulator reached that the core does not handle,
 * as minimal tests next to the simulator (the core itself is another engineer's to change).
 * Method: rebuild the exact durable state the simulation produced and step the one message
 * that trips the core. `test.failing` keeps the suite green while the defect exists and
 * turns red once the core is fixed, as a reminder to make it a normal test.
 *
 * Finding 1 (simulator: mutation send-before-persist-hardstate, 3 nodes, see the report;
 * reachable with a correct shell too): a Ready carries both the entries and the HardState
 * of a node's first term. A crash after the entries record reached the disk but before the
 * HardState record did (a torn tail at a record boundary) restarts the node with entries of
 * term 1 but HardState term 0. When that node then rejects a pre-vote from a candidate with
 * a shorter log, the core answers with its own term, 0, and its `send` asserts "term should
 * be set when sending MsgPreVoteResp" (etcd-raft panics the same way). Possible fixes: on
 * restore, raise the term to the last entry's term, or reject pre-votes with the request's
 * term (the candidate ignores a lower term anyway).
 */
import { EntryType, MemoryStorage, Message, MessageType, RawNode } from '@shoal/raft';
import { SeededRandom } from '@shoal/random';

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

describe('raft core findings', () => {
  test.failing('a restarted node with entries but HardState term 0 can reject a pre-vote', () => {
    const storage = new MemoryStorage({ voters: [1, 2, 3] });
    storage.append([{ index: 1, term: 1, type: EntryType.Normal, data: new Uint8Array(0) }]);
    storage.setHardState({ term: 0, vote: 0, commit: 0 });
    const node = new RawNode({ id: 1, storage, random: new SeededRandom(1), preVote: true });
    // Candidate 2 has an empty log: node 1's log is more up to date, so it must reject.
    node.step(preVote(2, 1, 1, 0, 0));
    const responses = node.ready().messages.filter((m) => m.type === MessageType.MsgPreVoteResp);
    expect(responses.map((m) => m.reject)).toEqual([true]);
  });
});
