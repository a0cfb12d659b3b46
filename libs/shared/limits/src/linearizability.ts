/**
 * LINEARIZABILITY_LIMITS are the checker's named limits. The search is exponential in the
 * worst case, so its time is bounded by the caller's budget; these keep the bookkeeping
 * around that bound cheap and the inputs sane.
 */
import { assert } from '@shoal/assert';

/** LINEARIZABILITY_LIMITS holds every count limit of the checker; see the file comment. */
export const LINEARIZABILITY_LIMITS = Object.freeze({
  /** Search steps between two reads of the injected clock (reading it is not free). */
  budgetCheckSteps: 1024,
  /** Operations in one partition (one key); a bigger one is a test-harness bug. */
  operationsPerPartitionMax: 1_000_000,
  /** Linearized operations quoted in an illegal result's message (the list is complete). */
  explanationOperationsQuoted: 5,
});

/** LinearizabilityLimits is the type of {@link LINEARIZABILITY_LIMITS}. */
export type LinearizabilityLimits = typeof LINEARIZABILITY_LIMITS;

assert(LINEARIZABILITY_LIMITS.budgetCheckSteps >= 1, 'the clock is read at some point');
assert(LINEARIZABILITY_LIMITS.explanationOperationsQuoted >= 1, 'explanations quote something');
