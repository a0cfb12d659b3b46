/**
 * Scenario: everything a seed decides about a run before it starts ("swarm testing", as
 * TigerBeetle's VOPR does): cluster size, clients, which faults are on and how often.
 * Different seeds thus explore very different mixes: a calm network with many crashes, a
 * lossy one without, partitions with membership changes, and so on.
 */
import { assert } from '@shoal/assert';
import type { Random } from '@shoal/random';
import { SIM_LIMITS } from '@shoal/limits';
import { Mutation } from './mutations';
import { NetworkFaults } from './network';

/** SimOptions are the caller's choices; anything left out is drawn from the seed. */
export interface SimOptions {
  /** Ticks of the safety phase (faults on). Default SIM_LIMITS.safetyTicksDefault. */
  steps?: number;
  /** Founding cluster size; default 3 or 5, drawn from the seed. */
  nodes?: number;
  /** A deliberately broken variant (tests only). Default none. */
  mutation?: Mutation;
  /** Run the linearizability check at the end. Default true. */
  linearizability?: boolean;
  /** Linearizability search budget (see SIM_LIMITS.linearizabilityBudgetKiloSteps). */
  linearizabilityBudgetKiloSteps?: number;
  /** Multiplies the crash probabilities (mutation tests use it to find bugs sooner). */
  crashBoost?: number;
  /** Raft PreVote; default drawn from the seed (on in most runs, as in production). */
  preVote?: boolean;
  /** Raft CheckQuorum; default drawn from the seed (on in most runs). */
  checkQuorum?: boolean;
}

/** Scenario is a fully resolved run configuration. */
export interface Scenario {
  seed: number;
  founders: number;
  clients: number;
  keys: number;
  safetyTicks: number;
  network: NetworkFaults;
  /** Per tick: probability that a running node crashes. */
  crashProbability: number;
  /** Per Ready: probability of a crash inside it. */
  crashInReadyProbability: number;
  tornTail: boolean;
  downTicksMax: number;
  /** Per tick, when the network is whole: probability that a partition starts. */
  partitionProbability: number;
  partitionTicksMax: number;
  pauseProbability: number;
  membershipProbability: number;
  transferProbability: number;
  snapshotEveryEntries: number;
  snapshotKeepEntries: number;
  issueProbability: number;
  readIndexProbability: number;
  preVote: boolean;
  checkQuorum: boolean;
  mutation: Mutation;
  linearizability: boolean;
  linearizabilityBudgetKiloSteps: number;
}

/** resolveScenario draws a scenario for `seed` from `random`, honouring `options`. */
export function resolveScenario(seed: number, options: SimOptions, random: Random): Scenario {
  const founders = options.nodes ?? random.pick([3, 5]);
  assert(founders >= 1 && founders <= 7, 'between 1 and 7 founding nodes');
  const on = (p: number): boolean => random.float() < p;
  const boost = options.crashBoost ?? 1;
  return {
    seed,
    founders,
    clients: random.int(1, 5),
    keys: random.int(1, 4),
    safetyTicks: options.steps ?? SIM_LIMITS.safetyTicksDefault,
    network: {
      dropProbability: on(0.7) ? random.pick([0.01, 0.05, 0.15, 0.3]) : 0,
      duplicateProbability: on(0.5) ? random.pick([0.02, 0.1]) : 0,
      delayUnitsMax: random.pick([2, 5, 10, 20, 40]),
    },
    crashProbability: Math.min(0.5, (on(0.7) ? random.pick([0.005, 0.02, 0.05]) : 0) * boost),
    crashInReadyProbability: Math.min(0.2, (on(0.5) ? random.pick([0.001, 0.005]) : 0) * boost),
    tornTail: on(0.5),
    downTicksMax: random.pick([5, 20, 60]),
    partitionProbability: on(0.6) ? random.pick([0.01, 0.03, 0.1]) : 0,
    partitionTicksMax: random.pick([10, 30, 80]),
    pauseProbability: on(0.3) ? 0.01 : 0,
    membershipProbability: on(0.4) ? random.pick([0.01, 0.03]) : 0,
    transferProbability: on(0.3) ? random.pick([0.01, 0.03]) : 0,
    snapshotEveryEntries: on(0.6) ? random.pick([5, 20, 50]) : 0,
    snapshotKeepEntries: random.pick([0, 2, 10]),
    issueProbability: random.pick([0.1, 0.3, 0.8]),
    readIndexProbability: random.pick([0, 0.5, 1]),
    preVote: options.preVote ?? on(0.8),
    checkQuorum: options.checkQuorum ?? on(0.8),
    mutation: options.mutation ?? Mutation.None,
    linearizability: options.linearizability ?? true,
    linearizabilityBudgetKiloSteps:
      options.linearizabilityBudgetKiloSteps ?? SIM_LIMITS.linearizabilityBudgetKiloSteps,
  };
}
