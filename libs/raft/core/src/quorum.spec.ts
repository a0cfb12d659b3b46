/**
 * Goal: the quorum math (majority and joint commit index, vote results) agrees with a naive
 * reference on arbitrary configurations, as etcd-raft's quorum/quick_test.go checks.
 * Method: fast-check generates voter sets, acked indexes and partial votes; the naive
 * reference counts, for every candidate index, how many voters acked at least that much.
 */
import fc from 'fast-check';
import {
  jointCommittedIndex,
  jointVoteResult,
  majorityCommittedIndex,
  majorityVoteResult,
  VoteResult,
} from './quorum';

/** The largest index acked by a strict majority, by brute force (0 when none). */
function naiveCommitted(voters: Set<number>, acked: Map<number, number>): number {
  if (voters.size === 0) return Number.POSITIVE_INFINITY;
  const candidates = [0, ...[...voters].map((id) => acked.get(id) ?? 0)];
  let best = 0;
  for (const c of candidates) {
    const n = [...voters].filter((id) => (acked.get(id) ?? 0) >= c).length;
    if (n > voters.size / 2 && c > best) best = c;
  }
  return best;
}

function naiveVote(voters: Set<number>, votes: Map<number, boolean>): VoteResult {
  if (voters.size === 0) return VoteResult.VoteWon;
  const yes = [...voters].filter((id) => votes.get(id) === true).length;
  const missing = [...voters].filter((id) => !votes.has(id)).length;
  if (yes > voters.size / 2) return VoteResult.VoteWon;
  if (yes + missing > voters.size / 2) return VoteResult.VotePending;
  return VoteResult.VoteLost;
}

const idSet = fc.uniqueArray(fc.integer({
  min: 1,
  max: 9,
}), { maxLength: 7 }).map((a) => new Set(a));
const ackMap = fc
  .array(fc.tuple(fc.integer({
    min: 1,
    max: 9,
  }), fc.integer({ min: 0, max: 20 })), { maxLength: 9 })
  .map((a) => new Map(a));
const voteMap = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 9 }), fc.boolean()), { maxLength: 9 })
  .map((a) => new Map(a));

describe('quorum', () => {
  test('majority committed index matches the naive reference', () => {
    fc.assert(
      fc.property(idSet, ackMap, (voters, acked) => {
        const got = majorityCommittedIndex(voters, (id) => acked.get(id));
        expect(got).toBe(naiveCommitted(voters, acked));
      }),
      { numRuns: 5000 },
    );
  });

  test('joint committed index is the minimum of both halves', () => {
    fc.assert(
      fc.property(idSet, idSet, ackMap, (a, b, acked) => {
        const want = Math.min(naiveCommitted(a, acked), naiveCommitted(b, acked));
        expect(jointCommittedIndex([a, b], (id) => acked.get(id))).toBe(want);
      }),
      { numRuns: 5000 },
    );
  });

  test('majority vote result matches the naive reference', () => {
    fc.assert(
      fc.property(idSet, voteMap, (voters, votes) => {
        expect(majorityVoteResult(voters, votes)).toBe(naiveVote(voters, votes));
      }),
      { numRuns: 5000 },
    );
  });

  test('a joint vote is won only when both halves win and lost when either loses', () => {
    fc.assert(
      fc.property(idSet, idSet, voteMap, (a, b, votes) => {
        const r1 = naiveVote(a, votes);
        const r2 = naiveVote(b, votes);
        const want =
          r1 === VoteResult.VoteWon && r2 === VoteResult.VoteWon
            ? VoteResult.VoteWon
            : r1 === VoteResult.VoteLost || r2 === VoteResult.VoteLost
              ? VoteResult.VoteLost
              : VoteResult.VotePending;
        expect(jointVoteResult([a, b], votes)).toBe(want);
      }),
      { numRuns: 5000 },
    );
  });

  test('table: majority commit and votes (quorum/testdata examples)', () => {
    const acked = new Map([
      [1, 100],
      [2, 101],
      [3, 99],
    ]);
    expect(majorityCommittedIndex(new Set([1, 2, 3]), (id) => acked.get(id))).toBe(100);
    expect(majorityCommittedIndex(new Set([1, 2, 3, 4]), (id) => acked.get(id))).toBe(99);
    expect(majorityCommittedIndex(new Set(), () => 0)).toBe(Number.POSITIVE_INFINITY);
    expect(majorityVoteResult(new Set([1, 2]), new Map([[1, true]]))).toBe(VoteResult.VotePending);
    expect(majorityVoteResult(new Set([1, 2]), new Map([[1, false]]))).toBe(VoteResult.VoteLost);
  });
});
