/**
 * Goal: prove the checkers bite. Each mutation breaks one rule of raft, of the Ready
 * contract or of the transport, from outside the core (disk, shell, network, a wrapper
 * around step); the simulator must then fail some seed, and fail it on the invariant that
 * guards that rule (a safety invariant, liveness, or linearizability).
 * Method: for each mutation, run seeds from 1 until the first failure (bounded), and check
 * the invariant it reports. The seed found is printed, so the failure can be replayed with
 * `npm run sim:raft -- --seed <s> --mutation <m> [options]`.
 */
import { Invariant } from './checkers';
import { Mutation } from './mutations';
import { runSeed, SeedResult } from './run-seed';
import type { SimOptions } from './scenario';

interface MutationCase {
  mutation: Mutation;
  rule: string;
  /** Invariants that guard the rule; the first failure must be one of them. */
  caughtBy: Invariant[];
  options: SimOptions;
  maxSeeds: number;
}

const CASES: MutationCase[] = [
  {
    mutation: Mutation.DiskLiesAboutFsync,
    rule: 'an acknowledged fsync is durable (committed entries survive crashes)',
    caughtBy: [Invariant.CommittedIsDurable],
    options: { steps: 100, linearizability: false },
    maxSeeds: 20,
  },
  {
    mutation: Mutation.ApplyUncommitted,
    rule: 'apply only committedEntries',
    caughtBy: [Invariant.StateMachineSafety, Invariant.Linearizability],
    options: { steps: 150 },
    maxSeeds: 60,
  },
  {
    mutation: Mutation.SendBeforePersistHardState,
    rule: 'the HardState (term, vote) is durable before any message that depends on it',
    caughtBy: [Invariant.VoteOnce, Invariant.ElectionSafety],
    // Without PreVote and CheckQuorum, competing candidates in one term are common.
    options: { steps: 150, linearizability: false, nodes: 3, preVote: false, checkQuorum: false, crashBoost: 5 },
    maxSeeds: 200,
  },
  {
    mutation: Mutation.ForgeCommit,
    rule: 'a follower commits only what the leader committed',
    caughtBy: [Invariant.CommittedIsDurable, Invariant.StateMachineSafety, Invariant.LeaderCompleteness],
    options: { steps: 150, linearizability: false },
    maxSeeds: 40,
  },
  {
    mutation: Mutation.DoubleCountVotes,
    rule: 'a candidate needs a quorum of distinct granted votes',
    caughtBy: [Invariant.ElectionSafety, Invariant.LeaderCompleteness],
    options: { steps: 150, linearizability: false, nodes: 5 },
    maxSeeds: 150,
  },
  {
    mutation: Mutation.NoSnapshotReports,
    rule: 'the transport reports every MsgSnap outcome (reportSnapshot)',
    caughtBy: [Invariant.Liveness],
    options: { steps: 150, linearizability: false },
    maxSeeds: 80,
  },
  {
    mutation: Mutation.StaleLocalReads,
    rule: 'reads are confirmed by ReadIndex (no stale reads)',
    caughtBy: [Invariant.Linearizability],
    options: { steps: 150 },
    maxSeeds: 80,
  },
];

function firstFailure(c: MutationCase): SeedResult | undefined {
  for (let seed = 1; seed <= c.maxSeeds; seed++) {
    const result = runSeed(seed, { ...c.options, mutation: c.mutation });
    if (!result.ok) return result;
  }
  return undefined;
}

describe('mutations: the checkers bite', () => {
  for (const c of CASES) {
    it(`${c.mutation} (breaks: ${c.rule}) is caught by ${c.caughtBy.join(' or ')}`, () => {
      const failed = firstFailure(c);
      expect(failed).toBeDefined();
      const f = failed?.failure;
      console.log(`${c.mutation}: SEED=${failed?.seed} caught by ${f?.invariant}: ${f?.detail}`);
      expect(c.caughtBy).toContain(f?.invariant);
    }, 300_000);
  }

  it('the unmutated system passes the seeds the mutations fail', () => {
    for (const c of CASES) {
      const failed = firstFailure({ ...c, maxSeeds: 10 });
      if (failed === undefined) continue;
      const clean = runSeed(failed.seed, c.options);
      expect(clean.failure).toBeUndefined();
    }
  }, 300_000);
});
