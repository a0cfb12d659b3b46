// TaskManager drives one task: it calls the core's step function, performs the operation it
// asks for through the task's controller, persists and reports every new status, and steps
// again; task updates wake it and cancel an operation in flight (SwarmKit's agent/task.go).
import { step, type AgentCoreLimits, type LastOperation } from '@shoal/agent-core';
import { assert } from '@shoal/assert';
import type { Clock, TimerHandle, Timers } from '@shoal/clock';
import type { Logger } from '@shoal/logging';
import { TaskState, type Task, type TaskStatus } from '@shoal/proto';
import { runOperation, type TaskController } from './executor';
import type { LocalTaskStore, TaskRecord } from './task-store';

/** StatusReporter receives every new status of a task, after it is persisted. */
export type StatusReporter = (taskId: string, status: TaskStatus) => void;

/** OperationObserver hears each controller operation: its name, outcome kind and duration. */
export type OperationObserver = (operation: string, outcome: string, durationMs: number) => void;

/** TaskManagerOptions configure a {@link TaskManager}. */
export interface TaskManagerOptions {
  /** The task and its last known status (a fresh task: `status.state` as assigned, e.g. ASSIGNED). */
  readonly record: TaskRecord;
  readonly controller: TaskController;
  readonly store: LocalTaskStore;
  readonly report: StatusReporter;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger?: Logger | undefined;
  /** Overrides of the core's retry and health-poll delays (tests shorten them). */
  readonly limits?: Partial<AgentCoreLimits> | undefined;
  /** Metrics: called after every operation that was not cancelled. */
  readonly observe?: OperationObserver | undefined;
}

/** TaskManager runs the controller state machine of one task until it is removed or closed. */
export class TaskManager {
  private task: Task;
  private current: TaskStatus;
  private removedFlag: boolean;
  /** Whether the task is no longer assigned to this node (treated as desired REMOVE). */
  private unassigned = false;
  private closed = false;
  private inflight: AbortController | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: TaskManagerOptions) {
    this.task = options.record.task;
    this.current = options.record.status;
    this.removedFlag = options.record.removed;
  }

  /** The task's id. */
  get id(): string {
    return this.task.id;
  }

  /** The task's current status. */
  get status(): TaskStatus {
    return this.current;
  }

  /** Whether the task's runtime resources are removed (the manager has then finished). */
  get removed(): boolean {
    return this.removedFlag;
  }

  /** start begins driving the task; `done` resolves when it is removed or the manager closed. */
  start(): Promise<void> {
    assert(this.loop === undefined, 'a task manager starts once');
    this.loop = this.run();
    return this.loop;
  }

  /** done resolves when the loop ends (task removed, or manager closed). */
  get done(): Promise<void> {
    assert(this.loop !== undefined, 'the task manager was started');
    return this.loop;
  }

  /**
   * update takes a newer copy of the task from the dispatcher. A lower desired state is ignored
   * (SwarmKit); a higher one cancels the operation in flight so the manager acts on it at once.
   */
  update(task: Task): void {
    assert(task.id === this.task.id, 'an update is for the same task');
    if (task.desiredState < this.task.desiredState) {
      this.options.logger?.debug({ taskId: task.id }, 'ignoring a task update with a lower desired state');
      return;
    }
    const raised = task.desiredState > this.task.desiredState;
    this.task = task;
    if (raised) this.interrupt();
  }

  /** unassign marks the task as no longer assigned here: it is shut down and removed. */
  unassign(): void {
    if (this.unassigned) return;
    this.unassigned = true;
    this.interrupt();
  }

  /** close stops driving the task and cancels the operation in flight; the task itself keeps running. */
  async close(): Promise<void> {
    this.closed = true;
    this.interrupt();
    await this.loop;
  }

  private interrupt(): void {
    this.inflight?.abort();
    this.wake?.();
  }

  private desiredState(): TaskState {
    return this.unassigned ? TaskState.REMOVE : this.task.desiredState;
  }

  private async run(): Promise<void> {
    const { clock, controller, store, report, logger, limits } = this.options;
    let last: LastOperation | undefined;
    let retries = 0;
    while (!this.closed) {
      const result = step({
        desiredState: this.desiredState(),
        status: this.current,
        last,
        removed: this.removedFlag,
        retries,
        now: new Date(clock.now()),
        limits,
      });
      last = undefined;
      retries = result.retries;
      const removedNow = result.removed && !this.removedFlag;
      this.removedFlag = result.removed;
      if (result.changed || removedNow) {
        // Persist first: `status` and the report only ever show what the store holds.
        await store.put({ task: this.task, status: result.status, removed: this.removedFlag });
        this.current = result.status;
        if (result.changed) {
          logger?.info({ taskId: this.task.id, state: TaskState[this.current.state], err: this.current.err || undefined }, 'task state');
          report(this.task.id, this.current);
        }
      }
      if (this.removedFlag && this.desiredState() >= TaskState.REMOVE) return;
      if (result.operation === undefined) {
        if (!result.idle) continue;
        await this.sleep(undefined);
        continue;
      }
      if (result.delayMs > 0) {
        const woken = await this.sleep(result.delayMs);
        if (woken) {
          // An update or close arrived: re-plan from the current status.
          retries = 0;
          continue;
        }
      }
      if (this.closed) return;
      const abort = new AbortController();
      this.inflight = abort;
      const began = clock.now();
      const outcome = await runOperation(controller, result.operation, abort.signal);
      this.inflight = undefined;
      if (abort.signal.aborted) continue; // cancelled by an update: its outcome is stale
      this.options.observe?.(result.operation, outcome.kind, clock.now() - began);
      if (outcome.kind === 'temporary' || outcome.kind === 'fatal') {
        logger?.warn({ taskId: this.task.id, operation: result.operation, outcome: outcome.kind, err: outcome.error }, 'task operation failed');
      }
      last = { operation: result.operation, outcome };
    }
  }

  /** sleep waits `ms` (forever when undefined) or until woken; resolves true when woken. */
  private sleep(ms: number | undefined): Promise<boolean> {
    if (this.closed) return Promise.resolve(true);
    const { timers } = this.options;
    return new Promise<boolean>((resolve) => {
      let handle: TimerHandle | undefined;
      this.wake = () => {
        this.wake = undefined;
        if (handle !== undefined) timers.clearTimeout(handle);
        resolve(true);
      };
      if (ms !== undefined) {
        handle = timers.setTimeout(() => {
          this.wake = undefined;
          resolve(false);
        }, ms);
      }
    });
  }
}
