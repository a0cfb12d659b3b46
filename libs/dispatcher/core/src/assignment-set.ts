// What one node must run: its tasks (observed state ≥ ASSIGNED) and the secrets and configs
// they use, sent as one COMPLETE message and then INCREMENTAL changes chained by sequence
// numbers (SwarmKit `manager/dispatcher/assignments.go`). Pure: time is passed in.
import { assert } from '@shoal/assert';
import {
  AssignmentAction,
  AssignmentsType,
  Task,
  TaskState,
  observedTaskState,
  type AssignmentChange,
  type AssignmentsResponse,
  type Config,
  type Secret,
} from '@shoal/proto';

/** DependencySource looks up the secrets and configs tasks reference (an informer cache). */
export interface DependencySource {
  secret(id: string): Secret | undefined;
  config(id: string): Config | undefined;
}

/** AssignmentBatchLimits: quiet time and change count that send an INCREMENTAL message. */
export interface AssignmentBatchLimits {
  readonly assignmentBatchWaitMs: number;
  readonly assignmentBatchMaxChanges: number;
}

/** taskDependencies returns the secret and config IDs a task's container references. */
export function taskDependencies(task: Task): { secrets: string[]; configs: string[] } {
  const runtime = task.spec?.runtime;
  if (runtime?.$case !== 'container') return { secrets: [], configs: [] };
  return {
    secrets: runtime.container.secrets.map((s) => s.secretId).filter((id) => id !== ''),
    configs: runtime.container.configs.map((c) => c.configId).filter((id) => id !== ''),
  };
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * tasksEqualStable reports whether two versions of a task differ only in fields the agent
 * reports or the store stamps (`status`, `meta`), SwarmKit's `equality.TasksEqualStable`: such
 * an update is not re-sent to the agent.
 */
export function tasksEqualStable(a: Task, b: Task): boolean {
  const stable = (t: Task): Uint8Array => Task.encode({ ...t, meta: undefined, status: undefined }).finish();
  return bytesEqual(stable(a), stable(b));
}

type ItemKey = `task/${string}` | `secret/${string}` | `config/${string}`;

/**
 * AssignmentSet tracks what was sent to one node's Assignments stream. Contract:
 * - `complete(tasks)` is called once, first; it returns the COMPLETE message (applies_to 0,
 *   results_in 1) with every task at observed state ≥ ASSIGNED and the dependencies of those
 *   ≤ RUNNING;
 * - `updateTask` / `removeTask` queue changes; a task below ASSIGNED is never sent; an update
 *   of a task past ASSIGNED that changes only `status`/`meta` is not re-sent; dependencies are
 *   reference-counted, added with the first task ≤ RUNNING that uses them and removed when the
 *   last such task goes terminal or away; later changes to one item replace earlier ones;
 * - `due(now)` holds when changes wait and either ≥ max changes are queued or the last change
 *   is ≥ the batch wait old; `flush()` returns the INCREMENTAL message, whose applies_to is the
 *   previous results_in and results_in is one more.
 */
export class AssignmentSet {
  private readonly tasks = new Map<string, Task>();
  /** Dependency key → IDs of the tasks (≤ RUNNING) holding it. */
  private readonly users = new Map<ItemKey, Set<string>>();
  private readonly pending = new Map<ItemKey, AssignmentChange>();
  private sequence = 0;
  private lastChangeMs = 0;
  private started = false;

  constructor(
    readonly nodeId: string,
    private readonly deps: DependencySource,
    private readonly limits: AssignmentBatchLimits,
  ) {}

  /** resultsIn is the sequence number of the set the last message resulted in. */
  get resultsIn(): number {
    return this.sequence;
  }

  /** pendingChanges is how many changes wait for the next message. */
  get pendingChanges(): number {
    return this.pending.size;
  }

  /** complete returns the first message: the whole set built from `tasks`. */
  complete(tasks: readonly Task[], nowMs: number): AssignmentsResponse {
    assert(!this.started, 'complete is the first message of an assignment set');
    this.started = true;
    for (const task of tasks) this.updateTask(task, nowMs);
    const changes = [...this.pending.values()];
    this.pending.clear();
    this.sequence = 1;
    return { type: AssignmentsType.COMPLETE, appliesTo: 0, resultsIn: 1, changes };
  }

  /** updateTask applies a task's new version; returns whether a change was queued. */
  updateTask(task: Task, nowMs: number): boolean {
    if (task.nodeId !== this.nodeId) return this.removeTask(task.id, nowMs);
    const state = observedTaskState(task);
    if (state < TaskState.ASSIGNED) return false;
    const old = this.tasks.get(task.id);
    this.tasks.set(task.id, task);
    if (old !== undefined && state > TaskState.ASSIGNED && tasksEqualStable(old, task)) {
      if (state > TaskState.RUNNING) this.releaseDependencies(task, nowMs);
      return false;
    }
    if (state <= TaskState.RUNNING) this.holdDependencies(task, nowMs);
    else this.releaseDependencies(task, nowMs);
    this.queue(`task/${task.id}`, { assignment: { item: { $case: 'task', task } },
      action: AssignmentAction.UPDATE }, nowMs);
    return true;
  }

  /** removeTask drops a task (deleted or moved off the node); returns whether it was sent. */
  removeTask(taskId: string, nowMs: number): boolean {
    const old = this.tasks.get(taskId);
    if (old === undefined) return false;
    this.tasks.delete(taskId);
    this.releaseDependencies(old, nowMs);
    this.queue(`task/${taskId}`, { assignment: { item: { $case: 'task', task: Task.fromPartial({ id: taskId }) } },
      action: AssignmentAction.REMOVE }, nowMs);
    return true;
  }

  /** due reports whether an INCREMENTAL message should go out at `nowMs`. */
  due(nowMs: number): boolean {
    if (!this.started || this.pending.size === 0) return false;
    return this.pending.size >= this.limits.assignmentBatchMaxChanges ||
      nowMs - this.lastChangeMs >= this.limits.assignmentBatchWaitMs;
  }

  /** flush returns the queued changes as one INCREMENTAL message (undefined if none). */
  flush(): AssignmentsResponse | undefined {
    assert(this.started, 'the COMPLETE message goes first');
    if (this.pending.size === 0) return undefined;
    const changes = [...this.pending.values()];
    this.pending.clear();
    const appliesTo = this.sequence;
    this.sequence += 1;
    return { type: AssignmentsType.INCREMENTAL, appliesTo, resultsIn: this.sequence, changes };
  }

  private queue(key: ItemKey, change: AssignmentChange, nowMs: number): void {
    this.pending.set(key, change);
    this.lastChangeMs = nowMs;
  }

  private holdDependencies(task: Task, nowMs: number): void {
    const { secrets, configs } = taskDependencies(task);
    for (const id of secrets) this.hold(`secret/${id}`, task.id, nowMs);
    for (const id of configs) this.hold(`config/${id}`, task.id, nowMs);
  }

  private hold(key: ItemKey, taskId: string, nowMs: number): void {
    const users = this.users.get(key);
    if (users !== undefined) {
      users.add(taskId);
      return;
    }
    const item = this.dependency(key);
    if (item === undefined) return; // not in the store (yet): the agent fails the task
    this.users.set(key, new Set([taskId]));
    this.queue(key, { assignment: { item }, action: AssignmentAction.UPDATE }, nowMs);
  }

  private releaseDependencies(task: Task, nowMs: number): void {
    for (const [key, users] of this.users) {
      if (!users.delete(task.id) || users.size > 0) continue;
      this.users.delete(key);
      const item = key.startsWith('secret/')
        ? { $case: 'secret' as const, secret: { id: key.slice(7), internal: false } }
        : { $case: 'config' as const, config: { id: key.slice(7) } };
      this.queue(key, { assignment: { item }, action: AssignmentAction.REMOVE }, nowMs);
    }
  }

  private dependency(key: ItemKey): NonNullable<AssignmentChange['assignment']>['item'] {
    const id = key.slice(7);
    if (key.startsWith('secret/')) {
      const secret = this.deps.secret(id);
      return secret === undefined ? undefined : { $case: 'secret', secret };
    }
    const config = this.deps.config(id);
    return config === undefined ? undefined : { $case: 'config', config };
  }
}
