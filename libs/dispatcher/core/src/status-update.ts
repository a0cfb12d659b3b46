// Validation of the task statuses an agent reports (SwarmKit `UpdateTaskStatus` and
// `processUpdates`): a node may report only its own tasks, a state only moves forward, and an
// identical report is dropped. Pure.
import { ContainerStatus, PortStatus, type Task, type TaskStatus } from '@shoal/proto';

/**
 * StatusVerdict is what to do with one reported status:
 * - `accept`: queue it for the store;
 * - `unknown`: the task does not exist (deleted meanwhile): ignore;
 * - `denied`: the task belongs to another node: PERMISSION_DENIED for the whole request;
 * - `backward`: its state is below the stored `status` state: drop (and log);
 * - `identical`: the same observation is already stored: drop.
 */
export type StatusVerdict = 'accept' | 'unknown' | 'denied' | 'backward' | 'identical';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * sameObservation reports whether two statuses say the same thing: equal state, message, err,
 * container and port status. Timestamps and the dispatcher's `applied_by/at` stamps are not
 * compared, so an agent re-reporting an unchanged status after a reconnect writes nothing.
 */
export function sameObservation(a: TaskStatus, b: TaskStatus): boolean {
  if (a.state !== b.state || a.message !== b.message || a.err !== b.err) return false;
  const container = (s: TaskStatus): Uint8Array => ContainerStatus.encode(s.containerStatus ?? ContainerStatus.fromPartial({})).finish();
  const ports = (s: TaskStatus): Uint8Array => PortStatus.encode(s.portStatus ?? PortStatus.fromPartial({})).finish();
  return sameBytes(container(a), container(b)) && sameBytes(ports(a), ports(b));
}

/**
 * validateStatus judges one status `reported` by node `callerNodeId` for `task` as last seen
 * (undefined = not in the store). Forward-only is checked against the task's `status` (the
 * field the dispatcher owns); the effective observed state may be higher (e.g. ASSIGNED from
 * the scheduler), which an ACCEPTED report still advances past.
 */
export function validateStatus(callerNodeId: string, task: Task | undefined, reported: TaskStatus): StatusVerdict {
  if (task === undefined) return 'unknown';
  if (task.nodeId !== callerNodeId) return 'denied';
  const stored = task.status;
  if (stored === undefined) return 'accept';
  if (reported.state < stored.state) return 'backward';
  if (sameObservation(stored, reported)) return 'identical';
  return 'accept';
}
