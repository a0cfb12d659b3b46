// One seed of the loop simulation: set up a cluster, run a phase of random faults (node
// crashes and recoveries, drains, containers killed, scaling, active loop replicas killed)
// checking the safety properties after every step, then stop the faults and require
// convergence within a bound of virtual time.
import { NodeSpec_Availability, NodeStatus_State, TaskState, type Service } from '@shoal/proto';
import { SeededRandom } from '@shoal/random';
import { LOOP_SIM_LIMITS } from '@shoal/limits';
import type { Violation } from './checker';
import { World, type LoopKind } from './world';

/** SimOptions size one run (defaults: LOOP_SIM_LIMITS). */
export interface SimOptions {
  readonly nodes?: number;
  readonly services?: number;
  readonly faultSteps?: number;
  /** Print each fault as it happens. */
  readonly verbose?: boolean;
}

/** SeedResult is the outcome of one seed. */
export interface SeedResult {
  readonly seed: number;
  readonly ok: boolean;
  readonly violations: readonly Violation[];
  readonly steps: number;
  readonly virtualMs: number;
  readonly tasks: number;
  readonly faults: Readonly<Record<string, number>>;
}

const L = LOOP_SIM_LIMITS;

/** step advances virtual time by one step in ticks, letting the loops work between ticks. */
async function step(world: World): Promise<void> {
  await world.advance(L.tickMs * L.ticksPerStep);
  world.checker.sync();
}

type Fault = (world: World, log: (what: string) => void) => Promise<boolean>;

function pick<T>(world: World, items: readonly T[]): T | undefined {
  return items.length === 0 ? undefined : items[world.random.int(0, items.length)];
}

const crashNode: Fault = async (world, log) => {
  if (world.crashed.size >= world.options.nodes * L.crashedNodesMaxFraction) return false;
  const node = pick(world, [...world.checker.nodes.values()].filter((n) => !world.crashed.has(n.id)));
  if (node === undefined) return false;
  world.crashed.add(node.id);
  await world.setNodeState(node.id, NodeStatus_State.DOWN);
  log(`node ${node.id} crashed`);
  return true;
};

/** recover brings a crashed node back: its agent reports its old tasks dead, then READY. */
async function recover(world: World, nodeId: string): Promise<void> {
  const stale = [...world.checker.tasks.values()].filter((t) => t.nodeId === nodeId &&
    (t.status?.state ?? 0) <= TaskState.RUNNING && (t.status?.state ?? 0) > 0);
  await world.write('dispatcher', stale.map((t) => world.report(t, TaskState.FAILED)));
  world.crashed.delete(nodeId);
  world.checker.sync();
  await world.setNodeState(nodeId, NodeStatus_State.READY);
}

const recoverNode: Fault = async (world, log) => {
  const nodeId = pick(world, [...world.crashed].sort());
  if (nodeId === undefined) return false;
  await recover(world, nodeId);
  log(`node ${nodeId} recovered`);
  return true;
};

const toggleDrain: Fault = async (world, log) => {
  const node = pick(world, [...world.checker.nodes.values()]);
  if (node === undefined) return false;
  const drained = node.spec?.availability === NodeSpec_Availability.DRAIN;
  await world.setAvailability(node.id, drained ? NodeSpec_Availability.ACTIVE : NodeSpec_Availability.DRAIN);
  log(`node ${node.id} ${drained ? 'activated' : 'drained'}`);
  return true;
};

const killContainer: Fault = async (world, log) => {
  const task = pick(world, [...world.checker.tasks.values()].filter((t) =>
    t.status?.state === TaskState.RUNNING && !world.crashed.has(t.nodeId)));
  if (task === undefined) return false;
  await world.write('dispatcher', [world.report(task, TaskState.FAILED)]);
  log(`container of task ${task.id} killed`);
  return true;
};

const scale: Fault = async (world, log) => {
  const service = pick(world, [...world.checker.services.values()]
    .filter((s) => s.spec?.mode?.$case === 'replicated'));
  const spec = service?.spec;
  if (service === undefined || spec === undefined) return false;
  const most = Math.floor((world.options.nodes * L.tasksPerNode) / world.options.services);
  const replicas = world.random.int(0, most + 1);
  const updated: Service = { ...service, spec: { ...spec, mode: { $case: 'replicated', replicated: { replicas } } } };
  await world.write('user', [{ action: 'update', kind: 'service', object: updated }]);
  log(`service ${spec.annotations?.name} scaled to ${replicas}`);
  return true;
};

const forceUpdate: Fault = async (world, log) => {
  // Replicated services only: the global one spans every node, and updating a thousand nodes
  // ten at a time would outlast the convergence bound.
  const service = pick(world, [...world.checker.services.values()].filter((s) => s.spec?.mode?.$case === 'replicated'));
  const spec = service?.spec;
  if (service === undefined || spec?.task === undefined) return false;
  const version = (service.specVersion?.index ?? 0) + 1;
  const updated: Service = { ...service, specVersion: { index: version },
    spec: { ...spec, task: { ...spec.task, forceUpdate: spec.task.forceUpdate + 1 } } };
  await world.write('user', [{ action: 'update', kind: 'service', object: updated }]);
  log(`service ${spec.annotations?.name} force-updated (spec version ${version})`);
  return true;
};

const killLoop: Fault = (world, log) => {
  const kind = pick<LoopKind>(world, ['orchestrator', 'allocator', 'scheduler']) as LoopKind;
  if (!world.killActive(kind)) return Promise.resolve(false);
  log(`active ${kind} replica killed`);
  return Promise.resolve(true);
};

/** The faults and their weights (relative odds per fault draw). */
const FAULTS: readonly (readonly [string, Fault, number])[] = [
  ['crashNode', crashNode, 4], ['recoverNode', recoverNode, 4], ['drain', toggleDrain, 2],
  ['killContainer', killContainer, 6], ['scale', scale, 3], ['killLoop', killLoop, 1],
  ['forceUpdate', forceUpdate, 1],
];

async function injectFault(world: World, counts: Record<string, number>, log: (w: string) => void):
  Promise<void> {
  const total = FAULTS.reduce((s, f) => s + f[2], 0);
  let draw = world.random.int(0, total);
  for (const [name, fault, weight] of FAULTS) {
    draw -= weight;
    if (draw >= 0) continue;
    if (await fault(world, log)) counts[name] = (counts[name] ?? 0) + 1;
    return;
  }
}

/** runSeed runs one seed to its verdict (never throws for a property violation). */
export async function runSeed(seed: number, options: SimOptions = {}): Promise<SeedResult> {
  const world = new World(new SeededRandom(seed), {
    nodes: options.nodes ?? L.nodesDefault, services: options.services ?? L.servicesDefault,
  });
  const faults: Record<string, number> = {};
  const log = (what: string): void => {
    if (options.verbose === true) console.log(`[${world.clock.now() - L.startMs} ms] ${what}`);
  };
  let steps = 0;
  const verdict = (violations: readonly Violation[]): SeedResult => ({
    seed, ok: violations.length === 0, violations, steps, virtualMs: world.clock.now() - L.startMs,
    tasks: world.checker.tasks.size, faults,
  });
  await world.setup();
  for (const faultSteps = options.faultSteps ?? L.faultStepsDefault; steps < faultSteps; steps++) {
    if (world.random.float() < L.faultProbabilityPerStep) await injectFault(world, faults, log);
    world.checker.sync();
    await world.runAgents(L.failStartProbability);
    await step(world);
    world.checker.check(world.crashed);
    if (world.checker.violations.length > 0) break;
  }
  if (world.checker.violations.length === 0) await settle(world, () => steps++, log);
  await world.stopAll();
  return verdict(world.checker.violations);
}

/** settle recovers every crashed node, then runs fault-free steps until convergence. */
async function settle(world: World, counted: () => void, log: (w: string) => void): Promise<void> {
  for (const nodeId of [...world.crashed].sort()) await recover(world, nodeId);
  log('faults stopped');
  const deadline = world.clock.now() + L.settleMsMax;
  let gap: string | undefined = 'not checked yet';
  while (world.clock.now() < deadline) {
    world.checker.sync();
    await world.runAgents(0);
    await step(world);
    counted();
    world.checker.check(world.crashed);
    if (world.checker.violations.length > 0) return;
    gap = world.checker.convergenceGap();
    if (gap === undefined) return;
    if ((world.clock.now() - L.startMs) % 5_000 < L.tickMs * L.ticksPerStep) log(`not converged yet: ${gap}`);
  }
  world.checker.violations.push({ property: 'not-converged', detail: `after ${L.settleMsMax} ms: ${gap}` });
}
