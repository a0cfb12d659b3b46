// The orchestrator's transaction site: a plan's actions become store changes, written in
// chunks of at most 200, each change at the version the planner read.
import { assert } from '@shoal/assert';
import type { Action } from '@shoal/orchestrator-core';
import type { Service, Task } from '@shoal/proto';
import type { ClientChange, Committed } from '@shoal/store-client';
import { ORCHESTRATOR_LOOP_LIMITS } from '@shoal/limits';

/** PlanSource is what applying a plan reads and where it writes. */
export interface PlanSource {
  task(id: string): Task | undefined;
  service(id: string): Service | undefined;
  commit(changes: readonly ClientChange[]): Promise<Committed>;
}

/**
 * PlanOutcome: `applied` with the earliest RequeueAfter (if any); `stale` when an object the
 * plan read changed since (nothing written); `failed` when a commit was refused.
 */
export type PlanOutcome =
  | { readonly type: 'applied'; readonly requeueAfterMs: number | undefined }
  | { readonly type: 'stale' }
  | { readonly type: 'failed' };

function versionOf(o: { meta?: { version?: { index: number } } } | undefined): number | undefined {
  return o?.meta?.version?.index;
}

/** changeOf turns one action into a change; undefined when the planner read a stale object. */
function changeOf(source: PlanSource, action: Exclude<Action, { type: 'RequeueAfter' }>):
  ClientChange | undefined {
  switch (action.type) {
    case 'CreateTask':
      return { action: 'create', kind: 'task', object: action.task };
    case 'UpdateTask': {
      const task = source.task(action.taskId);
      if (task === undefined || versionOf(task) !== action.expectedVersion) return undefined;
      const desired = action.changes.desiredState ?? task.desiredState;
      assert(desired >= task.desiredState, 'desired state only moves forward');
      return { action: 'update', kind: 'task', object: { ...task, desiredState: desired } };
    }
    case 'DeleteTask': {
      const task = source.task(action.taskId);
      if (task === undefined || versionOf(task) !== action.expectedVersion) return undefined;
      return { action: 'delete', kind: 'task', object: task };
    }
    case 'UpdateServiceStatus': {
      const service = source.service(action.serviceId);
      if (service === undefined || versionOf(service) !== action.expectedVersion) return undefined;
      const updateStatus = action.updateStatus === null ? undefined
        : action.updateStatus ?? service.updateStatus;
      const jobStatus = action.jobStatus ?? service.jobStatus;
      return { action: 'update', kind: 'service', object: { ...service, updateStatus, jobStatus } };
    }
  }
}

/**
 * applyPlan writes a plan (see PlanOutcome). Every change carries the version the planner
 * read, so the store refuses the whole chunk if anything moved; chunks already committed
 * stay (a replan from the newer facts continues from them).
 */
export async function applyPlan(source: PlanSource, actions: readonly Action[]): Promise<PlanOutcome> {
  const changes: ClientChange[] = [];
  let requeueAfterMs: number | undefined;
  for (const action of actions) {
    if (action.type === 'RequeueAfter') {
      requeueAfterMs = Math.min(requeueAfterMs ?? action.ms, action.ms);
      continue;
    }
    const change = changeOf(source, action);
    if (change === undefined) return { type: 'stale' };
    changes.push(change);
  }
  const size = ORCHESTRATOR_LOOP_LIMITS.changesPerCommitMax;
  for (let i = 0; i < changes.length; i += size) {
    try {
      await source.commit(changes.slice(i, i + size));
    } catch {
      return { type: 'failed' };
    }
  }
  return { type: 'applied', requeueAfterMs };
}
