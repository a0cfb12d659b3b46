// The simulation's judge: a mirror of the store fed by its own watch, in commit order, and
// the safety properties checked against it after every step (and, for assignments, at the
// very transaction that made them).
import {
  NodeSpec_Availability,
  NodeStatus_State,
  observedTaskState,
  TaskState,
  type Node,
  type Service,
  type Task,
} from '@shoal/proto';
import type { MemoryStore, StoreEvent, Watcher } from '@shoal/store';

/** Violation is one broken property, with enough context to debug it from a replay. */
export interface Violation {
  readonly property: 'slot-runs-twice' | 'assigned-to-unavailable-node' | 'node-over-reserved' |
    'not-converged';
  readonly detail: string;
}

function reservedCpu(task: Task): number {
  return task.spec?.resources?.reservations?.nanoCpus ?? 0;
}

/** isAvailable: the scheduler may place new tasks on the node (READY and ACTIVE). */
export function isAvailable(node: Node | undefined): boolean {
  return node !== undefined && node.status?.state === NodeStatus_State.READY &&
    node.spec?.availability === NodeSpec_Availability.ACTIVE;
}

/** slotKey names a task's slot: service and slot, or service and node for global services. */
export function slotKey(task: Task): string {
  return task.slot === 0 ? `${task.serviceId}/node:${task.nodeId}` : `${task.serviceId}/${task.slot}`;
}

/**
 * Checker mirrors nodes, services and tasks. Contract: call `sync()` after every step; it
 * applies the store's new transactions in order and records assignment violations as they
 * happen; `check(crashed)` then checks the step's state.
 */
export class Checker {
  readonly nodes = new Map<string, Node>();
  readonly services = new Map<string, Service>();
  readonly tasks = new Map<string, Task>();
  readonly violations: Violation[] = [];
  /** Every task ever seen with desired REMOVE, as first seen so (scenario tests). */
  readonly removed = new Map<string, Task>();
  private readonly watcher: Watcher;

  /** The constructor opens a watch from the store's current (empty) version. */
  constructor(store: MemoryStore) {
    this.watcher = store.watch({ fromVersion: store.version(), bufferEvents: 1_000_000 });
  }

  /** sync applies every transaction committed since the last sync. */
  sync(): void {
    for (const m of this.watcher.poll()) {
      if (m.type === 'closed') throw new Error(`the checker's watch closed: ${m.error.message}`);
      if (m.type === 'transaction') for (const e of m.events) this.apply(e);
    }
  }

  private apply(e: StoreEvent): void {
    if (e.kind === 'node') {
      if (e.action === 'delete') this.nodes.delete(e.object.id);
      else this.nodes.set(e.object.id, e.object);
    } else if (e.kind === 'service') {
      if (e.action === 'delete') this.services.delete(e.object.id);
      else this.services.set(e.object.id, e.object);
    } else if (e.kind === 'task') {
      if (e.action === 'delete') {
        this.tasks.delete(e.object.id);
        return;
      }
      const old = e.oldObject as Task | undefined;
      const task = e.object;
      const assignedNow = task.schedulerStatus?.state === TaskState.ASSIGNED &&
        old?.schedulerStatus?.state !== TaskState.ASSIGNED;
      if (assignedNow && !isAvailable(this.nodes.get(task.nodeId))) {
        const node = this.nodes.get(task.nodeId);
        this.violations.push({ property: 'assigned-to-unavailable-node', detail:
          `task ${task.id} (${slotKey(task)}) assigned to node ${task.nodeId} in state ` +
          `${node?.status?.state} availability ${node?.spec?.availability}` });
      }
      this.tasks.set(task.id, task);
      if (task.desiredState === TaskState.REMOVE && !this.removed.has(task.id)) this.removed.set(task.id, task);
    }
  }

  /**
   * check records this step's violations: a slot with two tasks running on live nodes, and a
   * node whose active tasks reserve more CPU than it has. `crashed` are nodes whose
   * containers are gone (their last reports are stale).
   */
  check(crashed: ReadonlySet<string>): void {
    const running = new Map<string, string>();
    const reserved = new Map<string, number>();
    for (const t of this.tasks.values()) {
      const observed = observedTaskState(t);
      if (t.nodeId !== '' && observed >= TaskState.ASSIGNED && observed <= TaskState.RUNNING) {
        reserved.set(t.nodeId, (reserved.get(t.nodeId) ?? 0) + reservedCpu(t));
      }
      if (t.status?.state !== TaskState.RUNNING || crashed.has(t.nodeId)) continue;
      const key = slotKey(t);
      const other = running.get(key);
      if (other !== undefined) {
        this.violations.push({ property: 'slot-runs-twice', detail: `slot ${key}: tasks ` +
          `${this.describe(other)} and ${this.describe(t.id)}` });
      }
      running.set(key, t.id);
    }
    for (const [nodeId, cpu] of reserved) {
      const capacity = this.nodes.get(nodeId)?.description?.resources?.nanoCpus ?? 0;
      if (cpu > capacity) {
        this.violations.push({ property: 'node-over-reserved', detail: `node ${nodeId}: ${cpu} > ${capacity}` });
      }
    }
  }

  /** describe summarises a task for a violation report. */
  describe(taskId: string): string {
    const t = this.tasks.get(taskId);
    if (t === undefined) return `${taskId} (gone)`;
    return `${t.id} (desired ${TaskState[t.desiredState]}, observed ${TaskState[observedTaskState(t)]}, ` +
      `node ${t.nodeId}, created ${t.meta?.createdAt?.toISOString()}, spec version ${t.specVersion?.index})`;
  }

  /**
   * convergenceGap describes how far the store is from the services' specs, or undefined
   * when every replicated service runs exactly `replicas` tasks in distinct slots on available
   * nodes, every global service one task per available node, and nothing else is runnable.
   */
  convergenceGap(): string | undefined {
    const available = [...this.nodes.values()].filter(isAvailable);
    for (const service of this.services.values()) {
      const mode = service.spec?.mode;
      const tasks = [...this.tasks.values()].filter((t) => t.serviceId === service.id);
      const runnable = tasks.filter((t) => t.desiredState <= TaskState.RUNNING);
      const good = runnable.filter((t) => t.desiredState === TaskState.RUNNING &&
        t.status?.state === TaskState.RUNNING && isAvailable(this.nodes.get(t.nodeId)));
      const want = mode?.$case === 'replicated' ? mode.replicated.replicas : available.length;
      const distinct = new Set(good.map(slotKey)).size;
      if (runnable.length !== want || good.length !== want || distinct !== want) {
        return `service ${service.spec?.annotations?.name}: want ${want}, runnable ${runnable.length}, ` +
          `running ${good.length} in ${distinct} slots`;
      }
    }
    return undefined;
  }
}
