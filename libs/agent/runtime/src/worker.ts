// Worker keeps one TaskManager per task assigned to this node (SwarmKit's agent/worker.go): it
// reattaches to the tasks in the local store at start, applies complete and incremental
// assignment sets, and forgets tasks once they are removed.
import type { AgentCoreLimits } from '@shoal/agent-core';
import { assert } from '@shoal/assert';
import type { Clock, Timers } from '@shoal/clock';
import type { Logger } from '@shoal/logging';
import { observedTaskStatus, TaskState, type Task, type TaskStatus } from '@shoal/proto';
import type { DependencyChange, DependencyStore } from './dependencies';
import type { Executor } from './executor';
import { TaskManager, type OperationObserver, type StatusReporter } from './task-manager';
import type { LocalTaskStore } from './task-store';

/** WorkerOptions configure a {@link Worker}. */
export interface WorkerOptions {
  readonly executor: Executor;
  readonly store: LocalTaskStore;
  readonly report: StatusReporter;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger?: Logger | undefined;
  readonly limits?: Partial<AgentCoreLimits> | undefined;
  /** Metrics: every controller operation's outcome and duration. */
  readonly observe?: OperationObserver | undefined;
  /** Where the secrets and configs of the assignments go (the executor reads them there). */
  readonly dependencies?: DependencyStore | undefined;
}

/** Worker runs the tasks assigned to this node. */
export class Worker {
  private readonly managers = new Map<string, TaskManager>();
  /** The managers' loops and their clean-up, awaited by close. */
  private readonly finishing = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: WorkerOptions) {}

  /**
   * init starts a manager for every task in the local store: running tasks are reattached
   * (their controller finds the container again), removed ones are forgotten.
   */
  async init(): Promise<void> {
    for (const record of this.options.store.list()) {
      if (record.removed) {
        await this.options.store.delete(record.task.id);
        continue;
      }
      this.launch(record.task, record.status, false);
    }
  }

  /**
   * assign applies a complete assignment set: new tasks start, known ones are updated, and tasks
   * not in the set are shut down and removed.
   */
  async assign(tasks: readonly Task[]): Promise<void> {
    const ids = new Set(tasks.map((t) => t.id));
    await this.update(tasks, [...this.managers.keys()].filter((id) => !ids.has(id)));
  }

  /**
   * update applies an incremental assignment change: upserts, then removals by id. New tasks
   * are saved together (one durable write for the whole set) before any of them starts.
   */
  async update(upserts: readonly Task[], removals: readonly string[]): Promise<void> {
    assert(!this.closed, 'the worker is open');
    // A task named twice in one change: the later copy is the newer one.
    const fresh = new Map<string, { task: Task; status: TaskStatus }>();
    for (const task of upserts) {
      const existing = this.managers.get(task.id);
      if (existing !== undefined) existing.update(task);
      else fresh.set(task.id, { task, status: initialStatus(task) });
    }
    await Promise.all([...fresh.values()].map(({ task, status }) => this.options.store.put({ task, status, removed: false })));
    for (const { task, status } of fresh.values()) {
      if (!this.managers.has(task.id)) this.launch(task, status, true);
    }
    for (const id of removals) this.managers.get(id)?.unassign();
  }

  /** dependencies takes the secrets and configs of an assignments message. */
  dependencies(complete: boolean, changes: readonly DependencyChange[]): void {
    this.options.dependencies?.apply(complete, changes);
  }

  /** statuses returns the current status of every task this worker runs. */
  statuses(): Map<string, TaskStatus> {
    return new Map([...this.managers].map(([id, m]) => [id, m.status]));
  }

  /** manager returns the manager of `taskId` (tests). */
  manager(taskId: string): TaskManager | undefined {
    return this.managers.get(taskId);
  }

  /** close stops every manager; the tasks themselves keep running for the next agent to reattach. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.managers.values()].map((m) => m.close()));
    await Promise.allSettled([...this.finishing]);
    this.managers.clear();
  }

  private launch(task: Task, status: TaskStatus, fresh: boolean): void {
    const { executor, store, report, clock, timers, logger, limits, observe } = this.options;
    const manager = new TaskManager({
      record: { task, status, removed: false },
      controller: executor.controller(task),
      store,
      report,
      clock,
      timers,
      logger,
      limits,
      observe,
    });
    this.managers.set(task.id, manager);
    logger?.info({ taskId: task.id, reattach: !fresh, state: TaskState[status.state] }, fresh ? 'task assigned' : 'task reattached');
    const finished = manager.start().then(
      async () => {
        if (!manager.removed || this.closed) return;
        try {
          await store.delete(task.id);
        } catch (err) {
          logger?.error({ taskId: task.id, err }, 'cannot forget a removed task in the local store');
        }
        if (this.managers.get(task.id) === manager) this.managers.delete(task.id);
      },
      (err: unknown) => {
        logger?.error({ taskId: task.id, err }, 'task manager crashed');
        throw err;
      },
    );
    this.finishing.add(finished);
    void finished.finally(() => this.finishing.delete(finished));
  }
}

/** initialStatus is the agent's starting status of a newly assigned task: its observed one. */
function initialStatus(task: Task): TaskStatus {
  return observedTaskStatus(task).status ?? { state: TaskState.NEW, message: '', err: '', appliedBy: '' };
}
