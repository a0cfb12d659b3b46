/**
 * Goal: each checker fires on the violation it names, and only then. Method: feed the
 * ClusterChecker fabricated nodes (a minimal stand-in for RawNode's state) and disks in a
 * legal sequence, then break one property and expect that invariant's violation.
 */
import { Entry, EntryType, RawNode, Snapshot, StateType } from '@shoal/raft';
import { CheckedNode, ClusterChecker, Invariant, InvariantViolation } from './checkers';
import { DiskBehaviour, SimDisk } from './disk';

interface FakeState {
  state: StateType;
  term: number;
  committed: number;
  terms: number[];
  voters: number[];
}

const initial: Snapshot = {
  metadata: { index: 0, term: 0, confState: { voters: [1, 2, 3], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } },
  data: new Uint8Array(0),
};

function fakeNode(id: number, s: FakeState, disk = new SimDisk(initial, DiskBehaviour.Honest)): CheckedNode {
  const raftLog = {
    get committed() {
      return s.committed;
    },
    term: (i: number) => (i === 0 ? 0 : s.terms[i]),
    firstIndex: () => 1,
    lastIndex: () => s.terms.length - 1,
  };
  const raft = {
    get state() {
      return s.state;
    },
    get term() {
      return s.term;
    },
    raftLog,
    trk: { config: { voters: [new Set(s.voters), new Set<number>()] } },
  };
  return { id, incarnation: 1, applied: 0, disk, rawNode: { raft } as unknown as RawNode };
}

function state(partial: Partial<FakeState>): FakeState {
  return { state: StateType.Follower, term: 1, committed: 0, terms: [0], voters: [1, 2, 3], ...partial };
}

function entry(index: number, term: number, byte = 0): Entry {
  return { index, term, type: EntryType.Normal, data: new Uint8Array([byte]) };
}

function violation(fn: () => void): Invariant | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof InvariantViolation) return e.invariant;
    throw e;
  }
  return undefined;
}

describe('ClusterChecker', () => {
  it('ElectionSafety: two leaders of one term', () => {
    const c = new ClusterChecker();
    const a = fakeNode(1, state({ state: StateType.Leader, term: 2, terms: [0, 1] }));
    const b = fakeNode(2, state({ state: StateType.Leader, term: 2, terms: [0, 1] }));
    c.started(a);
    c.started(b);
    c.observe(a);
    c.observe(a);
    expect(violation(() => c.observe(b))).toBe(Invariant.ElectionSafety);
  });

  it('VoteOnce: two candidates in one term', () => {
    const c = new ClusterChecker();
    c.voted(1, 3, 2);
    c.voted(1, 3, 2);
    c.voted(1, 4, 3);
    expect(violation(() => c.voted(1, 3, 3))).toBe(Invariant.VoteOnce);
  });

  it('LogMatching: one (index, term), two contents or two predecessors', () => {
    const c = new ClusterChecker();
    const a = fakeNode(1, state({}));
    c.entriesWritten(a, [entry(1, 1), entry(2, 1)], 0);
    c.entriesWritten(a, [entry(2, 1)], 1);
    expect(violation(() => c.entriesWritten(a, [entry(2, 1, 9)], 1))).toBe(Invariant.LogMatching);
    c.entriesWritten(a, [entry(3, 2)], 1);
    expect(violation(() => c.entriesWritten(a, [entry(3, 2)], 2))).toBe(Invariant.LogMatching);
  });

  it('StateMachineSafety and order: applications must agree and follow each other', () => {
    const c = new ClusterChecker();
    const a = fakeNode(1, state({}));
    const b = fakeNode(2, state({}));
    c.started(a);
    c.started(b);
    c.applied(a, entry(1, 1));
    expect(violation(() => c.applied(a, entry(3, 1)))).toBe(Invariant.AppliedInOrder);
    expect(violation(() => c.applied(b, entry(1, 1, 7)))).toBe(Invariant.StateMachineSafety);
  });

  it('CommittedIsDurable: a commit a quorum has not synced', () => {
    const c = new ClusterChecker();
    const disks = new Map([1, 2, 3].map((id) => [id, new SimDisk(initial, DiskBehaviour.Honest)]));
    const leader = fakeNode(1, state({ state: StateType.Leader, committed: 1, terms: [0, 1] }), disks.get(1));
    c.started(leader);
    for (const id of [1, 2]) disks.get(id)?.write({ kind: 'entries', entries: [entry(1, 1)] });
    c.observe(leader);
    expect(violation(() => c.checkDurable(disks))).toBe(Invariant.CommittedIsDurable);
    disks.get(1)?.sync();
    expect(violation(() => c.checkDurable(disks))).toBe(Invariant.CommittedIsDurable);
    disks.get(2)?.sync();
    expect(violation(() => c.checkDurable(disks))).toBeUndefined();
  });

  it('LeaderCompleteness: a later leader without a committed entry', () => {
    const c = new ClusterChecker();
    const old = fakeNode(1, state({ state: StateType.Leader, term: 1, committed: 2, terms: [0, 1, 1] }));
    c.started(old);
    c.observe(old);
    const late = fakeNode(2, state({ state: StateType.Leader, term: 2, terms: [0, 1] }));
    c.started(late);
    expect(violation(() => c.observe(late))).toBe(Invariant.LeaderCompleteness);
  });

  it('CommitMonotonic: a HardState commit going back', () => {
    const c = new ClusterChecker();
    const a = fakeNode(1, state({}));
    c.started(a);
    c.hardStateTaken(a, 5);
    expect(violation(() => c.hardStateTaken(a, 4))).toBe(Invariant.CommitMonotonic);
  });
});
