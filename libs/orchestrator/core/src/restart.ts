import { assertNever } from '@shoal/assert';
import { RestartPolicy_Condition, TaskState, type Task } from '@shoal/proto';
import { ORCHESTRATOR_CORE_LIMITS } from '@shoal/limits';
import { groupBySlot, serviceTasks, slotKeyOf, type PassContext } from './context';
import { newTask } from './new-task';
import { isGlobalMode, isJobMode, restartPolicyOf } from './policy';
import { attemptsLeft, recordRestart } from './restart-history';
import {
  compareTasksByCreation,
  createdAtMs,
  hasStopped,
  isDownOrMissing,
  isDrained,
  isUnassigned,
  observedState,
  versionIndex,
} from './task-facts';

/**
 * startStateOf returns the desired state that lets a task run: COMPLETE for job tasks (they
 * carry a job iteration), RUNNING otherwise. A task below it (READY) is held back.
 */
export function startStateOf(task: Task): TaskState {
  return task.jobIteration !== undefined ? TaskState.COMPLETE : TaskState.RUNNING;
}

/** isHeld reports whether a task is held back (desired READY) waiting for its start. */
export function isHeld(task: Task): boolean {
  return task.desiredState === TaskState.READY;
}

/**
 * shouldRestart applies a stopped (or stranded) task's restart policy (SwarmKit
 * `shouldRestart`): NONE never; ON_FAILURE not after COMPLETE; ANY always, except after
 * COMPLETE for jobs; then max_attempts within the window, per slot and spec version.
 */
export function shouldRestart(ctx: PassContext, task: Task): boolean {
  const policy = restartPolicyOf(task.spec);
  const completed = observedState(task) === TaskState.COMPLETE;
  switch (policy.condition) {
    case RestartPolicy_Condition.NONE:
      return false;
    case RestartPolicy_Condition.ON_FAILURE:
      if (completed) return false;
      break;
    case RestartPolicy_Condition.ANY:
    case RestartPolicy_Condition.UNRECOGNIZED:
      if (completed && isJobMode(ctx.mode)) return false;
      break;
    default:
      return assertNever(policy.condition, 'restart condition');
  }
  return attemptsLeft(ctx.history, slotKeyOf(ctx, task), task, policy, ctx.nowMs);
}

/**
 * predecessorOf returns the newest other task of `held`'s slot created before it: the task it
 * replaces. undefined when there is none left (e.g. reaped).
 */
function predecessorOf(ctx: PassContext, held: Task, slot: readonly Task[]): Task | undefined {
  const heldAt = createdAtMs(held, ctx.nowMs);
  const older = slot.filter((t) => t.id !== held.id && createdAtMs(t, ctx.nowMs) <= heldAt);
  older.sort((a, b) => compareTasksByCreation(a, b, ctx.nowMs));
  return older[older.length - 1];
}

/**
 * heldReadyAtMs returns when a held task's start delay ends: its creation plus the restart
 * delay of the task it replaces, or no delay when it replaces a task of another spec version
 * (a stop-first update), when that task's node is drained, or when it replaces nothing.
 * Derived from stored facts only, so a new leader computes the same time.
 */
export function heldReadyAtMs(ctx: PassContext, held: Task, slot: readonly Task[]): number {
  const created = createdAtMs(held, ctx.nowMs);
  const previous = predecessorOf(ctx, held, slot);
  if (previous === undefined) return created;
  if (versionIndex(previous.specVersion) !== versionIndex(held.specVersion)) return created;
  if (previous.nodeId !== '' && isDrained(ctx.nodes.get(previous.nodeId))) return created;
  return created + restartPolicyOf(previous.spec).delayMs;
}

/**
 * isStillRunning reports whether `old`, being shut down, may still run somewhere: observed at
 * most RUNNING, assigned, and its node neither DOWN nor deleted. A held replacement waits for
 * such tasks (SwarmKit `DelayStart` with waitStop).
 */
export function isStillRunning(ctx: PassContext, old: Task): boolean {
  if (observedState(old) > TaskState.RUNNING) return false;
  if (isUnassigned(old) || old.nodeId === '') return false;
  return !isDownOrMissing(ctx.nodes.get(old.nodeId));
}

function slotOf(ctx: PassContext, task: Task): Task[] {
  const key = slotKeyOf(ctx, task);
  return serviceTasks(ctx).filter((t) => slotKeyOf(ctx, t) === key);
}

/**
 * restartTask is SwarmKit's `Restart` for a task that stopped, or whose node is DOWN,
 * DRAINED or gone: it sets the task's desired state to SHUTDOWN and, if {@link shouldRestart},
 * creates a replacement from the effective service in the same slot (same node for global
 * modes), recorded in the restart history. The replacement starts at once when no restart
 * delay applies (drained node) and nothing must stop first; otherwise it is held at READY and
 * {@link promoteHeldTasks} starts it later. A held task that stops before its own delay has
 * ended is restarted only after that delay (no tight loops on failing image pulls).
 */
export function restartTask(ctx: PassContext, task: Task): void {
  if (isHeld(task)) {
    const readyAt = heldReadyAtMs(ctx, task, slotOf(ctx, task));
    if (ctx.nowMs < readyAt) {
      ctx.builder.requeueAfter(readyAt - ctx.nowMs);
      return;
    }
  }
  ctx.builder.raiseDesired(task.id, TaskState.SHUTDOWN);
  if (!shouldRestart(ctx, task)) return;
  const node = task.nodeId === '' ? undefined : ctx.nodes.get(task.nodeId);
  const delayMs = isDrained(node) ? 0 : restartPolicyOf(task.spec).delayMs;
  const waitStop = isStillRunning(ctx, task);
  const global = isGlobalMode(ctx.mode);
  const startState = isJobMode(ctx.mode) ? TaskState.COMPLETE : TaskState.RUNNING;
  const replacement = newTask(ctx.service, ctx.cluster, ctx.ids, {
    slot: global ? 0 : task.slot,
    nodeId: global ? task.nodeId : '',
    desiredState: delayMs === 0 && !waitStop ? startState : TaskState.READY,
    jobIteration: ctx.jobIteration,
  });
  ctx.builder.create(replacement);
  ctx.history = recordRestart(ctx.history, slotKeyOf(ctx, replacement), replacement, ctx.nowMs);
  if (delayMs > 0) ctx.builder.requeueAfter(delayMs);
}

/**
 * needsRestart reports whether a runnable task must go to the restart supervisor: it stopped
 * (observed past RUNNING) or its assigned node is DOWN, DRAINED or deleted.
 */
export function needsRestart(ctx: PassContext, task: Task, invalidNode: (id: string) => boolean): boolean {
  if (hasStopped(task)) return true;
  return task.nodeId !== '' && invalidNode(task.nodeId);
}

/**
 * promoteHeldTasks starts held (READY) tasks of the service whose start delay has ended and
 * whose predecessors have stopped, or whose node is DOWN or gone, or after the old-task
 * timeout (1 min from the held task's creation); SwarmKit `DelayStart` + `StartNow`. A task
 * not ready yet requeues the service for when it could be. Held tasks that stopped are left
 * to the restart path.
 */
export function promoteHeldTasks(ctx: PassContext): void {
  for (const slot of groupBySlot(ctx, serviceTasks(ctx)).values()) {
    for (const task of slot) {
      if (!isHeld(task) || hasStopped(task)) continue;
      const readyAt = heldReadyAtMs(ctx, task, slot);
      if (ctx.nowMs < readyAt) {
        ctx.builder.requeueAfter(readyAt - ctx.nowMs);
        continue;
      }
      const blocked = slot.some((old) =>
        old.id !== task.id && old.desiredState >= TaskState.SHUTDOWN && isStillRunning(ctx, old));
      const timeoutAt = createdAtMs(task, ctx.nowMs) + ORCHESTRATOR_CORE_LIMITS.oldTaskTimeoutMs;
      if (blocked && ctx.nowMs < timeoutAt) {
        ctx.builder.requeueAfter(timeoutAt - ctx.nowMs);
        continue;
      }
      ctx.builder.raiseDesired(task.id, startStateOf(task));
    }
  }
}
