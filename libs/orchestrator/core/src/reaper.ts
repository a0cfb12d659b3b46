import { ORCHESTRATOR_LIMITS } from '@shoal/limits';
import { TaskState, type Cluster, type Service, type Task } from '@shoal/proto';
import type { Action } from './actions';
import { PlanBuilder } from './plan-builder';
import { isGlobalMode, isJobMode, restartPolicyOf, serviceModeOf } from './policy';
import { restartSlotKey } from './restart-history';
import {
  compareTasksByCreation,
  compareTasksByTime,
  isUnassigned,
  observedState,
  versionIndex,
} from './task-facts';

/** REAPER_KEY is the work-queue key of the task reaper's passes. */
export const REAPER_KEY = 'task-reaper';

/**
 * isRemovable reports whether a task may go from history (SwarmKit `taskInTerminalState` or
 * `taskWillNeverRun`): it ended (observed past RUNNING), or it never reached a node and is
 * no longer wanted (desired past RUNNING).
 */
export function isRemovable(task: Task): boolean {
  if (observedState(task) > TaskState.RUNNING) return true;
  return isUnassigned(task) && task.desiredState > TaskState.RUNNING;
}

/** isShutDown reports whether a task no longer runs anywhere: ended, or never assigned. */
function isShutDown(task: Task): boolean {
  const observed = observedState(task);
  return observed >= TaskState.COMPLETE || observed < TaskState.ASSIGNED;
}

/**
 * historyLimitOf returns how many tasks a slot of `service` keeps: the cluster's
 * task_history_retention_limit (default 5), or max_attempts + 1 when that is larger, so
 * restart history can be rebuilt; negative means never clean.
 */
export function historyLimitOf(service: Service, cluster: Cluster | undefined): number {
  const orchestration = cluster?.spec?.orchestration;
  const limit = orchestration !== undefined
    ? orchestration.taskHistoryRetentionLimit
    : ORCHESTRATOR_LIMITS.taskHistoryRetentionLimit;
  if (limit < 0) return limit;
  const maxAttempts = restartPolicyOf(service.spec?.task).maxAttempts;
  return maxAttempts > 0 ? Math.max(limit, maxAttempts + 1) : limit;
}

/**
 * evidenceOf returns the newest task carrying the service's spec_version: the reaper keeps it
 * so the update planner can tell that it already acted on this spec (update-target.ts).
 */
function evidenceOf(service: Service, tasks: readonly Task[], nowMs: number): string | undefined {
  const spec = versionIndex(service.specVersion);
  const carrying = tasks.filter((t) => versionIndex(t.specVersion) === spec);
  carrying.sort((a, b) => compareTasksByCreation(a, b, nowMs));
  return carrying[carrying.length - 1]?.id;
}

function trimSlot(builder: PlanBuilder, slot: Task[], limit: number, keep: string | undefined): void {
  let remaining = slot.length;
  if (remaining <= limit) return;
  slot.sort((a, b) => compareTasksByTime(a, b, builder.nowMs));
  for (const t of slot) {
    if (remaining <= limit) return;
    if (t.id === keep || !isRemovable(t)) continue;
    builder.delete(t.id);
    remaining--;
  }
}

function trimService(builder: PlanBuilder, service: Service, tasks: Task[], cluster: Cluster | undefined): void {
  const mode = serviceModeOf(service.spec);
  const limit = historyLimitOf(service, cluster);
  if (limit < 0 || isJobMode(mode)) return;
  const keep = evidenceOf(service, tasks, builder.nowMs);
  const slots = new Map<string, Task[]>();
  for (const t of tasks) {
    const key = restartSlotKey(t, isGlobalMode(mode));
    const list = slots.get(key);
    if (list === undefined) slots.set(key, [t]);
    else list.push(t);
  }
  for (const key of [...slots.keys()].sort()) trimSlot(builder, slots.get(key) as Task[], limit, keep);
}

/**
 * planReap is one pass of the task reaper over all tasks (SwarmKit `taskreaper`):
 * - tasks with desired REMOVE are deleted once shut down (ended, or never assigned);
 * - tasks whose service is gone (or that have none) get desired REMOVE and are deleted once
 *   shut down;
 * - per slot (replicated) or node (global), the newest {@link historyLimitOf} tasks are kept
 *   and older removable ones deleted, oldest first by applied_at / status timestamp; job
 *   services keep their history (as in SwarmKit).
 *
 * Contract: deterministic; never deletes a runnable task that still runs; keeps the newest
 * task of each service's current spec_version. `nowMs` only stands in for missing times.
 */
export function planReap(
  services: readonly Service[],
  tasks: readonly Task[],
  cluster: Cluster | undefined,
  nowMs: number,
): Action[] {
  const builder = new PlanBuilder(REAPER_KEY, tasks, nowMs);
  const byId = new Map(services.map((s) => [s.id, s]));
  const byService = new Map<string, Task[]>();
  for (const t of [...tasks].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const service = t.serviceId === '' ? undefined : byId.get(t.serviceId);
    if (service === undefined) builder.raiseDesired(t.id, TaskState.REMOVE);
    const current = builder.get(t.id) as Task;
    if (current.desiredState === TaskState.REMOVE) {
      if (isShutDown(current)) builder.delete(t.id);
      continue;
    }
    if (service === undefined) continue;
    const list = byService.get(service.id);
    if (list === undefined) byService.set(service.id, [current]);
    else list.push(current);
  }
  for (const [id, list] of byService) trimService(builder, byId.get(id) as Service, list, cluster);
  return builder.finish();
}
