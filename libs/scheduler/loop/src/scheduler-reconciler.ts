// The scheduler inside the loop shell: SchedulerState fed by the informer, one schedule()
// pass over every pending task per batch, decisions committed through the one transaction
// site, failures rolled back and retried, unschedulable tasks explained (docs/design/scheduler.md).
import { assert } from '@shoal/assert';
import { TaskState, type Node, type Task } from '@shoal/proto';
import {
  rollbackDecision,
  schedule,
  SchedulerState,
  type ScheduleResult,
} from '@shoal/scheduler-core';
import type { Informer } from '@shoal/store-client';
import { commitDecisions, unschedulableChanges, type CommitSource } from './commit-decisions';
import type { CacheEvent, KeyOutcome, PassContext, Reconciler } from '@shoal/store-controller';
import { SCHEDULER_LOOP_LIMITS } from '@shoal/limits';

const TICK = SCHEDULER_LOOP_LIMITS.tickKey;
const RETRY: KeyOutcome = Object.freeze({ type: 'retry' });

/** PassReport is what the last pass did (tests, logs). */
export interface PassReport {
  readonly scheduled: number;
  readonly committed: number;
  readonly failed: number;
  readonly unschedulable: number;
  readonly deferred: number;
}

/**
 * SchedulerReconciler is one term of the scheduler. Keys are task ids (a task to schedule)
 * and the tick key (something else changed: a node, or a task freed resources). Every pass
 * schedules every pending task that is not backing off after a failed commit, so a task that
 * fits nowhere is retried whenever anything changes and is never lost.
 *
 * Invariant: `pending` holds exactly the tasks whose observed state is PENDING, whose desired
 * state is at most COMPLETE, and that are not tracked on a node (unassigned, or preassigned
 * by the global orchestrator), as of the last event.
 */
export class SchedulerReconciler implements Reconciler {
  readonly kinds = ['node', 'task'] as const;
  /** The node/task cache of the core (public for tests and metrics; do not modify). */
  readonly state = new SchedulerState();
  private readonly pending = new Map<string, Task>();
  private readonly backingOff = new Set<string>();
  /** lastPass summarises the latest pass. */
  lastPass: PassReport | undefined;

  /** pendingCount is how many tasks wait for a node. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** onEvent keeps the cache and the pending set in step with the store (see Reconciler). */
  onEvent(event: CacheEvent, nowMs: number): readonly string[] {
    const { object } = event;
    if (object.kind === 'node') {
      if (event.type === 'delete') this.state.removeNode(object.object.id);
      else this.state.upsertNode(object.object);
      return this.pending.size > 0 ? [TICK] : [];
    }
    if (object.kind !== 'task') return [];
    const task = object.object;
    if (event.type === 'delete') {
      this.state.removeTask(task.id);
      this.pending.delete(task.id);
      return this.pending.size > 0 ? [TICK] : [];
    }
    const disposition = this.state.upsertTask(task, nowMs);
    const wanted = disposition === 'unassigned' || disposition === 'preassigned';
    if (wanted && task.desiredState <= TaskState.COMPLETE) {
      this.pending.set(task.id, task);
      return [task.id];
    }
    const was = this.pending.delete(task.id);
    const freed = observedPastRunning(task) && this.pending.size > 0;
    return was || freed ? [TICK] : [];
  }

  /** allKeys is every pending task (a full pass). */
  allKeys(_informer: Informer): readonly string[] {
    return this.pending.size > 0 ? [TICK, ...this.pending.keys()] : [];
  }

  /** pass schedules every pending task and commits the outcome (see the class contract). */
  async pass(keys: readonly string[], ctx: PassContext): Promise<ReadonlyMap<string, KeyOutcome>> {
    for (const key of keys) this.backingOff.delete(key);
    const queued = [...this.pending.values()].filter((t) => !this.backingOff.has(t.id));
    const outcomes = new Map<string, KeyOutcome>();
    if (queued.length === 0) return outcomes;
    const result = schedule(this.state, queued, ctx.nowMs);
    assert(result.decisions.length + result.unschedulable.length + result.deferred.length ===
      queued.length, 'every queued task has one outcome');
    const source: CommitSource = {
      task: (id) => ctx.informer.get('task', id),
      node: (id) => ctx.informer.get('node', id) as Node | undefined,
      commit: (changes) => ctx.commit(changes),
      nowMs: ctx.nowMs,
    };
    const { committed, failed } = await commitDecisions(source, result.decisions);
    for (const d of committed) this.pending.delete(d.taskId);
    for (const d of failed) {
      rollbackDecision(this.state, d);
      this.backingOff.add(d.taskId);
      outcomes.set(d.taskId, RETRY);
    }
    await this.explain(source, result, ctx);
    this.lastPass = {
      scheduled: queued.length, committed: committed.length, failed: failed.length,
      unschedulable: result.unschedulable.length, deferred: result.deferred.length,
    };
    return outcomes;
  }

  /** explain writes the "no suitable node" statuses that changed, in chunks; best effort. */
  private async explain(source: CommitSource, result: ScheduleResult, ctx: PassContext):
    Promise<void> {
    const changes = unschedulableChanges(source, result.unschedulable);
    const size = SCHEDULER_LOOP_LIMITS.changesPerCommitMax;
    for (let i = 0; i < changes.length && !ctx.signal.aborted; i += size) {
      try {
        await ctx.commit(changes.slice(i, i + size));
      } catch {
        // A refused status write is retried by the next pass: the task stays pending.
      }
    }
  }
}

function observedPastRunning(task: Task): boolean {
  const states = [task.status?.state, task.schedulerStatus?.state, task.allocatorStatus?.state];
  return states.some((s) => s !== undefined && s > TaskState.RUNNING);
}
