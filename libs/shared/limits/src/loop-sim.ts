/**
 * LOOP_SIM_LIMITS size the control-loop simulation (tools/sim/loops): the virtual time step,
 * the cluster it builds, how often faults strike and how long convergence may take.
 */
import { assert } from '@shoal/assert';
import { SECOND_MS } from './units';

/** LOOP_SIM_LIMITS holds every constant of the loop simulation; see the file comment. */
export const LOOP_SIM_LIMITS = Object.freeze({
  /** Virtual start time (ms since the epoch) of every run. */
  startMs: 1_767_225_600_000,
  /** Ms the clock advances between two microtask flushes. */
  tickMs: 10,
  /** Ticks in one simulation step (agents act and invariants are checked once per step). */
  ticksPerStep: 10,
  /** Nodes of a run unless the caller chooses. */
  nodesDefault: 2_000,
  /** Replicated services of a run (plus one global service) unless the caller chooses. */
  servicesDefault: 8,
  /** Replicated tasks per node the services ask for at most, summed (capacity headroom). */
  tasksPerNode: 1,
  /** CPU of every simulated node. */
  nodeNanoCpus: 4e9,
  /** CPU reservations a replicated service draws from. */
  reservationChoices: [0, 0.5e9, 1e9, 2e9] as readonly number[],
  /** Steps of the fault phase unless the caller chooses. */
  faultStepsDefault: 300,
  /** Odds that a step injects one fault. */
  faultProbabilityPerStep: 0.5,
  /** Slots a simulated service updates at once. */
  updateParallelism: 10,
  /** Odds that an agent fails to start a task. */
  failStartProbability: 0.01,
  /** Odds that an agent moves a task on (starts or stops it) in one step. */
  agentActProbability: 0.3,
  /** At most this fraction of the nodes is crashed at once. */
  crashedNodesMaxFraction: 0.1,
  /** Lease ttl of the simulated loops (2 × ttl bounds a takeover). */
  leaseTtlMs: 3 * SECOND_MS,
  /** Virtual ms the cluster may take to converge once faults stop. */
  settleMsMax: 180 * SECOND_MS,
  /** Changes per transaction written by the simulated components. */
  changesPerWrite: 200,
  /** Ticks given to the loops to stop at the end of a run. */
  stopFlushRounds: 50,
});

assert(LOOP_SIM_LIMITS.tickMs > 0 && LOOP_SIM_LIMITS.ticksPerStep > 0, 'time moves');
assert(LOOP_SIM_LIMITS.crashedNodesMaxFraction < 0.5, 'most nodes stay up');
assert(LOOP_SIM_LIMITS.reservationChoices.every((c) => c <= LOOP_SIM_LIMITS.nodeNanoCpus), 'a task fits a node');
