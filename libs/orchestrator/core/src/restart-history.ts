import { assert } from '@shoal/assert';
import type { Task } from '@shoal/proto';
import type { ResolvedRestartPolicy } from './policy';
import { restartPolicyOf } from './policy';
import { compareTasksByCreation, createdAtMs, statusTimeMs, versionIndex } from './task-facts';

/**
 * SlotRestarts is the restart record of one slot (replicated) or one node (global) of a
 * service. Invariant: `restartTimesMs` is ascending; it holds only restarts of tasks of
 * `specVersion` and only when the policy has a window.
 */
export interface SlotRestarts {
  /** The spec version the record counts for; a new version resets the record. */
  readonly specVersion: number;
  readonly totalRestarts: number;
  /** When each counted replacement was created (ms since epoch), oldest first. */
  readonly restartTimesMs: readonly number[];
}

/**
 * RestartHistory is the restart supervisor's memory as a plain serializable value: per slot
 * key (see {@link restartSlotKey}), the restarts of the current spec version. It is only a
 * cache of stored facts: {@link rebuildRestartHistory} derives it from the tasks (SwarmKit's
 * taskinit does the same at startup), which is why the reaper keeps max_attempts + 1 tasks.
 */
export interface RestartHistory {
  readonly slots: Readonly<Record<string, SlotRestarts>>;
}

/** EMPTY_RESTART_HISTORY is the history with no restarts. */
export const EMPTY_RESTART_HISTORY: RestartHistory = Object.freeze({ slots: Object.freeze({}) });

/**
 * restartSlotKey names a task's slot for restart accounting: `<service>/<slot>` for replicated
 * services and jobs, `<service>/node/<node>` for global ones (SwarmKit's SlotTuple).
 */
export function restartSlotKey(task: Pick<Task, 'serviceId' | 'slot' | 'nodeId'>, global: boolean): string {
  return global ? `${task.serviceId}/node/${task.nodeId}` : `${task.serviceId}/${task.slot}`;
}

/**
 * recordRestart returns `history` with one more restart in `key`, made by creating
 * `replacement` at `atMs`. Without a max_attempts limit nothing is recorded (SwarmKit
 * `RecordRestartHistory`); a new spec version resets the slot's record; times that left the
 * window are dropped.
 */
export function recordRestart(
  history: RestartHistory,
  key: string,
  replacement: Task,
  atMs: number,
): RestartHistory {
  const policy = restartPolicyOf(replacement.spec);
  if (policy.maxAttempts === 0) return history;
  const version = versionIndex(replacement.specVersion);
  const prior = history.slots[key];
  const base = prior !== undefined && prior.specVersion === version
    ? prior
    : { specVersion: version, totalRestarts: 0, restartTimesMs: [] };
  const times = policy.windowMs > 0
    ? [...base.restartTimesMs.filter((t) => t > atMs - policy.windowMs), atMs]
    : [];
  const next: SlotRestarts = {
    specVersion: version,
    totalRestarts: base.totalRestarts + 1,
    restartTimesMs: times,
  };
  return { slots: { ...history.slots, [key]: next } };
}

/**
 * attemptsLeft reports whether `failed` may be restarted under `policy`'s max_attempts and
 * window (SwarmKit `shouldRestart` after the condition check): always without a limit or
 * without a record for the task's spec version; else with no window, fewer than max_attempts
 * restarts so far; else fewer than max_attempts restarts strictly inside
 * (taskTime − window, taskTime), taskTime being when the failed task reached its state.
 */
export function attemptsLeft(
  history: RestartHistory,
  key: string,
  failed: Task,
  policy: ResolvedRestartPolicy,
  nowMs: number,
): boolean {
  if (policy.maxAttempts === 0) return true;
  const record = history.slots[key];
  if (record === undefined || record.specVersion !== versionIndex(failed.specVersion)) return true;
  if (policy.windowMs === 0) return record.totalRestarts < policy.maxAttempts;
  const taskTime = statusTimeMs(failed, nowMs);
  const lookback = taskTime - policy.windowMs;
  const inWindow = record.restartTimesMs.filter((t) => t > lookback && t < taskTime).length;
  return inWindow < policy.maxAttempts;
}

/**
 * rebuildRestartHistory derives the history from stored tasks (SwarmKit taskinit): per slot
 * key, the tasks of the newest spec version in that slot, oldest created first; every one
 * but the first counts as a restart made when it was created. `isGlobal` says how to key a
 * task; `nowMs` stands in for tasks without a creation time.
 */
export function rebuildRestartHistory(
  tasks: readonly Task[],
  isGlobal: (task: Task) => boolean,
  nowMs: number,
): RestartHistory {
  const bySlot = new Map<string, Task[]>();
  for (const t of tasks) {
    if (t.serviceId === '') continue;
    const key = restartSlotKey(t, isGlobal(t));
    const list = bySlot.get(key);
    if (list === undefined) bySlot.set(key, [t]);
    else list.push(t);
  }
  let history = EMPTY_RESTART_HISTORY;
  for (const [key, slotTasks] of bySlot) {
    const newest = Math.max(...slotTasks.map((t) => versionIndex(t.specVersion)));
    const upToDate = slotTasks
      .filter((t) => versionIndex(t.specVersion) === newest)
      .sort((a, b) => compareTasksByCreation(a, b, nowMs));
    for (const t of upToDate.slice(1)) {
      history = recordRestart(history, key, t, createdAtMs(t, nowMs));
    }
  }
  assert(Object.keys(history.slots).length <= bySlot.size, 'one record per slot at most');
  return history;
}

/** forgetService returns `history` without the records of service `serviceId`. */
export function forgetService(history: RestartHistory, serviceId: string): RestartHistory {
  const prefix = `${serviceId}/`;
  const slots = Object.fromEntries(
    Object.entries(history.slots).filter(([key]) => !key.startsWith(prefix)),
  );
  return { slots };
}
