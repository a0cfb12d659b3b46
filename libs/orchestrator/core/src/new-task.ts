import { assert } from '@shoal/assert';
import type { Cluster, Service, Task, TaskState, Version } from '@shoal/proto';

/**
 * IdSource returns a fresh task id on every call (in production `() => newId(random)` from
 * @shoal/ids with a crypto-backed Random; in tests a counter or a seeded Random).
 */
export type IdSource = () => string;

/** NewTaskOptions places a new task: its slot (replicated) or node (global) and its start. */
export interface NewTaskOptions {
  /** Replica slot; 0 for global services, whose slot is the node. */
  readonly slot: number;
  /** Node id for global services (pre-filled; the scheduler only validates it); '' otherwise. */
  readonly nodeId: string;
  /** RUNNING, READY while held back (restart delay, stop-first update) or COMPLETE for jobs. */
  readonly desiredState: TaskState;
  /** The job iteration (job modes only). */
  readonly jobIteration?: Version;
}

/**
 * taskName returns the display name SwarmKit gives a task: `<service>.<slot>` for replicated
 * services and jobs, `<service>.<node id>` for global ones.
 */
export function taskName(service: Service, slot: number, nodeId: string): string {
  const name = service.spec?.annotations?.name ?? service.id;
  return nodeId !== '' ? `${name}.${nodeId}` : `${name}.${slot}`;
}

/**
 * newTask builds a task for `service` (its current or, during an automatic rollback, its
 * previous spec: callers pass the effective service) with a fresh id from `ids`: a copy of
 * the task spec, the spec version, the service annotations, the endpoint spec, the log driver
 * (the spec's, else the cluster's default), observed state NEW (no status written yet).
 *
 * Contract: the returned object shares sub-messages with `service` and `cluster`; nobody may
 * mutate either afterwards (planners never mutate their inputs).
 */
export function newTask(
  service: Service,
  cluster: Cluster | undefined,
  ids: IdSource,
  options: NewTaskOptions,
): Task {
  const spec = service.spec;
  assert(spec !== undefined, 'a service has a spec');
  const id = ids();
  assert(id !== '', 'the id source returns non-empty ids');
  const logDriver = spec.task?.logDriver ?? cluster?.spec?.taskDefaults?.logDriver;
  return {
    id,
    spec: spec.task,
    specVersion: service.specVersion,
    serviceId: service.id,
    slot: options.slot,
    nodeId: options.nodeId,
    annotations: { name: taskName(service, options.slot, options.nodeId), labels: {} },
    serviceAnnotations: spec.annotations,
    desiredState: options.desiredState,
    networks: [],
    endpoint: { spec: spec.endpoint, ports: [], virtualIps: [] },
    logDriver,
    assignedGenericResources: [],
    jobIteration: options.jobIteration,
  };
}
