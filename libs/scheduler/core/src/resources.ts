import { assert } from '@shoal/assert';
import { PortConfig_PublishMode, type GenericResource, type Task } from '@shoal/proto';

/** GenericDemand is a task's reservation of `count` units of one generic resource kind. */
export interface GenericDemand {
  readonly kind: string;
  readonly count: number;
}

/**
 * GenericClaim is what one task holds of a node's generic resources: named units by value and
 * discrete units by count. It becomes the task's `assigned_generic_resources`.
 */
export interface GenericClaim {
  readonly named: ReadonlyArray<readonly [kind: string, value: string]>;
  readonly discrete: ReadonlyArray<readonly [kind: string, count: number]>;
}

/** EMPTY_CLAIM is the claim of a task that reserves no generic resources. */
export const EMPTY_CLAIM: GenericClaim = Object.freeze({ named: [], discrete: [] });

/** TaskReservations is the CPU, memory and generic resources a task reserves on its node. */
export interface TaskReservations {
  readonly nanoCpus: number;
  readonly memoryBytes: number;
  readonly generic: readonly GenericDemand[];
}

/**
 * taskReservations returns the task's `spec.resources.reservations`, zero when unset. Generic
 * reservations are discrete counts (SwarmKit: a task may only reserve discrete units); a named
 * entry in a reservation is counted as one unit of its kind. Counts of one kind are summed.
 */
export function taskReservations(task: Task): TaskReservations {
  const reservations = task.spec?.resources?.reservations;
  if (reservations === undefined) return { nanoCpus: 0, memoryBytes: 0, generic: [] };
  const byKind = new Map<string, number>();
  for (const resource of reservations.generic) {
    const r = resource.resource;
    if (r === undefined) continue;
    const kind = r.$case === 'discreteResourceSpec' ? r.discreteResourceSpec.kind : r.namedResourceSpec.kind;
    const count = r.$case === 'discreteResourceSpec' ? r.discreteResourceSpec.value : 1;
    if (count <= 0) continue;
    byKind.set(kind, (byKind.get(kind) ?? 0) + count);
  }
  const generic = [...byKind].map(([kind, count]) => ({ kind, count }));
  return { nanoCpus: reservations.nanoCpus, memoryBytes: reservations.memoryBytes, generic };
}

/** claimFromAssigned reads a stored task's `assigned_generic_resources` back into a claim. */
export function claimFromAssigned(assigned: readonly GenericResource[]): GenericClaim {
  if (assigned.length === 0) return EMPTY_CLAIM;
  const named: Array<readonly [string, string]> = [];
  const discrete: Array<readonly [string, number]> = [];
  for (const resource of assigned) {
    const r = resource.resource;
    if (r === undefined) continue;
    if (r.$case === 'namedResourceSpec') {
      named.push([r.namedResourceSpec.kind, r.namedResourceSpec.value]);
    } else {
      discrete.push([r.discreteResourceSpec.kind, r.discreteResourceSpec.value]);
    }
  }
  return { named, discrete };
}

/** claimToAssigned writes a claim as the `assigned_generic_resources` the scheduler stores. */
export function claimToAssigned(claim: GenericClaim): GenericResource[] {
  const out: GenericResource[] = [];
  for (const [kind, value] of claim.named) {
    out.push({ resource: { $case: 'namedResourceSpec', namedResourceSpec: { kind, value } } });
  }
  for (const [kind, value] of claim.discrete) {
    out.push({ resource: { $case: 'discreteResourceSpec', discreteResourceSpec: { kind, value } } });
  }
  return out;
}

/** HOST_PORT_PROTOCOL_FACTOR spaces protocols apart in an encoded host port (ports < 2^16). */
const HOST_PORT_PROTOCOL_FACTOR = 0x1_0000;

/**
 * taskHostPorts returns the task's host-mode published ports (non-zero), each encoded as
 * `protocol × 65536 + port`, from the allocated `endpoint.ports` (SwarmKit's HostPortFilter).
 */
export function taskHostPorts(task: Task): number[] {
  const ports = task.endpoint?.ports;
  if (ports === undefined) return [];
  const out: number[] = [];
  for (const port of ports) {
    if (port.publishMode !== PortConfig_PublishMode.HOST || port.publishedPort === 0) continue;
    assert(port.publishedPort < HOST_PORT_PROTOCOL_FACTOR, 'published port fits 16 bits');
    out.push(Math.max(0, port.protocol) * HOST_PORT_PROTOCOL_FACTOR + port.publishedPort);
  }
  return out;
}

/**
 * unitsThatFit returns how many demands of `need` fit in `available` (floor division, exact
 * for safe integers); Infinity when nothing is needed, 0 when `available` is negative.
 */
export function unitsThatFit(available: number, need: number): number {
  if (need <= 0) return Infinity;
  if (available < need) return 0;
  let units = Math.floor(available / need);
  while (units * need > available) units--;
  while ((units + 1) * need <= available) units++;
  return units;
}
