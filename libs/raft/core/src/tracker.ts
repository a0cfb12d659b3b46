/**
 * ProgressTracker: the membership configuration in force plus the leader's Progress for
 * every member and the votes of the election in progress.
 *
 *   voters  = incoming ∪ outgoing            (outgoing non-empty only while joint)
 *   learners ∩ voters = ∅
 *   learnersNext ⊆ outgoing \ incoming       (become learners when the joint config is left)
 */
import { ConfState } from './types';
import { Progress } from './progress';
import {
  describeJoint,
  jointCommittedIndex,
  jointIds,
  JointConfig,
  jointVoteResult,
  VoteResult,
} from './quorum';
import { sortedIds } from './util';

/**
 * TrackerConfig is a membership configuration.
 * Invariant: autoLeave implies voters[1] is non-empty (joint).
 */
export interface TrackerConfig {
  voters: [Set<number>, Set<number>];
  learners: Set<number>;
  learnersNext: Set<number>;
  autoLeave: boolean;
}

/** emptyTrackerConfig returns a configuration without members. */
export function emptyTrackerConfig(): TrackerConfig {
  return {
    voters: [new Set(), new Set()],
    learners: new Set(),
    learnersNext: new Set(),
    autoLeave: false,
  };
}

/** cloneTrackerConfig deep-copies a configuration. */
export function cloneTrackerConfig(c: TrackerConfig): TrackerConfig {
  return {
    voters: [new Set(c.voters[0]), new Set(c.voters[1])],
    learners: new Set(c.learners),
    learnersNext: new Set(c.learnersNext),
    autoLeave: c.autoLeave,
  };
}

/** describeTrackerConfig renders "voters=(1 2)&&(1) learners=(3) learners_next=(4) autoleave". */
export function describeTrackerConfig(c: TrackerConfig): string {
  let s = `voters=${describeJoint(c.voters)}`;
  if (c.learners.size > 0) s += ` learners=(${sortedIds(c.learners).join(' ')})`;
  if (c.learnersNext.size > 0) s += ` learners_next=(${sortedIds(c.learnersNext).join(' ')})`;
  if (c.autoLeave) s += ' autoleave';
  return s;
}

/** confStateOf returns the ConfState equivalent of `c` (ids sorted). */
export function confStateOf(c: TrackerConfig): ConfState {
  return {
    voters: sortedIds(c.voters[0]),
    votersOutgoing: sortedIds(c.voters[1]),
    learners: sortedIds(c.learners),
    learnersNext: sortedIds(c.learnersNext),
    autoLeave: c.autoLeave,
  };
}

/** ProgressMap maps each member's id to the leader's view of it. */
export type ProgressMap = Map<number, Progress>;

/** ProgressTracker holds the configuration, the per-member progress and the votes. */
export class ProgressTracker {
  config: TrackerConfig = emptyTrackerConfig();
  progress: ProgressMap = new Map();
  votes: Map<number, boolean> = new Map();

  /** The constructor takes the flow-control window limits every new Progress gets. */
  constructor(
    readonly maxInflight: number,
    readonly maxInflightBytes: number,
  ) {}

  /** confState returns the configuration as a ConfState. */
  confState(): ConfState {
    return confStateOf(this.config);
  }

  /** isSingleton reports whether this is a single-voter, non-joint configuration. */
  isSingleton(): boolean {
    return this.config.voters[0].size === 1 && this.config.voters[1].size === 0;
  }

  /** committed is the highest index acknowledged (Match) by a quorum of the voters. */
  committed(): number {
    const acked = (id: number): number | undefined => this.progress.get(id)?.match;
    const c = jointCommittedIndex(this.config.voters, acked);
    return Number.isFinite(c) ? c : 0;
  }

  /** visit calls `f` for every member in ascending id order (deterministic output). */
  visit(f: (id: number, pr: Progress) => void): void {
    for (const id of sortedIds(this.progress.keys())) f(id, this.progress.get(id) as Progress);
  }

  /** quorumActive reports whether a quorum of voters was recently active. */
  quorumActive(): boolean {
    const votes = new Map<number, boolean>();
    this.visit((id, pr) => {
      if (!pr.isLearner) votes.set(id, pr.recentActive);
    });
    return jointVoteResult(this.config.voters, votes) === VoteResult.VoteWon;
  }

  /** voterNodes returns the sorted voter ids (both halves). */
  voterNodes(): number[] {
    return sortedIds(jointIds(this.config.voters));
  }

  /** learnerNodes returns the sorted learner ids. */
  learnerNodes(): number[] {
    return sortedIds(this.config.learners);
  }

  /** isVoter reports whether `id` votes in either half of the configuration. */
  isVoter(id: number): boolean {
    return this.config.voters[0].has(id) || this.config.voters[1].has(id);
  }

  /** resetVotes forgets the current election's votes. */
  resetVotes(): void {
    this.votes = new Map();
  }

  /** recordVote records `id`'s vote unless it already voted. */
  recordVote(id: number, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  /** tallyVotes counts the votes of voters and decides the election so far. */
  tallyVotes(): { granted: number; rejected: number; result: VoteResult } {
    let granted = 0;
    let rejected = 0;
    this.visit((id, pr) => {
      if (pr.isLearner) return;
      const v = this.votes.get(id);
      if (v === undefined) return;
      if (v) granted++;
      else rejected++;
    });
    return { granted, rejected, result: jointVoteResult(this.config.voters, this.votes) };
  }

  /** jointConfig returns the voters as a quorum JointConfig. */
  jointConfig(): JointConfig {
    return this.config.voters;
  }

  /** describe renders the configuration. */
  describe(): string {
    return describeTrackerConfig(this.config);
  }
}
