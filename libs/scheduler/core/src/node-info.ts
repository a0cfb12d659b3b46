import { assert } from '@shoal/assert';
import { NodeSpec_Availability, NodeStatus_State, type Node, type TaskState } from '@shoal/proto';
import { parseIp, type IpAddress } from './ip';
import { EMPTY_CLAIM, type GenericClaim, type GenericDemand } from './resources';

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

const EMPTY_MAP: ReadonlyMap<never, never> = new Map<never, never>();

function bump<K>(map: Map<K, number>, key: K, delta: number): void {
  const next = (map.get(key) ?? 0) + delta;
  if (next === 0) map.delete(key);
  else map.set(key, next);
}

/** normalizeArchitecture maps SwarmKit's architecture aliases: x86_64 → amd64, aarch64 → arm64. */
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
  private addr = '';
  /** `addr` parsed, or null before the first `ip` read (most nodes are never asked). */
  private parsedIp: IpAddress | undefined | null = null;
  /** Normalised `description.platform`. */
  os = '';
  architecture = '';
  /** Position of `id` in code-unit order among all nodes: the ranking's last tie-break. */
  ordinal = 0;

  totalNanoCpus = 0;
  totalMemoryBytes = 0;
  reservedNanoCpus = 0;
  reservedMemoryBytes = 0;
  activeTasksCount = 0;
  lastFailureCleanupMs = 0;

  // The maps below are created on first write: most nodes never need most of them, and a
  // Map costs more to create than the rest of a NodeInfo (100k nodes in the benchmark).
  private discreteTotalMap: Map<string, number> | undefined = undefined;
  private discreteReservedMap: Map<string, number> | undefined = undefined;
  private namedTotalMap: Map<string, readonly string[]> | undefined = undefined;
  private namedFreeMap: Map<string, Set<string>> | undefined = undefined;
  private activeByServiceMap: Map<string, number> | undefined = undefined;
  private hostPortMap: Map<number, number> | undefined = undefined;
  private taskMap: Map<string, TrackedTask> | undefined = undefined;
  private failureMap: Map<string, number[]> | undefined = undefined;

  /** Active tasks per service id (only services with at least one). */
  get activeTasksByService(): ReadonlyMap<string, number> {
    return this.activeByServiceMap ?? EMPTY_MAP;
  }

  /** Host-mode ports in use, by encoded port, with how many tracked tasks publish each. */
  get hostPortUse(): ReadonlyMap<number, number> {
    return this.hostPortMap ?? EMPTY_MAP;
  }

  /** The tasks accounted on this node, by task id. */
  get tasks(): ReadonlyMap<string, TrackedTask> {
    return this.taskMap ?? EMPTY_MAP;
  }

  /** Named units no tracked task holds, per kind (claims take from the front). */
  get namedFree(): ReadonlyMap<string, ReadonlySet<string>> {
    return this.namedFreeMap ?? EMPTY_MAP;
  }

  /**
   * failures holds failure timestamps (ms, ascending) per failure key, newest kept (see
   * limits). `failureLog` returns the writable map for failures.ts, creating it.
   */
  get failures(): ReadonlyMap<string, readonly number[]> {
    return this.failureMap ?? EMPTY_MAP;
  }

  /** failureLog returns the writable failure map (for failures.ts only). */
  failureLog(): Map<string, number[]> {
    this.failureMap ??= new Map();
    return this.failureMap;
  }

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
    const addr = node.status?.addr ?? '';
    if (addr !== this.addr) {
      this.addr = addr;
      this.parsedIp = null;
    }
    this.os = node.description?.platform?.os ?? '';
    this.architecture = normalizeArchitecture(node.description?.platform?.architecture ?? '');
    const resources = node.description?.resources;
    this.totalNanoCpus = resources?.nanoCpus ?? 0;
    this.totalMemoryBytes = resources?.memoryBytes ?? 0;
    this.discreteTotalMap?.clear();
    const named = new Map<string, string[]>();
    for (const generic of resources?.generic ?? []) {
      const r = generic.resource;
      if (r === undefined) continue;
      if (r.$case === 'discreteResourceSpec') {
        this.discreteTotalMap ??= new Map();
        bump(this.discreteTotalMap, r.discreteResourceSpec.kind, r.discreteResourceSpec.value);
      } else {
        const values = named.get(r.namedResourceSpec.kind) ?? [];
        values.push(r.namedResourceSpec.value);
        named.set(r.namedResourceSpec.kind, values);
      }
    }
    if (named.size > 0 || this.namedTotalMap !== undefined) this.rebuildNamed(named);
  }

  private rebuildNamed(named: Map<string, readonly string[]>): void {
    const total = new Map<string, readonly string[]>();
    const free = new Map<string, Set<string>>();
    for (const [kind, values] of named) {
      total.set(kind, values);
      free.set(kind, new Set(values));
    }
    for (const task of this.tasks.values()) {
      for (const [kind, value] of task.claim.named) free.get(kind)?.delete(value);
    }
    this.namedTotalMap = total;
    this.namedFreeMap = free;
  }

  /** ip is `status.addr` parsed; undefined when it is not an IP address. */
  get ip(): IpAddress | undefined {
    if (this.parsedIp === null) this.parsedIp = parseIp(this.addr);
    return this.parsedIp;
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
    const total = this.discreteTotalMap?.get(kind) ?? 0;
    const discrete = total - (this.discreteReservedMap?.get(kind) ?? 0);
    return (this.namedFreeMap?.get(kind)?.size ?? 0) + discrete;
  }

  /** activeTasksOf returns how many active tasks of `serviceId` the node runs. */
  activeTasksOf(serviceId: string): number {
    return this.activeByServiceMap?.get(serviceId) ?? 0;
  }

  /**
   * claimGeneric picks units for `demands`: named units first (in the node's order), then
   * discrete ones. The caller checked that they fit (availableGeneric ≥ count per kind).
   */
  claimGeneric(demands: readonly GenericDemand[]): GenericClaim {
    if (demands.length === 0) return EMPTY_CLAIM;
    const named: Array<readonly [string, string]> = [];
    const discrete: Array<readonly [string, number]> = [];
    for (const { kind, count } of demands) {
      let left = count;
      for (const value of this.namedFreeMap?.get(kind) ?? []) {
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
    this.taskMap ??= new Map();
    assert(!this.taskMap.has(task.taskId), 'addTask: task not tracked on the node yet');
    this.taskMap.set(task.taskId, task);
    this.reservedNanoCpus += task.nanoCpus;
    this.reservedMemoryBytes += task.memoryBytes;
    for (const [kind, value] of task.claim.named) this.namedFreeMap?.get(kind)?.delete(value);
    for (const [kind, count] of task.claim.discrete) {
      this.discreteReservedMap ??= new Map();
      bump(this.discreteReservedMap, kind, count);
    }
    for (const port of task.hostPorts) {
      this.hostPortMap ??= new Map();
      bump(this.hostPortMap, port, 1);
    }
    if (task.active) this.countActive(task.serviceId, 1);
  }

  /** removeTask stops accounting for a tracked task and returns it (undefined if unknown). */
  removeTask(taskId: string): TrackedTask | undefined {
    const task = this.taskMap?.get(taskId);
    if (task === undefined) return undefined;
    this.taskMap?.delete(taskId);
    this.reservedNanoCpus -= task.nanoCpus;
    this.reservedMemoryBytes -= task.memoryBytes;
    for (const [kind, value] of task.claim.named) {
      if (this.namedTotalMap?.get(kind)?.includes(value) === true) {
        this.namedFreeMap?.get(kind)?.add(value);
      }
    }
    for (const [kind, count] of task.claim.discrete) {
      if (this.discreteReservedMap !== undefined) bump(this.discreteReservedMap, kind, -count);
    }
    for (const port of task.hostPorts) {
      if (this.hostPortMap !== undefined) bump(this.hostPortMap, port, -1);
    }
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
    this.activeByServiceMap ??= new Map();
    bump(this.activeByServiceMap, serviceId, delta);
    assert(this.activeTasksCount >= 0, 'active task count stays non-negative');
  }
}
