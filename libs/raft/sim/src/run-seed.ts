/**
 * runSeed: one simulation from one seed, start to verdict. Pure and deterministic: the same
 * seed and options give the same trace (and trace hash) and the same result on every
 * machine. The linearizability check's budget is counted in search steps, not milliseconds,
 * so even an 'unknown' verdict is reproducible.
 */
import { AssertionFailure } from '@shoal/assert';
import { SeededRandom } from '@shoal/random';
import { checkOperations, KV_MODEL } from '@shoal/testing-linearizability';
import { Invariant, InvariantViolation } from './checkers';
import { resolveScenario, Scenario, SimOptions } from './scenario';
import { Simulator } from './simulator';
import { describeTraceRecord } from './trace';

/** SeedFailure says what broke, when, and what happened just before. */
export interface SeedFailure {
  /** The tick (virtual time) at which the violation was found. */
  step: number;
  invariant: Invariant;
  detail: string;
  traceTail: string[];
}

/** LinearizabilityVerdict is the end-of-run history check's outcome. */
export type LinearizabilityVerdict = 'ok' | 'illegal' | 'unknown' | 'skipped';

/** SeedStats describe a run for summaries. */
export interface SeedStats {
  nodes: number;
  events: number;
  operations: number;
  unknownOperations: number;
  leaderTerms: number;
  commitIndex: number;
}

/**
 * SeedResult is runSeed's answer. `ok` is true iff `failure` is absent; `steps` is the
 * number of ticks simulated; `traceHash` fingerprints the whole trace.
 */
export interface SeedResult {
  ok: boolean;
  seed: number;
  steps: number;
  traceHash: string;
  linearizability: LinearizabilityVerdict;
  stats: SeedStats;
  scenario: Scenario;
  failure?: SeedFailure;
}

/** runSeed simulates `seed` with `options` and returns the verdict (never throws for a bug it finds). */
export function runSeed(seed: number, options: SimOptions = {}): SeedResult {
  const random = new SeededRandom(seed);
  const scenario = resolveScenario(seed, options, random);
  const sim = new Simulator(scenario, random);
  let failure: SeedFailure | undefined;
  let linearizability: LinearizabilityVerdict = 'skipped';
  try {
    sim.run();
    if (scenario.linearizability) linearizability = checkHistory(sim, scenario);
  } catch (error) {
    failure = describeFailure(sim, error);
  }
  const result: SeedResult = {
    ok: failure === undefined,
    seed,
    steps: sim.ticks,
    traceHash: sim.trace.hash(),
    linearizability,
    stats: {
      nodes: sim.nodes.size,
      events: sim.events,
      operations: sim.workload.history.length,
      unknownOperations: sim.workload.counts.unknown,
      leaderTerms: sim.checker.leaderTerms,
      commitIndex: sim.checker.commitIndex,
    },
    scenario,
  };
  if (failure !== undefined) result.failure = failure;
  return result;
}

function checkHistory(sim: Simulator, scenario: Scenario): LinearizabilityVerdict {
  // A deterministic budget: the "clock" advances once per read, and the checker reads it
  // every LINEARIZABILITY_LIMITS.budgetCheckSteps search steps.
  let reads = 0;
  const verdict = checkOperations(KV_MODEL, sim.workload.history, {
    budgetMs: scenario.linearizabilityBudgetKiloSteps,
    now: () => reads++,
  });
  if (verdict.result === 'illegal') {
    throw new InvariantViolation(Invariant.Linearizability, verdict.explanation.message);
  }
  return verdict.result;
}

function describeFailure(sim: Simulator, error: unknown): SeedFailure {
  const traceTail = sim.trace.tail().map(describeTraceRecord);
  if (error instanceof InvariantViolation) {
    return { step: sim.ticks, invariant: error.invariant, detail: error.detail, traceTail };
  }
  if (error instanceof AssertionFailure) {
    const where = error.stack?.split('\n').slice(1, 4).join(' | ') ?? '';
    return { step: sim.ticks, invariant: Invariant.Assertion, detail: `${error.message} @ ${where}`, traceTail };
  }
  throw error;
}
