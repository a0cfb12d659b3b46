// A tiny simulated world for multi-pass planner tests: it applies a plan's actions the way the
// app shell would (store stamps meta.createdAt and versions, desired state only moves forward),
// and moves tasks along as the allocator, scheduler and agents would, one step per call.
import { TaskState, type Node, type Service, type Task, type TaskStatus } from '@shoal/proto';
import type { Action } from '../actions';
import { observedState } from '../task-facts';
import { T0 } from './fixtures';

/** World is the store-and-agents stand-in. Time is in ms since T0. */
export class World {
  readonly tasks = new Map<string, Task>();
  nowMs = T0;
  private version = 100;
  private rr = 0;
  readonly requeues: number[] = [];
  readonly services = new Map<string, Service>();

  constructor(public nodes: Node[], tasks: Task[] = []) {
    for (const t of tasks) this.tasks.set(t.id, t);
  }

  list(): Task[] {
    return [...this.tasks.values()];
  }

  /** apply applies actions like the shell's one transaction; asserts desired moves forward. */
  apply(actions: readonly Action[]): void {
    const v = ++this.version;
    for (const a of actions) {
      switch (a.type) {
        case 'CreateTask':
          if (this.tasks.has(a.task.id)) throw new Error(`duplicate ${a.task.id}`);
          this.tasks.set(a.task.id, { ...a.task, meta: { version: { index: v }, createdAt: new Date(this.nowMs) } });
          break;
        case 'UpdateTask': {
          const t = this.tasks.get(a.taskId);
          if (t === undefined) throw new Error(`missing ${a.taskId}`);
          const desired = a.changes.desiredState ?? t.desiredState;
          if (desired < t.desiredState) throw new Error(`desired went backwards on ${a.taskId}`);
          this.tasks.set(a.taskId, { ...t, desiredState: desired, meta: { ...t.meta, version: { index: v } } });
          break;
        }
        case 'DeleteTask':
          this.tasks.delete(a.taskId);
          break;
        case 'UpdateServiceStatus': {
          const s = this.services.get(a.serviceId);
          if (s === undefined) break;
          const next = { ...s };
          if (a.updateStatus !== undefined) next.updateStatus = a.updateStatus ?? undefined;
          if (a.jobStatus !== undefined) next.jobStatus = a.jobStatus;
          this.services.set(a.serviceId, next);
          break;
        }
        case 'RequeueAfter':
          this.requeues.push(a.ms);
          break;
      }
    }
  }

  /** set overwrites a task's agent status (observed state) at the current time. */
  observe(taskId: string, state: TaskState, nodeId?: string): void {
    const t = this.tasks.get(taskId);
    if (t === undefined) throw new Error(`missing ${taskId}`);
    if (state < observedState(t)) throw new Error(`observed went backwards on ${taskId}`);
    const status: TaskStatus = {
      timestamp: new Date(this.nowMs), state, message: '', err: '', appliedBy: 'm', appliedAt: new Date(this.nowMs),
    };
    this.tasks.set(taskId, { ...t, status, nodeId: nodeId ?? t.nodeId });
  }

  private readyNodes(): Node[] {
    return this.nodes.filter((n) => n.status?.state === 2 && n.spec?.availability === 0);
  }

  /**
   * step moves every task one hop: wanted tasks NEW → ASSIGNED (a node round-robin) →
   * RUNNING, held tasks stop at ASSIGNED, tasks asked to stop on live nodes → SHUTDOWN.
   */
  step(): void {
    for (const t of this.list()) {
      const observed = observedState(t);
      const node = this.nodes.find((n) => n.id === t.nodeId);
      const live = node !== undefined && node.status?.state !== 1;
      if (t.desiredState >= TaskState.SHUTDOWN) {
        if (observed <= TaskState.RUNNING && observed >= TaskState.ASSIGNED && live) this.observe(t.id, TaskState.SHUTDOWN);
        continue;
      }
      if (observed < TaskState.ASSIGNED) {
        const ready = this.readyNodes();
        const pick = t.nodeId !== '' ? this.nodes.find((n) => n.id === t.nodeId) : ready[this.rr++ % Math.max(1, ready.length)];
        if (pick !== undefined && ready.includes(pick)) this.observe(t.id, TaskState.ASSIGNED, pick.id);
        continue;
      }
      if (observed < TaskState.RUNNING && t.desiredState >= TaskState.RUNNING && live) this.observe(t.id, TaskState.RUNNING);
    }
  }
}
