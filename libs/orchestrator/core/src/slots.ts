import { TaskState, UpdateStatus_State, type Task } from '@shoal/proto';
import { groupBySlot, serviceTasks, type PassContext } from './context';
import { needsRestart, restartTask, shouldRestart } from './restart';
import { compareTasksByTime, isInvalidNode, isRunnable } from './task-facts';
import type { UpdateTarget } from './update-target';

/**
 * SlotSplit is a service's slots split SwarmKit's way: `kept` slots hold their updatable
 * tasks (the runnable ones, or the newest stopped task when it must not be restarted), `dead`
 * slots hold all their tasks and will be replaced or emptied. Keys are slot keys.
 */
export interface SlotSplit {
  readonly kept: Map<string, Task[]>;
  readonly dead: Map<string, Task[]>;
}

/**
 * restartStrandedTasks sends every runnable task that stopped, or whose node is DOWN,
 * DRAINED or deleted, to the restart supervisor (SwarmKit's task-event path and taskinit
 * `FixTask`, here run on every pass since the planner sees the whole service).
 */
export function restartStrandedTasks(ctx: PassContext): void {
  const invalid = (id: string) => isInvalidNode(ctx.nodes.get(id));
  for (const task of serviceTasks(ctx)) {
    if (!isRunnable(task)) continue;
    if (needsRestart(ctx, task, invalid)) restartTask(ctx, task);
  }
}

/**
 * updatableTasks returns the tasks of a slot the updater owns (SwarmKit
 * `UpdatableTasksInSlot`): the runnable ones; else, outside a rollback, the newest task if it
 * must not be restarted (so an outdated stopped task still gets updated) unless it was
 * removed (desired REMOVE: its slot is gone); else none (the slot is dead).
 */
export function updatableTasks(ctx: PassContext, target: UpdateTarget, slot: readonly Task[]): Task[] {
  const runnable = slot.filter(isRunnable);
  if (runnable.length > 0) return runnable;
  if (target.state === UpdateStatus_State.ROLLBACK_STARTED) return [];
  const newest = [...slot].sort((a, b) => compareTasksByTime(a, b, ctx.nowMs)).pop();
  if (newest === undefined || newest.desiredState >= TaskState.REMOVE) return [];
  return shouldRestart(ctx, newest) ? [] : [newest];
}

/** splitSlots groups the service's working tasks into kept and dead slots. */
export function splitSlots(ctx: PassContext, target: UpdateTarget): SlotSplit {
  const kept = new Map<string, Task[]>();
  const dead = new Map<string, Task[]>();
  for (const [key, slot] of groupBySlot(ctx, serviceTasks(ctx))) {
    const updatable = updatableTasks(ctx, target, slot);
    if (updatable.length > 0) kept.set(key, updatable);
    else dead.set(key, slot);
  }
  return { kept, dead };
}
