import { assert } from '@shoal/assert';
import {
  TaskState,
  UpdateConfig_FailureAction,
  UpdateConfig_Order,
  UpdateStatus_State,
  type Task,
  type UpdateStatus,
} from '@shoal/proto';
import { groupBySlot, serviceTasks, slotKeyOf, type PassContext } from './context';
import { isTaskDirty } from './dirty';
import { ORCHESTRATOR_CORE_LIMITS } from '@shoal/limits';
import { newTask } from './new-task';
import { isGlobalMode, updateConfigOf, type ResolvedUpdateConfig } from './policy';
import { isStillRunning, startStateOf } from './restart';
import { compareTasksByTime, metaVersion, observedState, statusTimeMs, versionIndex } from './task-facts';
import { UPDATE_MESSAGES, type UpdateTarget } from './update-target';

/** A slot handed to the updater: its updatable tasks (runnable ones, or its newest stopped one). */
export type UpdateSlot = readonly Task[];

interface SlotPhase {
  readonly key: string;
  readonly tasks: UpdateSlot;
  /** Dirty: more than one task, or its only task is dirty. */
  readonly dirty: boolean;
  /** The task the update created in the slot (see updateTaskOf). */
  readonly updateTask: Task | undefined;
}

/** Observed states that count as an update task's failure or early termination. */
const FAILURE_STATES: ReadonlySet<TaskState> = new Set([
  TaskState.COMPLETE,
  TaskState.FAILED,
  TaskState.REJECTED,
]);

function phasesOf(ctx: PassContext, slots: readonly UpdateSlot[]): SlotPhase[] {
  const history = groupBySlot(ctx, serviceTasks(ctx));
  const target = versionIndex(ctx.service.specVersion);
  return slots.filter((s) => s.length > 0).map((tasks) => {
    const first = tasks[0] as Task;
    const key = slotKeyOf(ctx, first);
    const node = (t: Task) => (t.nodeId === '' ? undefined : ctx.nodes.get(t.nodeId));
    const dirty = tasks.length > 1 || isTaskDirty(ctx.service, first, node(first), ctx.matches);
    return { key, tasks, dirty, updateTask: updateTaskOf(history.get(key) ?? [], target) };
  });
}

/**
 * updateTaskOf returns the task the update created in a slot: the first task of the target
 * version after the slot's newest task of another version (`slot` oldest created first).
 * Later tasks of the target version are restarts of it.
 */
function updateTaskOf(slot: readonly Task[], target: number): Task | undefined {
  let found: Task | undefined;
  for (const t of slot) {
    if (versionIndex(t.specVersion) !== target) found = undefined;
    else if (found === undefined) found = t;
  }
  return found;
}

/**
 * statusWith returns the stored status moved to `state` with `message` (keeping when it
 * started, stamping completion for the two completed states).
 */
function statusWith(target: UpdateTarget, state: UpdateStatus_State, message: string, nowMs: number): UpdateStatus {
  const done = state === UpdateStatus_State.COMPLETED || state === UpdateStatus_State.ROLLBACK_COMPLETED;
  return {
    state,
    startedAt: target.status?.startedAt,
    completedAt: done ? new Date(nowMs) : undefined,
    message,
  };
}

function writeStatus(ctx: PassContext, status: UpdateStatus | null): void {
  ctx.builder.setUpdateStatus(ctx.stored.id, metaVersion(ctx.stored), status);
}

/**
 * checkFailures applies the failure action when the update's own tasks that failed or ended
 * early exceed max_failure_ratio of the slots; returns whether the update stopped.
 */
function checkFailures(
  ctx: PassContext,
  target: UpdateTarget,
  config: ResolvedUpdateConfig,
  phases: readonly SlotPhase[],
): boolean {
  if (config.failureAction === UpdateConfig_FailureAction.CONTINUE) return false;
  const failed = phases
    .map((p) => p.updateTask)
    .filter((t): t is Task => t !== undefined && FAILURE_STATES.has(observedState(t)))
    .sort((a, b) => compareTasksByTime(a, b, ctx.nowMs));
  const last = failed[failed.length - 1];
  if (last === undefined) return false;
  if (failed.length / Math.max(1, phases.length) <= config.maxFailureRatio) return false;
  const rollback = config.failureAction === UpdateConfig_FailureAction.ROLLBACK;
  if (target.rollingBack) {
    const message = rollback ? UPDATE_MESSAGES.rollbackPaused(last.id) : UPDATE_MESSAGES.paused(last.id);
    writeStatus(ctx, statusWith(target, UpdateStatus_State.ROLLBACK_PAUSED, message, ctx.nowMs));
  } else if (rollback && ctx.stored.previousSpec !== undefined) {
    const message = UPDATE_MESSAGES.rolledBack(last.id);
    writeStatus(ctx, statusWith(target, UpdateStatus_State.ROLLBACK_STARTED, message, ctx.nowMs));
    ctx.builder.requeueAfter(0);
  } else {
    const message = UPDATE_MESSAGES.paused(last.id);
    writeStatus(ctx, statusWith(target, UpdateStatus_State.PAUSED, message, ctx.nowMs));
  }
  return true;
}

/**
 * busyUntilMs returns until when a slot occupies an update worker, or undefined when it does
 * not: a dirty slot whose new task exists is in progress; a slot whose update task has not
 * reached RUNNING is in progress; one whose update task reached RUNNING less than `delay`
 * ago is in the worker's pause. `Infinity` means "until a task event".
 */
function busyUntilMs(ctx: PassContext, phase: SlotPhase, config: ResolvedUpdateConfig): number | undefined {
  const u = phase.updateTask;
  if (u === undefined || u.desiredState > startStateOf(u)) return undefined;
  if (!phase.tasks.includes(u) && !phase.dirty) return undefined;
  const observed = observedState(u);
  if (observed < TaskState.RUNNING) return Infinity;
  if (observed > TaskState.RUNNING) return undefined;
  const until = statusTimeMs(u, ctx.nowMs) + config.delayMs;
  return ctx.nowMs < until ? until : undefined;
}

/**
 * advanceSlot moves one dirty slot that already has a clean task (SwarmKit
 * `useExistingTask`): the other tasks are shut down, except that with START_FIRST they are
 * kept until the clean task runs. Returns false when the slot has no clean task yet.
 */
function advanceSlot(ctx: PassContext, phase: SlotPhase, config: ResolvedUpdateConfig): boolean {
  const clean = phase.tasks.filter((t) => {
    const node = t.nodeId === '' ? undefined : ctx.nodes.get(t.nodeId);
    return t.desiredState <= startStateOf(t) && !isTaskDirty(ctx.service, t, node, ctx.matches);
  });
  const running = clean.find((t) => t.desiredState === startStateOf(t));
  const keep = running ?? clean[0];
  if (keep === undefined) return false;
  const startFirst = config.order === UpdateConfig_Order.START_FIRST;
  if (keep === running && startFirst && observedState(keep) < TaskState.RUNNING) return true;
  for (const t of phase.tasks) {
    if (t.id !== keep.id) ctx.builder.raiseDesired(t.id, TaskState.SHUTDOWN);
  }
  return true;
}

/**
 * startSlot replaces a dirty slot's tasks with a new task of the effective spec: STOP_FIRST
 * shuts the old ones down and holds the new one at READY until they stopped (or starts it at
 * once if none still runs); START_FIRST starts the new one at once and keeps the old ones
 * until it runs (see {@link advanceSlot}).
 */
function startSlot(ctx: PassContext, phase: SlotPhase, config: ResolvedUpdateConfig): void {
  const first = phase.tasks[0];
  assert(first !== undefined, 'an update slot has a task');
  const startState = startStateOf(first);
  let desiredState = startState;
  if (config.order === UpdateConfig_Order.STOP_FIRST) {
    for (const t of phase.tasks) ctx.builder.raiseDesired(t.id, TaskState.SHUTDOWN);
    if (phase.tasks.some((t) => isStillRunning(ctx, t))) desiredState = TaskState.READY;
  }
  const global = isGlobalMode(ctx.mode);
  ctx.builder.create(newTask(ctx.service, ctx.cluster, ctx.ids, {
    slot: global ? 0 : first.slot,
    nodeId: global ? first.nodeId : '',
    desiredState,
    jobIteration: first.jobIteration,
  }));
}

/**
 * completeIfMonitored marks the update COMPLETED (or ROLLBACK_COMPLETED) once every slot is
 * clean and the last update task has run for the monitoring period (`monitor`, or
 * `delay + 1 s` when delay ≥ monitor); before that it requeues for when the period ends.
 */
function completeIfMonitored(
  ctx: PassContext,
  target: UpdateTarget,
  config: ResolvedUpdateConfig,
  phases: readonly SlotPhase[],
): void {
  const monitorMs = config.delayMs >= config.monitorMs
    ? config.delayMs + ORCHESTRATOR_CORE_LIMITS.updateMonitorExtensionMs
    : config.monitorMs;
  let lastRunningMs = -Infinity;
  for (const p of phases) {
    const u = p.updateTask;
    if (u !== undefined && observedState(u) === TaskState.RUNNING) {
      lastRunningMs = Math.max(lastRunningMs, statusTimeMs(u, ctx.nowMs));
    }
  }
  const doneAt = lastRunningMs + monitorMs;
  if (ctx.nowMs < doneAt) {
    ctx.builder.requeueAfter(doneAt - ctx.nowMs);
    return;
  }
  const rollback = target.state === UpdateStatus_State.ROLLBACK_STARTED;
  const state = rollback ? UpdateStatus_State.ROLLBACK_COMPLETED : UpdateStatus_State.COMPLETED;
  const message = rollback ? UPDATE_MESSAGES.rollbackCompleted : UPDATE_MESSAGES.completed;
  writeStatus(ctx, statusWith(target, state, message, ctx.nowMs));
}

function isActive(state: UpdateStatus_State): boolean {
  return state === UpdateStatus_State.UPDATING || state === UpdateStatus_State.ROLLBACK_STARTED;
}

/**
 * planUpdate is one step of the rolling-update state machine over `slots` (the kept slots of
 * a replicated service, or one slot per eligible node of a global one), resumable from stored
 * facts: update status, spec versions, desired and observed states, status timestamps.
 *
 * Per pass: a paused update does nothing; the update's failures are checked against
 * max_failure_ratio (PAUSE, ROLLBACK, CONTINUE); slots with a new task advance (old tasks shut
 * down, start-first only once the new task runs); then up to `parallelism` (0 = all) slots are
 * busy at once, a slot staying busy until its new task runs and `delay` has passed; free
 * workers start new dirty slots in slot order. A new update writes UPDATING "update in
 * progress"; with no dirty slot left the update completes after the monitoring period.
 */
export function planUpdate(ctx: PassContext, target: UpdateTarget, slots: readonly UpdateSlot[]): void {
  if (target.change !== undefined) writeStatus(ctx, target.change);
  const state = target.state;
  if (state === UpdateStatus_State.PAUSED || state === UpdateStatus_State.ROLLBACK_PAUSED) return;
  const config = updateConfigOf(ctx.service.spec ?? {}, target.rollingBack);
  const phases = phasesOf(ctx, slots);
  if (isActive(state) && checkFailures(ctx, target, config, phases)) return;
  const dirty = phases.filter((p) => p.dirty);
  const pending = dirty.filter((p) => !advanceSlot(ctx, p, config));
  let busy = 0;
  for (const p of phases) {
    const until = busyUntilMs(ctx, p, config);
    if (until === undefined) continue;
    busy++;
    if (until !== Infinity) ctx.builder.requeueAfter(until - ctx.nowMs);
  }
  if (!isActive(state)) {
    if (dirty.length === 0) return;
    writeStatus(ctx, {
      state: UpdateStatus_State.UPDATING,
      startedAt: new Date(ctx.nowMs),
      message: UPDATE_MESSAGES.inProgress,
    });
  } else if (dirty.length === 0 && busy === 0) {
    completeIfMonitored(ctx, target, config, phases);
    return;
  }
  const workers = config.parallelism === 0 ? pending.length : config.parallelism;
  for (const p of pending.slice(0, Math.max(0, workers - busy))) startSlot(ctx, p, config);
}
