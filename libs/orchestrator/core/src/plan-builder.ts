import { assert } from '@shoal/assert';
import type { JobStatus, Task, TaskState, UpdateStatus } from '@shoal/proto';
import type { Action } from './actions';
import { metaVersion } from './task-facts';

interface ServiceStatusChange {
  readonly serviceId: string;
  readonly expectedVersion: number;
  updateStatus?: UpdateStatus | null;
  jobStatus?: JobStatus;
}

/**
 * PlanBuilder accumulates one planner pass: it keeps a working view of the tasks (stored ones
 * with the pass's changes applied, plus the ones it creates), so later steps of the same pass
 * see earlier decisions, and it turns that view into the final {@link Action} list.
 *
 * Contract: one action per touched task, in first-touch order (create, update or delete),
 * then at most one UpdateServiceStatus, then at most one RequeueAfter (the earliest).
 * Invariant: a task's desired state only increases; `raiseDesired` below the current value
 * is a no-op (SwarmKit logs "cannot update task … to an earlier desired state").
 */
export class PlanBuilder {
  private readonly tasks = new Map<string, Task>();
  private readonly original = new Map<string, Task>();
  private readonly touched: string[] = [];
  private readonly touchedSet = new Set<string>();
  private readonly created = new Set<string>();
  private readonly deleted = new Set<string>();
  private status: ServiceStatusChange | undefined;
  private requeueMs: number | undefined;

  /** Builds a pass over `tasks` whose timers requeue `key`; `nowMs` is the pass's clock. */
  constructor(
    readonly key: string,
    tasks: readonly Task[],
    readonly nowMs: number,
  ) {
    for (const t of tasks) {
      this.tasks.set(t.id, t);
      this.original.set(t.id, t);
    }
  }

  /** view returns the working tasks (not deleted), stored ones first, then created ones. */
  view(): Task[] {
    return [...this.tasks.values()];
  }

  /** get returns the working copy of a task, or undefined if unknown or deleted. */
  get(taskId: string): Task | undefined {
    return this.tasks.get(taskId);
  }

  /** isNew reports whether the task was created in this pass (it has no stored meta yet). */
  isNew(taskId: string): boolean {
    return this.created.has(taskId);
  }

  /** create adds a new task; its id must be fresh. */
  create(task: Task): void {
    assert(!this.tasks.has(task.id), 'created task id is fresh');
    assert(!this.original.has(task.id), 'created task id is not a stored task');
    this.tasks.set(task.id, task);
    this.created.add(task.id);
    this.touch(task.id);
  }

  /**
   * raiseDesired sets a task's desired state to `state` if that moves it forward; returns
   * whether it changed. Unknown (deleted) tasks are ignored.
   */
  raiseDesired(taskId: string, state: TaskState): boolean {
    const task = this.tasks.get(taskId);
    if (task === undefined || task.desiredState >= state) return false;
    this.tasks.set(taskId, { ...task, desiredState: state });
    this.touch(taskId);
    return true;
  }

  /** delete removes a task from the store (and from the working view). */
  delete(taskId: string): void {
    if (!this.tasks.has(taskId)) return;
    this.tasks.delete(taskId);
    this.deleted.add(taskId);
    this.touch(taskId);
  }

  /** setUpdateStatus records the service's new update status (`null` clears it). */
  setUpdateStatus(serviceId: string, expectedVersion: number, status: UpdateStatus | null): void {
    this.statusFor(serviceId, expectedVersion).updateStatus = status;
  }

  /** setJobStatus records the service's new job status. */
  setJobStatus(serviceId: string, expectedVersion: number, status: JobStatus): void {
    this.statusFor(serviceId, expectedVersion).jobStatus = status;
  }

  /** requeueAfter asks for another pass in `ms` (the earliest request wins; at least 1 ms). */
  requeueAfter(ms: number): void {
    assert(Number.isFinite(ms), 'requeue delay is finite');
    const wait = Math.max(1, Math.ceil(ms));
    if (this.requeueMs === undefined || wait < this.requeueMs) this.requeueMs = wait;
  }

  /** finish returns the pass's actions (see the class contract). */
  finish(): Action[] {
    const actions: Action[] = [];
    for (const id of this.touched) {
      const action = this.taskAction(id);
      if (action !== undefined) actions.push(action);
    }
    if (this.status !== undefined) actions.push({ type: 'UpdateServiceStatus', ...this.status });
    if (this.requeueMs !== undefined) {
      actions.push({ type: 'RequeueAfter', key: this.key, ms: this.requeueMs });
    }
    return actions;
  }

  private taskAction(id: string): Action | undefined {
    const created = this.created.has(id);
    const current = this.tasks.get(id);
    if (this.deleted.has(id)) {
      if (created) return undefined;
      const stored = this.original.get(id);
      assert(stored !== undefined, 'a deleted task was stored');
      return { type: 'DeleteTask', taskId: id, expectedVersion: metaVersion(stored) };
    }
    assert(current !== undefined, 'a touched task is in the view');
    if (created) return { type: 'CreateTask', task: current };
    const stored = this.original.get(id);
    assert(stored !== undefined, 'an updated task was stored');
    if (current.desiredState === stored.desiredState) return undefined;
    assert(current.desiredState > stored.desiredState, 'desired state only moves forward');
    return {
      type: 'UpdateTask',
      taskId: id,
      expectedVersion: metaVersion(stored),
      changes: { desiredState: current.desiredState },
    };
  }

  private touch(id: string): void {
    if (this.touchedSet.has(id)) return;
    this.touchedSet.add(id);
    this.touched.push(id);
  }

  private statusFor(serviceId: string, expectedVersion: number): ServiceStatusChange {
    if (this.status === undefined) this.status = { serviceId, expectedVersion };
    assert(this.status.serviceId === serviceId, 'one service status per pass');
    return this.status;
  }
}
