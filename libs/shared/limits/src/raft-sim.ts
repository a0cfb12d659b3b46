/**
 * SIM_LIMITS are the simulator's named limits and timing constants. Virtual time is counted
 * in units; a raft tick is `unitsPerTick` units, so message delays and clock drift can be
 * finer than a tick. Checked when the module loads.
 */
import { assert } from '@shoal/assert';

/** SIM_LIMITS holds every limit of the simulator; see the file comment. */
export const SIM_LIMITS = Object.freeze({
  /** Virtual time units in one nominal raft tick. */
  unitsPerTick: 10,
  /** Raft election timeout in ticks (each node draws its own in [E, 2E-1]). */
  electionTicks: 10,
  /** Raft heartbeat period in ticks. */
  heartbeatTicks: 1,
  /** Ticks of the safety phase (faults on) when the caller does not choose. */
  safetyTicksDefault: 250,
  /** Ticks the liveness phase may take to converge before the seed fails. */
  livenessTicksMax: 400,
  /** Ticks a client waits for an answer before it records an unknown outcome. */
  clientTimeoutTicks: 40,
  /** Readies one node may hand out in a row for one input before we call it a livelock. */
  readyLoopMax: 256,
  /** Nodes that can ever exist in one run (founders plus added nodes). */
  nodesMax: 9,
  /** Trace records kept for a failure report. */
  traceTailRecords: 80,
  /** Events one run may process; a bigger count is a simulator bug (an event storm). */
  eventsMax: 5_000_000,
  /**
   * Linearizability search budget, deterministic: in units of the checker's
   * LINEARIZABILITY_LIMITS.budgetCheckSteps (1024) search steps, i.e. about thousands.
   */
  linearizabilityBudgetKiloSteps: 2_000,
});

/** SimLimits is the type of {@link SIM_LIMITS}. */
export type SimLimits = typeof SIM_LIMITS;

assert(SIM_LIMITS.heartbeatTicks < SIM_LIMITS.electionTicks, 'heartbeat < election timeout');
assert(SIM_LIMITS.unitsPerTick >= 2, 'a tick has room for sub-tick delays');
assert(SIM_LIMITS.clientTimeoutTicks > 2 * SIM_LIMITS.electionTicks, 'clients outlive elections');
assert(
  SIM_LIMITS.livenessTicksMax > 2 * SIM_LIMITS.clientTimeoutTicks,
  'liveness leaves room for a timed-out operation and a retry',
);
assert(SIM_LIMITS.nodesMax >= 5, 'room for a five-node cluster');
