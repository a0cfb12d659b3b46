// Test builders for scheduler-core specs: small, explicit Node and Task objects with only the
// fields a test cares about overridden. Not part of the library.
import {
  NodeRole,
  NodeSpec_Availability,
  NodeSpec_Membership,
  NodeStatus_State,
  PortConfig_Protocol,
  PortConfig_PublishMode,
  TaskState,
  type GenericResource,
  type Node,
  type Placement,
  type Task,
} from '@shoal/proto';

/** NodeOptions are the node attributes tests vary. */
export interface NodeOptions {
  readonly state?: NodeStatus_State;
  readonly availability?: NodeSpec_Availability;
  readonly version?: number;
  readonly hostname?: string;
  readonly addr?: string;
  readonly role?: NodeRole;
  readonly os?: string;
  readonly arch?: string;
  readonly labels?: Record<string, string>;
  readonly engineLabels?: Record<string, string>;
  readonly nanoCpus?: number;
  readonly memoryBytes?: number;
  readonly generic?: GenericResource[];
  readonly plugins?: Array<{ type: string; name: string }>;
  readonly noDescription?: boolean;
}

/** makeNode builds a READY, ACTIVE worker with the given overrides. */
export function makeNode(id: string, o: NodeOptions = {}): Node {
  return {
    id,
    meta: { version: { index: o.version ?? 1 } },
    spec: {
      annotations: { name: id, labels: o.labels ?? {} },
      desiredRole: o.role ?? NodeRole.WORKER,
      membership: NodeSpec_Membership.ACCEPTED,
      availability: o.availability ?? NodeSpec_Availability.ACTIVE,
    },
    status: { state: o.state ?? NodeStatus_State.READY, message: '', addr: o.addr ?? '' },
    description: o.noDescription === true ? undefined : {
      hostname: o.hostname ?? `host-${id}`,
      fips: false,
      platform: o.os === undefined && o.arch === undefined
        ? undefined
        : { os: o.os ?? '', architecture: o.arch ?? '' },
      resources: { nanoCpus: o.nanoCpus ?? 0, memoryBytes: o.memoryBytes ?? 0, generic: o.generic ?? [] },
      engine: { engineVersion: '27.0.0', labels: o.engineLabels ?? {}, plugins: o.plugins ?? [] },
    },
    role: o.role ?? NodeRole.WORKER,
    attachments: [],
  };
}

/** TaskOptions are the task attributes tests vary. */
export interface TaskOptions {
  readonly serviceId?: string;
  readonly specVersion?: number | null;
  readonly nodeId?: string;
  readonly state?: TaskState;
  readonly desired?: TaskState;
  readonly nanoCpus?: number;
  readonly memoryBytes?: number;
  readonly generic?: GenericResource[];
  readonly assigned?: GenericResource[];
  readonly placement?: Partial<Placement>;
  readonly hostPorts?: number[];
}

/** makeTask builds a task whose observed state is `state` (PENDING by default). */
export function makeTask(id: string, o: TaskOptions = {}): Task {
  const state = o.state ?? TaskState.PENDING;
  const status = { state, message: '', err: '', appliedBy: '' };
  return {
    id,
    specVersion: o.specVersion === null ? undefined : { index: o.specVersion ?? 1 },
    serviceId: o.serviceId ?? 'svc',
    slot: 1,
    nodeId: o.nodeId ?? '',
    spec: {
      resources: {
        reservations: { nanoCpus: o.nanoCpus ?? 0, memoryBytes: o.memoryBytes ?? 0, generic: o.generic ?? [] },
      },
      placement: {
        constraints: [],
        preferences: [],
        platforms: [],
        maxReplicas: 0,
        ...o.placement,
      },
      networks: [],
      forceUpdate: 0,
      resourceReferences: [],
    },
    allocatorStatus: state === TaskState.NEW
      ? undefined
      : { state: TaskState.PENDING, message: 'pending task scheduling', err: '', appliedBy: '' },
    status: state > TaskState.PENDING && state !== TaskState.ASSIGNED ? status : undefined,
    schedulerStatus: state === TaskState.ASSIGNED ? status : undefined,
    desiredState: o.desired ?? TaskState.RUNNING,
    networks: [],
    endpoint: o.hostPorts === undefined ? undefined : {
      ports: o.hostPorts.map((p) => ({
        name: '',
        protocol: PortConfig_Protocol.TCP,
        targetPort: 80,
        publishedPort: p,
        publishMode: PortConfig_PublishMode.HOST,
      })),
      virtualIps: [],
    },
    assignedGenericResources: o.assigned ?? [],
  };
}

/** discrete builds a discrete generic resource. */
export function discrete(kind: string, value: number): GenericResource {
  return { resource: { $case: 'discreteResourceSpec', discreteResourceSpec: { kind, value } } };
}

/** named builds a named generic resource. */
export function named(kind: string, value: string): GenericResource {
  return { resource: { $case: 'namedResourceSpec', namedResourceSpec: { kind, value } } };
}

/** countByNode tallies decisions per node id. */
export function countByNode(decisions: ReadonlyArray<{ nodeId: string }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of decisions) out[d.nodeId] = (out[d.nodeId] ?? 0) + 1;
  return out;
}

/** must returns a value a test expects to exist, failing the test when it is undefined. */
export function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}
