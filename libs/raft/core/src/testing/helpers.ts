/**
 * Helpers shared by the raft core's tests: configs with etcd-raft's test defaults, log
 * builders, and the small drivers etcd's tests use (nextEnts, commitNoopEntry,
 * acceptAndReply). Not part of the public surface.
 */
import { assert } from '@shoal/assert';
import { ConfState, Entry, EntryType, Message, MessageType } from '../types';
import { Config, resolveConfig } from '../config';
import { RaftLog } from '../log';
import { Raft, StateType } from '../raft';
import { MemoryStorage } from '../storage';
import { bcastAppend } from '../replication';
import { EMPTY_BYTES, makeMessage, MessageInit, NO_LIMIT } from '../util';
import { TestRandom } from './prng';

/** SEED is the default seed for test randomness (any fixed value works). */
export const SEED = 0x5eed;

/**
 * testConfig returns a Config with etcd-raft's test defaults: CheckQuorum, PreVote and
 * StepDownOnRemoval off (the suite turns them on where a test is about them), no message
 * size limit, a window of 256.
 */
export function testConfig(
  id: number,
  electionTicks: number,
  heartbeatTicks: number,
  storage: MemoryStorage,
  overrides: Partial<Config> = {},
): Config {
  return {
    id,
    electionTicks,
    heartbeatTicks,
    storage,
    random: new TestRandom(SEED + id),
    maxSizePerMsgBytes: NO_LIMIT,
    maxInflightMsgs: 256,
    maxUncommittedEntriesBytes: 0,
    maxCommittedSizePerReadyBytes: NO_LIMIT,
    checkQuorum: false,
    preVote: false,
    stepDownOnRemoval: false,
    ...overrides,
  };
}

/** newTestRaft builds a raft instance from {@link testConfig}. */
export function newTestRaft(
  id: number,
  electionTicks: number,
  heartbeatTicks: number,
  storage: MemoryStorage,
  overrides: Partial<Config> = {},
): Raft {
  return new Raft(resolveConfig(testConfig(id, electionTicks, heartbeatTicks, storage, overrides)));
}

/** newStorage returns a MemoryStorage whose initial membership is `voters` (+ learners). */
export function newStorage(voters: number[], learners: number[] = []): MemoryStorage {
  return new MemoryStorage({ voters, learners });
}

/** idsBySize returns [1, ..., size]. */
export function idsBySize(size: number): number[] {
  return Array.from({ length: size }, (_, i) => i + 1);
}

/** entry builds a normal entry. */
export function entry(term: number, index: number, data: string | Uint8Array = EMPTY_BYTES): Entry {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return { term, index, type: EntryType.Normal, data: bytes };
}

/** entriesWithTerms returns entries starting at `firstIndex` with the given terms. */
export function entriesWithTerms(firstIndex: number, ...terms: number[]): Entry[] {
  return terms.map((t, i) => entry(t, firstIndex + i));
}

/** bytes encodes a string as UTF-8. */
export function bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** msg builds a message with zero defaults. */
export function msg(init: MessageInit): Message {
  return makeMessage(init);
}

/** propMsg is a local proposal of `data` stepped into node `id`. */
export function propMsg(id: number, ...data: string[]): Message {
  return msg({
    from: id,
    to: id,
    type: MessageType.MsgProp,
    entries: data.map((d) => entry(0, 0, d)),
  });
}

/** mustAppendEntry appends entries on a leader, failing the test if the quota refuses. */
export function mustAppendEntry(r: Raft, ...ents: Entry[]): void {
  assert(r.appendEntry(ents), 'entry unexpectedly dropped');
}

/**
 * nextEnts persists the unstable entries into `s`, runs the post-append steps, and returns
 * (and marks applied) the committed entries: a one-call Ready cycle for raft-level tests.
 */
export function nextEnts(r: Raft, s: MemoryStorage): Entry[] {
  s.append(r.raftLog.nextUnstableEntries());
  r.raftLog.stableTo(r.raftLog.lastEntryId());
  r.advanceMessagesAfterAppend();
  const ents = r.raftLog.nextCommittedEntries();
  r.raftLog.appliedTo(r.raftLog.committed, 0);
  return ents;
}

/** acceptAndReply is a follower's successful MsgAppResp to MsgApp `m`. */
export function acceptAndReply(m: Message): Message {
  assert(m.type === MessageType.MsgApp, 'type should be MsgApp');
  return msg({
    from: m.to,
    to: m.from,
    term: m.term,
    type: MessageType.MsgAppResp,
    index: m.index + m.entries.length,
  });
}

/** commitNoopEntry commits a new leader's empty entry with acks from every follower. */
export function commitNoopEntry(r: Raft, s: MemoryStorage): void {
  assert(r.state === StateType.Leader, 'it should only be used when it is the leader');
  bcastAppend(r);
  for (const m of r.readMessages()) {
    assert(m.type === MessageType.MsgApp && m.entries.length === 1, 'not a noop append');
    assert((m.entries[0] as Entry).data.byteLength === 0, 'not a noop append');
    r.step(acceptAndReply(m));
  }
  r.readMessages();
  s.append(r.raftLog.nextUnstableEntries());
  r.raftLog.appliedTo(r.raftLog.committed, 0);
  r.raftLog.stableTo(r.raftLog.lastEntryId());
}

/** sortMessages orders messages by (to, type, from), as etcd's messageSlice does. */
export function sortMessages(msgs: Message[]): Message[] {
  return [...msgs].sort((a, b) => a.to - b.to || a.type - b.type || a.from - b.from);
}

/** logString renders a log's cursors and entries for comparisons (etcd's ltoa). */
export function logString(l: RaftLog): string {
  let s = `committed: ${l.committed}\napplied:  ${l.applied}\n`;
  l.allEntries().forEach((e, i) => {
    s += `#${i}: ${e.term}/${e.index}\n`;
  });
  return s;
}

/** textOf decodes UTF-8 entry data. */
export function textOf(data: Uint8Array): string {
  return new TextDecoder().decode(data);
}

/** sortedVoters is a small convenience for asserting configurations. */
export function sortedSet(s: ReadonlySet<number>): number[] {
  return [...s].sort((a, b) => a - b);
}

/** confState builds a non-joint ConfState. */
export function confState(voters: number[], learners: number[] = []): ConfState {
  return { voters, learners, votersOutgoing: [], learnersNext: [], autoLeave: false };
}
