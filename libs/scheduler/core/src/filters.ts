import { assertNever } from '@shoal/assert';
import { Mount_Type, type PluginDescription, type Task } from '@shoal/proto';
import { constraintsMatchNode, parseConstraints, type Constraint } from './constraint';
import { failureKey } from './failures';
import { normalizeArchitecture, type NodeInfo } from './node-info';
import {
  taskHostPorts,
  taskReservations,
  unitsThatFit,
  type TaskReservations,
} from './resources';
import { isActiveDesiredState } from './scheduler-state';

/** FilterName names one filter of the pipeline. */
export type FilterName =
  | 'ready'
  | 'resources'
  | 'plugin'
  | 'constraints'
  | 'platform'
  | 'host-port'
  | 'max-replicas';

/** FILTER_ORDER is SwarmKit's `defaultFilters` order; a node fails at the first that refuses it. */
export const FILTER_ORDER: readonly FilterName[] = Object.freeze([
  'ready',
  'resources',
  'plugin',
  'constraints',
  'platform',
  'host-port',
  'max-replicas',
]);

/** PluginRequirements are the engine plug-ins a task needs (SwarmKit's PluginFilter). */
export interface PluginRequirements {
  readonly volumeDrivers: readonly string[];
  readonly networkDrivers: readonly string[];
  /** Log driver name; undefined when unset, "" or "none". */
  readonly logDriver: string | undefined;
}

/**
 * TaskRequirements is everything the filters and the ranking read from a task, derived once
 * per group (all tasks of one service spec version share them).
 */
export interface TaskRequirements {
  readonly serviceId: string;
  readonly failureKey: string;
  /** Desired state ≤ COMPLETE: placing the task adds to the node's active counts. */
  readonly active: boolean;
  readonly reservations: TaskReservations;
  /** Some reservation is non-zero (SwarmKit enables the ResourceFilter only then). */
  readonly resourcesEnabled: boolean;
  readonly plugins: PluginRequirements | undefined;
  /** Parsed constraints; undefined when none (or unparsable: SwarmKit then skips the filter). */
  readonly constraints: readonly Constraint[] | undefined;
  /** Normalised platforms; undefined when the task accepts any. */
  readonly platforms: ReadonlyArray<{ readonly os: string; readonly architecture: string }> | undefined;
  readonly hostPorts: readonly number[];
  /** Tasks of the service per node; 0 = no limit. */
  readonly maxReplicas: number;
  /** `spread_descriptor` of each placement preference, in precedence order. */
  readonly spreadDescriptors: readonly string[];
}

function pluginRequirements(task: Task): PluginRequirements | undefined {
  const container = task.spec?.runtime?.$case === 'container' ? task.spec.runtime.container : undefined;
  const volumeDrivers = (container?.mounts ?? [])
    .filter((m) => m.type === Mount_Type.VOLUME)
    .map((m) => m.volumeOptions?.driverConfig?.name ?? '')
    .filter((name) => name !== '' && name !== 'local');
  const networkDrivers = task.networks
    .map((n) => n.network?.driverState?.name ?? '')
    .filter((name) => name !== '');
  const logDriver = task.spec?.logDriver;
  const enabled = task.networks.length > 0 || logDriver !== undefined || volumeDrivers.length > 0;
  if (!enabled) return undefined;
  const logName = logDriver?.name ?? '';
  return {
    volumeDrivers,
    networkDrivers,
    logDriver: logName === '' || logName === 'none' ? undefined : logName,
  };
}

/** taskRequirements derives a task's {@link TaskRequirements}. */
export function taskRequirements(task: Task): TaskRequirements {
  const placement = task.spec?.placement;
  const reservations = taskReservations(task);
  const parsed = parseConstraints(placement?.constraints ?? []);
  const constraints = parsed.ok && parsed.constraints.length > 0 ? parsed.constraints : undefined;
  const platforms = placement !== undefined && placement.platforms.length > 0
    ? placement.platforms.map((p) => ({ os: p.os, architecture: normalizeArchitecture(p.architecture) }))
    : undefined;
  const spreadDescriptors: string[] = [];
  for (const preference of placement?.preferences ?? []) {
    if (preference.preference?.$case === 'spread') {
      spreadDescriptors.push(preference.preference.spread.spreadDescriptor);
    }
  }
  return {
    serviceId: task.serviceId,
    failureKey: failureKey(task),
    active: isActiveDesiredState(task.desiredState),
    reservations,
    resourcesEnabled: reservations.nanoCpus !== 0 || reservations.memoryBytes !== 0 ||
      reservations.generic.length > 0,
    plugins: pluginRequirements(task),
    constraints,
    platforms,
    hostPorts: taskHostPorts(task),
    maxReplicas: placement?.maxReplicas ?? 0,
    spreadDescriptors,
  };
}

/** Whether the plug-in is installed; `typeFound` says whether any plug-in of its type is. */
function pluginOnNode(type: string, name: string, plugins: readonly PluginDescription[]):
  { readonly typeFound: boolean; readonly exists: boolean } {
  let typeFound = false;
  for (const plugin of plugins) {
    if (plugin.type !== type) continue;
    typeFound = true;
    if (plugin.name === name || plugin.name === `${name}:latest`) return { typeFound, exists: true };
  }
  return { typeFound, exists: false };
}

function pluginsFit(required: PluginRequirements, info: NodeInfo): boolean {
  const engine = info.node.description?.engine;
  if (engine === undefined) return true; // Not an engine node: plug-ins are not checked.
  for (const name of required.volumeDrivers) {
    if (!pluginOnNode('Volume', name, engine.plugins).exists) return false;
  }
  for (const name of required.networkDrivers) {
    if (!pluginOnNode('Network', name, engine.plugins).exists) return false;
  }
  if (required.logDriver !== undefined) {
    // An engine that reports no log plug-ins at all is an older one: do not filter.
    const log = pluginOnNode('Log', required.logDriver, engine.plugins);
    if (log.typeFound && !log.exists) return false;
  }
  return true;
}

function resourcesFit(required: TaskReservations, info: NodeInfo): boolean {
  if (required.nanoCpus > info.availableNanoCpus()) return false;
  if (required.memoryBytes > info.availableMemoryBytes()) return false;
  for (const demand of required.generic) {
    if (demand.count > info.availableGeneric(demand.kind)) return false;
  }
  return true;
}

function platformFits(req: TaskRequirements, info: NodeInfo): boolean {
  if (req.platforms === undefined) return true;
  if (info.node.description?.platform === undefined) return false;
  for (const p of req.platforms) {
    const arch = p.architecture === '' || p.architecture === info.architecture;
    if (arch && (p.os === '' || p.os === info.os)) return true;
  }
  return false;
}

function hostPortsFree(req: TaskRequirements, info: NodeInfo): boolean {
  for (const port of req.hostPorts) if (info.hostPortUse.has(port)) return false;
  return true;
}

/** passesFilter runs one filter; a filter the task does not enable passes. */
export function passesFilter(name: FilterName, req: TaskRequirements, info: NodeInfo): boolean {
  switch (name) {
    case 'ready':
      return info.ready;
    case 'resources':
      return !req.resourcesEnabled || resourcesFit(req.reservations, info);
    case 'plugin':
      return req.plugins === undefined || pluginsFit(req.plugins, info);
    case 'constraints':
      return req.constraints === undefined || constraintsMatchNode(req.constraints, info.node, info.ip);
    case 'platform':
      return platformFits(req, info);
    case 'host-port':
      return hostPortsFree(req, info);
    case 'max-replicas':
      return req.maxReplicas === 0 || info.activeTasksOf(req.serviceId) < req.maxReplicas;
    default:
      return assertNever(name, 'filter');
  }
}

/**
 * firstFailingFilter runs the pipeline in {@link FILTER_ORDER} and returns the index of the
 * first filter that refuses the node, or -1 when the node can take the task.
 */
export function firstFailingFilter(req: TaskRequirements, info: NodeInfo): number {
  for (let i = 0; i < FILTER_ORDER.length; i++) {
    if (!passesFilter(FILTER_ORDER[i] as FilterName, req, info)) return i;
  }
  return -1;
}

/**
 * nodeCapacity returns how many more tasks with `req` the node can take before a filter that
 * placing tasks can change (resources, host ports, max replicas) refuses it, assuming the
 * node passes every filter now. Infinity when nothing bounds it.
 */
export function nodeCapacity(req: TaskRequirements, info: NodeInfo): number {
  let units = Infinity;
  if (req.resourcesEnabled) {
    const r = req.reservations;
    units = Math.min(units, unitsThatFit(info.availableNanoCpus(), r.nanoCpus));
    units = Math.min(units, unitsThatFit(info.availableMemoryBytes(), r.memoryBytes));
    for (const demand of r.generic) {
      units = Math.min(units, unitsThatFit(info.availableGeneric(demand.kind), demand.count));
    }
  }
  if (req.hostPorts.length > 0) units = Math.min(units, 1);
  if (req.maxReplicas > 0 && req.active) {
    units = Math.min(units, req.maxReplicas - info.activeTasksOf(req.serviceId));
  }
  return Math.max(0, units);
}
