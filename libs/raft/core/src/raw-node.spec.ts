/**
 * Goal: the RawNode API contract: defaults (CheckQuorum and PreVote on, RAFT_LIMITS), the
 * injected randomness, Ready contents and MustSync, refusal of local and unknown-peer
 * messages, single-voter reads, the ready/advance pairing, and maxEntriesPerReady.
 * Method: single RawNodes over MemoryStorage driven by hand, with a recording Random.
 */
import { RAFT_LIMITS } from '@shoal/limits';
import { MessageType } from './types';
import { Config } from './config';
import { RaftError } from './errors';
import { StateType } from './raft';
import { RawNode, mustSync } from './raw-node';
import { MemoryStorage } from './storage';
import { bytes, entry, msg, textOf } from './testing/helpers';
import { TestRandom } from './testing/prng';

function single(overrides: Partial<Config> = {}): { rn: RawNode; s: MemoryStorage } {
  const s = new MemoryStorage({ voters: [1] });
  const rn = new RawNode({ id: 1, storage: s, random: new TestRandom(7), ...overrides });
  return { rn, s };
}

function handle(rn: RawNode, s: MemoryStorage): void {
  const rd = rn.ready();
  s.append(rd.entries);
  if (rd.hardState !== undefined) s.setHardState(rd.hardState);
  rn.advance();
}

describe('RawNode', () => {
  test('defaults: CheckQuorum and PreVote on, RAFT_LIMITS timings, timeout from the Random', () => {
    const draws: Array<[number, number]> = [];
    const random = { int: (lo: number, hi: number) => (draws.push([lo, hi]), lo + 3) };
    const { rn } = single({ random });
    expect([rn.raft.checkQuorum, rn.raft.preVote]).toEqual([true, true]);
    expect([rn.raft.electionTimeout, rn.raft.heartbeatTimeout]).toEqual([
      RAFT_LIMITS.electionTicks,
      RAFT_LIMITS.heartbeatTicks,
    ]);
    const e = RAFT_LIMITS.electionTicks;
    expect(draws[0]).toEqual([e, 2 * e]);
    expect(rn.raft.randomizedElectionTimeout).toBe(e + 3);
  });

  test('a single voter campaigns (pre-vote, then vote) and commits through Ready/advance', () => {
    const { rn, s } = single();
    for (let i = 0; i < 2 * RAFT_LIMITS.electionTicks && !rn.hasReady(); i++) rn.tick();
    let rd = rn.ready();
    expect(rd.softState?.raftState).toBe(StateType.PreCandidate);
    rn.advance();
    rd = rn.ready();
    expect(rd.softState?.raftState).toBe(StateType.Candidate);
    expect(rd.hardState).toEqual({ term: 1, vote: 1, commit: 0 });
    expect(rd.mustSync).toBe(true);
    s.setHardState(rd.hardState ?? { term: 0, vote: 0, commit: 0 });
    rn.advance();
    expect(rn.raft.state).toBe(StateType.Leader);
    rd = rn.ready();
    expect(rd.entries.map((e) => e.index)).toEqual([1]);
    s.append(rd.entries);
    rn.advance();
    rd = rn.ready();
    expect(rd.hardState).toEqual({ term: 1, vote: 1, commit: 1 });
    expect(rd.mustSync).toBe(false); // commit-only change
    expect(rd.committedEntries.map((e) => e.index)).toEqual([1]);
    rn.advance();
    expect(rn.hasReady()).toBe(false);
  });

  test('refuses local message types and responses from non-members', () => {
    const { rn } = single();
    expect(rn.step(msg({ type: MessageType.MsgHup }))).toBe(RaftError.StepLocalMsg);
    expect(rn.step(msg({
      type: MessageType.MsgAppResp,
      from: 9,
      term: 1,
    }))).toBe(RaftError.StepPeerNotFound);
  });

  test('a single voter answers ReadIndex at once with its commit index', () => {
    const { rn, s } = single();
    rn.campaign();
    while (rn.hasReady()) handle(rn, s);
    rn.readIndex(bytes('r1'));
    const rd = rn.ready();
    expect(rd.readStates.map((r) => [r.index, textOf(r.requestCtx)])).toEqual([[1, 'r1']]);
    rn.advance();
  });

  test('ready() twice, or advance() without ready(), is a programmer error', () => {
    const { rn } = single();
    rn.campaign();
    rn.ready();
    expect(() => rn.ready()).toThrow('without advance');
    rn.advance();
    expect(() => rn.advance()).toThrow('without ready');
  });

  test('maxEntriesPerReady bounds the entries of one Ready; the rest follow', () => {
    const { rn, s } = single({ maxEntriesPerReady: 2 });
    rn.campaign();
    while (rn.hasReady()) handle(rn, s);
    for (let i = 0; i < 5; i++) rn.propose(bytes(`p${i}`));
    const sizes: number[] = [];
    while (rn.hasReady()) {
      const rd = rn.ready();
      sizes.push(rd.entries.length);
      s.append(rd.entries);
      rn.advance();
    }
    expect(sizes.filter((n) => n > 0)).toEqual([2, 2, 1]);
    expect(rn.raft.raftLog.committed).toBe(6);
  });

  test('committed entries never run ahead of the entries handed out for persistence', () => {
    const s = new MemoryStorage({ voters: [1, 2] });
    const rn = new RawNode({ id: 2, storage: s, random: new TestRandom(3), maxEntriesPerReady: 2 });
    const entries = [1, 2, 3, 4, 5].map((i) => entry(1, i, `e${i}`));
    rn.step(msg({ type: MessageType.MsgApp, from: 1, to: 2, term: 1, entries, commit: 5 }));
    const seen: Array<[number[], number[]]> = [];
    while (rn.hasReady()) {
      const rd = rn.ready();
      seen.push([rd.entries.map((e) => e.index), rd.committedEntries.map((e) => e.index)]);
      s.append(rd.entries);
      if (rd.hardState !== undefined) s.setHardState(rd.hardState);
      rn.advance();
    }
    expect(seen).toEqual([
      [
        [1, 2],
        [1, 2],
      ],
      [
        [3, 4],
        [3, 4],
      ],
      [[5], [5]],
    ]);
  });

  test('mustSync is true for entries or a term/vote change only', () => {
    const hs = { term: 1, vote: 1, commit: 1 };
    expect(mustSync(hs, hs, 0)).toBe(false);
    expect(mustSync({ ...hs, commit: 5 }, hs, 0)).toBe(false);
    expect(mustSync({ ...hs, term: 2 }, hs, 0)).toBe(true);
    expect(mustSync({ ...hs, vote: 2 }, hs, 0)).toBe(true);
    expect(mustSync(hs, hs, 1)).toBe(true);
  });
});
