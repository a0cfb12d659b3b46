import { assert } from '@shoal/assert';
import { NodeSpec_Availability, NodeStatus_State, type Node, type TaskState } from '@shoal/proto';
import { parseIp, type IpAddress } from './ip';
import type { GenericClaim, GenericDemand } from './resources';

/**
 * TrackedTask is what a node's accounting keeps of one task assigned to it: enough to release
 * its reservations and counts when it leaves. Invariant: `claim` was taken from this node.
 */
export interface TrackedTask {
  readonly taskId: string;
  readonly serviceId: string;
  /** `${serviceId}\0${specVersion}`: the key of the task's failures (see NodeInfo). */
  readonly failureKey: string;
  /** Desired state ≤ COMPLETE: counts as an active task (SwarmKit's ActiveTasksCount). */
  active: boolean;
  /** Last observed state seen by the scheduler (ASSIGNED for its own decisions). */
  state: TaskState;
  /** Placed by the orchestrator (global services); its failures do not mark the node. */
  readonly preassigned: boolean;
  readonly nanoCpus: number;
  readonly memoryBytes: number;
  readonly claim: GenericClaim;
  /** Host-mode published ports, encoded as `protocol × 65536 + port`. */
  readonly hostPorts: readonly number[];
}

function bump<K>(map: Map<K, number>, key: K, delta: number): void {
  const next = (map.get(key) ?? 0) + delta;
  if (next === 0) map.delete(key);
  else map.set(key, next);
}

/** Normalises SwarmKit's architecture aliases (x86_64 → amd64, aarch64 → arm64). */
export function normalizeArchitecture(architecture: string): string {
  if (architecture === 'x86_64') return 'amd64';
  if (architecture === 'aarch64') return 'arm64';
  return architecture;
}

/**
 * NodeInfo is the scheduler's view of one node: the node object plus the accounting of the
 * tasks assigned to it (SwarmKit's NodeInfo). Every mutation is O(1) in the number of nodes and
 * O(size of the task's reservation) otherwise; `setNode` is O(generic resource kinds) unless
 * the node offers named generic resources, which it re-derives from the tracked tasks.
 *
 * Invariant: reserved* and the generic maps equal the sums over `tasks`; activeTasksCount and
 * activeTasksByService count the tracked tasks with `active` set.
 */
export class NodeInfo {
  readonly id: string;
  node: Node;
  /** `meta.version.index` of `node`: the commit re-checks it (stale node → requeue). */
  version = 0;
  /** Status READY and availability ACTIVE (SwarmKit's ReadyFilter). */
  ready = false;
  /** `status.addr` parsed; undefined when it is not an IP address. */
  ip: IpAddress | undefined = undefined;
  /** Normalised `description.platform`. */
  os = '';
  architecture = '';
  /** Position of `id` in code-unit order among all nodes: the ranking's last tie-break. */
  ordinal = 0;

  totalNanoCpus = 0;
  totalMemoryBytes = 0;
  reservedNanoCpus = 0;
  reservedMemoryBytes = 0;
  readonly discreteTotal = new Map<string, number>();
  readonly discreteReserved = new Map<string, number>();
  /** Named units the node offers, per kind, in the node's order. */
  readonly namedTotal = new Map<string, readonly string[]>();
  /** Named units no tracked task holds, per kind (claims take from the front). */
  readonly namedFree = new Map<string, Set<string>>();

  activeTasksCount = 0;
  readonly activeTasksByService = new Map<string, number>();
  /** Host-mode ports in use, by encoded port, with how many tracked tasks publish each. */
  readonly hostPortUse = new Map<number, number>();
  readonly tasks = new Map<string, TrackedTask>();
  /** Failure timestamps (ms, ascending) per failure key, newest kept (see limits). */
  readonly failures = new Map<string, number[]>();
  lastFailureCleanupMs = 0;

  constructor(node: Node) {
    this.id = node.id;
    this.node = node;
    this.setNode(node);
  }

  /** setNode replaces the node object (same id) and re-derives everything it determines. */
  setNode(node: Node): void {
    assert(node.id === this.id, 'setNode keeps the node id');
    this.node = node;
    this.version = node.meta?.version?.index ?? 0;
    const availability = node.spec?.availability ?? NodeSpec_Availability.ACTIVE;
    this.ready = node.status?.state === NodeStatus_State.READY &&
      availability === NodeSpec_Availability.ACTIVE;
    this.ip = parseIp(node.status?.addr ?? '');
    this.os = node.description?.platform?.os ?? '';
    this.architecture = normalizeArchitecture(node.description?.platform?.architecture ?? '');
    const resources = node.description?.resources;
    this.totalNanoCpus = resources?.nanoCpus ?? 0;
    this.totalMemoryBytes = resources?.memoryBytes ?? 0;
    this.discreteTotal.clear();
    const named = new Map<string, string[]>();
    for (const generic of resources?.generic ?? []) {
      const r = generic.resource;
      if (r === undefined) continue;
      if (r.$case === 'discreteResourceSpec') {
        bump(this.discreteTotal, r.discreteResourceSpec.kind, r.discreteResourceSpec.value);
      } else {
        const values = named.get(r.namedResourceSpec.kind) ?? [];
        values.push(r.namedResourceSpec.value);
        named.set(r.namedResourceSpec.kind, values);
      }
    }
    if (named.size > 0 || this.namedTotal.size > 0) this.rebuildNamed(named);
  }

  private rebuildNamed(named: Map<string, readonly string[]>): void {
    this.namedTotal.clear();
    this.namedFree.clear();
    for (const [kind, values] of named) {
      this.namedTotal.set(kind, values);
      this.namedFree.set(kind, new Set(values));
    }
    for (const task of this.tasks.values()) {
      for (const [kind, value] of task.claim.named) this.namedFree.get(kind)?.delete(value);
    }
  }

  /** availableNanoCpus is the node's CPU minus the reservations of its tracked tasks. */
  availableNanoCpus(): number {
    return this.totalNanoCpus - this.reservedNanoCpus;
  }

  /** availableMemoryBytes is the node's memory minus the reservations of its tracked tasks. */
  availableMemoryBytes(): number {
    return this.totalMemoryBytes - this.reservedMemoryBytes;
  }

  /** availableGeneric is the units of `kind` not held by a tracked task: free named + discrete. */
  availableGeneric(kind: string): number {
    const discrete = (this.discreteTotal.get(kind) ?? 0) - (this.discreteReserved.get(kind) ?? 0);
    return (this.namedFree.get(kind)?.size ?? 0) + discrete;
  }

  /** activeTasksOf returns how many active tasks of `serviceId` the node runs. */
  activeTasksOf(serviceId: string): number {
    return this.activeTasksByService.get(serviceId) ?? 0;
  }

  /**
   * claimGeneric picks units for `demands`: named units first (in the node's order), then
   * discrete ones. The caller checked that they fit (availableGeneric ≥ count per kind).
   */
  claimGeneric(demands: readonly GenericDemand[]): GenericClaim {
    const named: Array<readonly [string, string]> = [];
    const discrete: Array<readonly [string, number]> = [];
    for (const { kind, count } of demands) {
      let left = count;
      for (const value of this.namedFree.get(kind) ?? []) {
        if (left === 0) break;
        named.push([kind, value]);
        left--;
      }
      if (left > 0) discrete.push([kind, left]);
    }
    return { named, discrete };
  }

  /** addTask starts accounting for a task (the caller made sure it is not tracked yet). */
  addTask(task: TrackedTask): void {
    assert(!this.tasks.has(task.taskId), 'addTask: task not tracked on the node yet');
    this.tasks.set(task.taskId, task);
    this.reservedNanoCpus += task.nanoCpus;
    this.reservedMemoryBytes += task.memoryBytes;
    for (const [kind, value] of task.claim.named) this.namedFree.get(kind)?.delete(value);
    for (const [kind, count] of task.claim.discrete) bump(this.discreteReserved, kind, count);
    for (const port of task.hostPorts) bump(this.hostPortUse, port, 1);
    if (task.active) this.countActive(task.serviceId, 1);
  }

  /** removeTask stops accounting for a tracked task and returns it (undefined if unknown). */
  removeTask(taskId: string): TrackedTask | undefined {
    const task = this.tasks.get(taskId);
    if (task === undefined) return undefined;
    this.tasks.delete(taskId);
    this.reservedNanoCpus -= task.nanoCpus;
    this.reservedMemoryBytes -= task.memoryBytes;
    for (const [kind, value] of task.claim.named) {
      if (this.namedTotal.get(kind)?.includes(value) === true) this.namedFree.get(kind)?.add(value);
    }
    for (const [kind, count] of task.claim.discrete) bump(this.discreteReserved, kind, -count);
    for (const port of task.hostPorts) bump(this.hostPortUse, port, -1);
    if (task.active) this.countActive(task.serviceId, -1);
    return task;
  }

  /** setTaskActive moves a tracked task in or out of the active counts. */
  setTaskActive(task: TrackedTask, active: boolean): void {
    if (task.active === active) return;
    task.active = active;
    this.countActive(task.serviceId, active ? 1 : -1);
  }

  private countActive(serviceId: string, delta: number): void {
    this.activeTasksCount += delta;
    bump(this.activeTasksByService, serviceId, delta);
    assert(this.activeTasksCount >= 0, 'active task count stays non-negative');
  }
}
