/**
 * Quorum math, free of messages and state: the commit index and the vote outcome of a
 * majority configuration and of a joint (two-majority) configuration.
 */
import { sortedIds } from './util';

/** VoteResult is the outcome of an election as far as the votes cast so far tell. */
export enum VoteResult {
  /** Pending: neither a quorum of yes nor of no yet. */
  VotePending = 'VotePending',
  /** Lost: a quorum can no longer say yes. */
  VoteLost = 'VoteLost',
  /** Won: a quorum said yes. */
  VoteWon = 'VoteWon',
}

/** MajorityConfig is a set of voter ids; a quorum is any strict majority of it. */
export type MajorityConfig = ReadonlySet<number>;

/**
 * JointConfig is [incoming, outgoing]. Outside a joint configuration `outgoing` is empty,
 * and an empty majority config agrees with anything, so joint math reduces to majority math.
 */
export type JointConfig = readonly [MajorityConfig, MajorityConfig];

/** AckedIndexer returns the highest index a voter acknowledged, or undefined if unknown. */
export type AckedIndexer = (voterId: number) => number | undefined;

/**
 * majorityCommittedIndex returns the largest index acknowledged by a quorum of `voters`
 * (voters with no known index count as 0). An empty config returns +Infinity so that it
 * never constrains a joint config's minimum.
 */
export function majorityCommittedIndex(voters: MajorityConfig, acked: AckedIndexer): number {
  const n = voters.size;
  if (n === 0) return Number.POSITIVE_INFINITY;
  const indexes: number[] = [];
  for (const id of voters) indexes.push(acked(id) ?? 0);
  indexes.sort((a, b) => a - b);
  // With the indexes ascending, the value at position n - quorum is held by `quorum` voters.
  const quorum = Math.floor(n / 2) + 1;
  return indexes[n - quorum] as number;
}

/**
 * majorityVoteResult tallies `votes` (true = granted; absent = not yet answered) over
 * `voters`. An empty config wins by convention (it is the outgoing half of a non-joint one).
 */
export function majorityVoteResult(
  voters: MajorityConfig,
  votes: ReadonlyMap<number, boolean>,
): VoteResult {
  if (voters.size === 0) return VoteResult.VoteWon;
  let yes = 0;
  let missing = 0;
  for (const id of voters) {
    const v = votes.get(id);
    if (v === undefined) missing++;
    else if (v) yes++;
  }
  const quorum = Math.floor(voters.size / 2) + 1;
  if (yes >= quorum) return VoteResult.VoteWon;
  if (yes + missing >= quorum) return VoteResult.VotePending;
  return VoteResult.VoteLost;
}

/** jointCommittedIndex is the smaller of the two halves' committed indexes. */
export function jointCommittedIndex(config: JointConfig, acked: AckedIndexer): number {
  return Math.min(
    majorityCommittedIndex(config[0], acked),
    majorityCommittedIndex(config[1], acked),
  );
}

/** jointVoteResult wins only when both halves win, and loses when either loses. */
export function jointVoteResult(
  config: JointConfig,
  votes: ReadonlyMap<number, boolean>,
): VoteResult {
  const r1 = majorityVoteResult(config[0], votes);
  const r2 = majorityVoteResult(config[1], votes);
  if (r1 === r2) return r1;
  if (r1 === VoteResult.VoteLost || r2 === VoteResult.VoteLost) return VoteResult.VoteLost;
  return VoteResult.VotePending;
}

/** jointIds returns the union of both halves. */
export function jointIds(config: JointConfig): Set<number> {
  return new Set([...config[0], ...config[1]]);
}

/** describeMajority renders a majority config as "(1 2 3)". */
export function describeMajority(voters: MajorityConfig): string {
  return `(${sortedIds(voters).join(' ')})`;
}

/** describeJoint renders a joint config as "(1 2 3)&&(1 2)" or "(1 2 3)" when not joint. */
export function describeJoint(config: JointConfig): string {
  const incoming = describeMajority(config[0]);
  return config[1].size === 0 ? incoming : `${incoming}&&${describeMajority(config[1])}`;
}
