import { TaskState, type Node, type Service, type Task, type TaskSpec } from '@shoal/proto';
import type { NodeMatcher } from './constraints';
import { protoEqual } from './proto-equal';
import { observedState, versionIndex } from './task-facts';

/**
 * placementOnlyChanged reports whether the service's task spec differs from the task's only in
 * `placement` (SwarmKit `IsTaskDirtyPlacementConstraintsOnly`).
 */
export function placementOnlyChanged(serviceSpec: TaskSpec, taskSpec: TaskSpec): boolean {
  if (protoEqual(serviceSpec.placement, taskSpec.placement)) return false;
  return protoEqual({ ...serviceSpec, placement: taskSpec.placement }, taskSpec);
}

/**
 * ignoringPullOptions returns the service's task spec with the task's pull options, for tasks
 * that already pulled their image: desired ≤ RUNNING and observed READY..RUNNING (SwarmKit
 * ignores a PullOptions-only difference there, swarmkit#971).
 */
function ignoringPullOptions(serviceSpec: TaskSpec, task: Task): TaskSpec {
  const observed = observedState(task);
  const pulled = task.desiredState <= TaskState.RUNNING &&
    observed >= TaskState.READY && observed <= TaskState.RUNNING;
  const mine = serviceSpec.runtime;
  const theirs = task.spec?.runtime;
  if (!pulled || mine?.$case !== 'container' || theirs?.$case !== 'container') return serviceSpec;
  const container = { ...mine.container, pullOptions: theirs.container.pullOptions };
  return { ...serviceSpec, runtime: { $case: 'container', container } };
}

/**
 * isTaskDirty reports whether `task` must be replaced to match `service` (the effective
 * service: its previous spec during an automatic rollback). SwarmKit `IsTaskDirty`:
 * not dirty when the spec versions are equal; otherwise dirty when the task spec or the
 * endpoint spec differs, except a placement-only change while `node` (the task's node) still
 * satisfies the new constraints, and pull options on tasks that already pulled. A bumped
 * `force_update` differs, so it makes every task dirty.
 */
export function isTaskDirty(
  service: Service,
  task: Task,
  node: Node | undefined,
  matches: NodeMatcher,
): boolean {
  const serviceVersion = versionIndex(service.specVersion);
  if (serviceVersion >= 0 && serviceVersion === versionIndex(task.specVersion)) return false;
  const serviceSpec: TaskSpec = service.spec?.task ?? emptyTaskSpec();
  const taskSpec: TaskSpec = task.spec ?? emptyTaskSpec();
  if (placementOnlyChanged(serviceSpec, taskSpec) && node !== undefined) {
    if (matches(node, serviceSpec.placement?.constraints ?? [])) return false;
  }
  if (!protoEqual(ignoringPullOptions(serviceSpec, task), taskSpec)) return true;
  return task.endpoint !== undefined && !protoEqual(service.spec?.endpoint, task.endpoint.spec);
}

function emptyTaskSpec(): TaskSpec {
  return { networks: [], forceUpdate: 0, resourceReferences: [] };
}
