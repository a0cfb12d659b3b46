import { assert } from '@shoal/assert';
import { UpdateStatus_State, type Service, type Task, type UpdateStatus } from '@shoal/proto';
import { versionIndex } from './task-facts';

/** UPDATE_MESSAGES are SwarmKit's update-status messages, verbatim. */
export const UPDATE_MESSAGES = Object.freeze({
  inProgress: 'update in progress',
  completed: 'update completed',
  rollbackCompleted: 'rollback completed',
  manualRollback: 'manually requested rollback',
  paused: (taskId: string) => `update paused due to failure or early termination of task ${taskId}`,
  rolledBack: (taskId: string) =>
    `update rolled back due to failure or early termination of task ${taskId}`,
  rollbackPaused: (taskId: string) =>
    `rollback paused due to failure or early termination of task ${taskId}`,
});

/**
 * UpdateTarget is what a service's tasks converge to in this pass, resolved from stored facts
 * alone (so a new orchestrator replica resumes an update after failover).
 */
export interface UpdateTarget {
  /** The service to build and compare tasks against: previous spec in an automatic rollback. */
  readonly effective: Service;
  /** The update state in force (UNKNOWN when none, or when the stored one is stale). */
  readonly state: UpdateStatus_State;
  /** Whether the rollback config applies (ROLLBACK_STARTED or ROLLBACK_PAUSED in force). */
  readonly rollingBack: boolean;
  /** The status in force (undefined with state UNKNOWN). */
  readonly status: UpdateStatus | undefined;
  /** A status write the resolution itself decided (manual rollback seen, stale status cleared). */
  readonly change: UpdateStatus | null | undefined;
}

const ROLLBACK_STATES: ReadonlySet<UpdateStatus_State> = new Set([
  UpdateStatus_State.ROLLBACK_STARTED,
  UpdateStatus_State.ROLLBACK_PAUSED,
  UpdateStatus_State.ROLLBACK_COMPLETED,
]);

function fresh(service: Service, clear: boolean): UpdateTarget {
  const change = clear ? null : undefined;
  return { effective: service, state: UpdateStatus_State.UNKNOWN, rollingBack: false, status: undefined, change };
}

function inForce(effective: Service, status: UpdateStatus): UpdateTarget {
  const rollingBack = status.state === UpdateStatus_State.ROLLBACK_STARTED ||
    status.state === UpdateStatus_State.ROLLBACK_PAUSED;
  return { effective, state: status.state, rollingBack, status, change: undefined };
}

/**
 * resolveUpdateTarget reads a service's update status against its spec versions and tasks:
 * - spec_version below previous_spec_version and no rollback state: the user swapped in the
 *   previous spec (manual rollback): ROLLBACK_STARTED "manually requested rollback";
 * - a rollback state with spec_version above previous_spec_version: the orchestrator's own
 *   automatic rollback, in force while some task carries spec_version (the failed spec):
 *   tasks converge to previous_spec (the orchestrator may not write `spec`);
 * - PAUSED in force while some task carries spec_version;
 * - a paused or rollback status with no task of spec_version is stale: the user changed the
 *   spec since (SwarmKit's control API clears the status then); it is cleared.
 * Otherwise the stored status stands. NB: "some task carries spec_version" is the evidence
 * that the orchestrator acted on this spec; the reaper keeps one such task (see reaper.ts).
 */
export function resolveUpdateTarget(service: Service, tasks: readonly Task[], nowMs: number): UpdateTarget {
  const specIdx = versionIndex(service.specVersion);
  const prevIdx = versionIndex(service.previousSpecVersion);
  const status = service.updateStatus;
  const state = status?.state ?? UpdateStatus_State.UNKNOWN;
  const rollbackState = ROLLBACK_STATES.has(state);
  // An unset spec_version (-1) is the service's first spec: the store drops the empty version a
  // created service starts with, so a rollback to the first spec reads as -1 below a version.
  if (prevIdx > specIdx && !rollbackState) {
    const started: UpdateStatus = {
      state: UpdateStatus_State.ROLLBACK_STARTED,
      startedAt: new Date(nowMs),
      message: UPDATE_MESSAGES.manualRollback,
    };
    return { ...inForce(service, started), change: started };
  }
  if (status === undefined) return fresh(service, false);
  const carriesSpec = tasks.some((t) => t.serviceId === service.id && versionIndex(t.specVersion) === specIdx);
  if (rollbackState && prevIdx > specIdx) return inForce(service, status);
  if (rollbackState) {
    if (!carriesSpec || service.previousSpec === undefined) return fresh(service, true);
    const effective: Service = {
      ...service,
      spec: service.previousSpec,
      specVersion: service.previousSpecVersion,
    };
    assert(effective.spec !== undefined, 'rollback target has a spec');
    return inForce(effective, status);
  }
  if (state === UpdateStatus_State.PAUSED && !carriesSpec) return fresh(service, true);
  if (state === UpdateStatus_State.UNKNOWN) return fresh(service, false);
  return inForce(service, status);
}
