// Test fixtures for the orchestrator planners: small builders for services, nodes and tasks
// with readable defaults, a counting id source, and action-list helpers.
import {
  durationFromMs,
  NodeRole,
  NodeSpec_Availability,
  NodeSpec_Membership,
  NodeStatus_State,
  RestartPolicy_Condition,
  TaskState,
  type Cluster,
  type Node,
  type RestartPolicy,
  type Service,
  type ServiceSpec,
  type Task,
  type UpdateConfig,
  type UpdateStatus,
  UpdateStatus_State,
} from '@shoal/proto';
import type { Action } from '../actions';
import type { IdSource } from '../new-task';

/** T0 is the tests' epoch. */
export const T0 = Date.UTC(2026, 0, 1);

/** at returns T0 + `s` seconds as a Date. */
export const at = (s: number): Date => new Date(T0 + s * 1000);

/** counterIds returns an id source yielding `new1`, `new2`, … */
export function counterIds(prefix = 'new'): IdSource {
  let n = 0;
  return () => `${prefix}${++n}`;
}

export interface ServiceOptions {
  readonly id?: string;
  readonly name?: string;
  readonly mode?: ServiceSpec['mode'];
  readonly replicas?: number;
  readonly version?: number;
  readonly image?: string;
  readonly restart?: Partial<RestartPolicy> & { delayMs?: number; windowMs?: number };
  readonly update?: Partial<UpdateConfig> & { delayMs?: number; monitorMs?: number };
  readonly rollback?: Partial<UpdateConfig> & { delayMs?: number; monitorMs?: number };
  readonly constraints?: string[];
  readonly forceUpdate?: number;
  readonly updateStatus?: UpdateStatus;
  readonly previous?: { spec: ServiceSpec; version: number };
}

function restartPolicy(o: ServiceOptions['restart']): RestartPolicy | undefined {
  if (o === undefined) return { condition: RestartPolicy_Condition.ANY, delay: durationFromMs(0), maxAttempts: 0 };
  return {
    condition: o.condition ?? RestartPolicy_Condition.ANY,
    delay: durationFromMs(o.delayMs ?? 0),
    maxAttempts: o.maxAttempts ?? 0,
    window: o.windowMs !== undefined ? durationFromMs(o.windowMs) : undefined,
  };
}

function updateConfig(o: ServiceOptions['update']): UpdateConfig | undefined {
  if (o === undefined) return undefined;
  return {
    parallelism: o.parallelism ?? 1,
    delay: durationFromMs(o.delayMs ?? 0),
    failureAction: o.failureAction ?? 0,
    monitor: durationFromMs(o.monitorMs ?? 5000),
    maxFailureRatio: o.maxFailureRatio ?? 0,
    order: o.order ?? 0,
  };
}

/** specOf builds a ServiceSpec (restart delay 0 unless set, so tests opt into delays). */
export function specOf(o: ServiceOptions = {}): ServiceSpec {
  return {
    annotations: { name: o.name ?? 'web', labels: {} },
    task: {
      runtime: { $case: 'container', container: containerOf(o.image ?? 'nginx:1') },
      restart: restartPolicy(o.restart),
      placement: o.constraints ? { constraints: o.constraints, preferences: [], platforms: [], maxReplicas: 0 } : undefined,
      networks: [],
      forceUpdate: o.forceUpdate ?? 0,
      resourceReferences: [],
    },
    mode: o.mode ?? { $case: 'replicated', replicated: { replicas: o.replicas ?? 3 } },
    update: updateConfig(o.update),
    rollback: updateConfig(o.rollback),
  };
}

function containerOf(image: string) {
  return {
    image, labels: {}, command: [], args: [], hostname: '', env: [], dir: '', user: '', groups: [],
    init: false, tty: false, openStdin: false, readOnly: false, stopSignal: '', mounts: [],
    secrets: [], configs: [], hosts: [], isolation: 0, pidsLimit: 0, sysctls: {},
    capabilityAdd: [], capabilityDrop: [], ulimits: [], oomScoreAdj: 0,
  } as never;
}

/** serviceOf builds a stored Service at meta version 10. */
export function serviceOf(o: ServiceOptions = {}): Service {
  return {
    id: o.id ?? 'svc',
    meta: { version: { index: 10 }, createdAt: at(0), updatedAt: at(0) },
    spec: specOf(o),
    specVersion: { index: o.version ?? 1 },
    previousSpec: o.previous?.spec,
    previousSpecVersion: o.previous ? { index: o.previous.version } : undefined,
    updateStatus: o.updateStatus,
    pendingDelete: false,
  };
}

export interface NodeOptions {
  readonly state?: NodeStatus_State;
  readonly availability?: NodeSpec_Availability;
  readonly labels?: Record<string, string>;
}

/** nodeOf builds a READY, ACTIVE worker node. */
export function nodeOf(id: string, o: NodeOptions = {}): Node {
  return {
    id,
    spec: {
      annotations: { name: id, labels: o.labels ?? {} },
      desiredRole: NodeRole.WORKER,
      membership: NodeSpec_Membership.ACCEPTED,
      availability: o.availability ?? NodeSpec_Availability.ACTIVE,
    },
    description: { hostname: `host-${id}`, fips: false },
    status: { state: o.state ?? NodeStatus_State.READY, message: '', addr: '10.0.0.1' },
    role: NodeRole.WORKER,
    attachments: [],
  };
}

export interface TaskOptions {
  readonly id: string;
  readonly slot?: number;
  readonly nodeId?: string;
  readonly desired?: TaskState;
  readonly observed?: TaskState;
  /** Seconds after T0 the store created the task. */
  readonly created?: number;
  /** Seconds after T0 the observed state was reached (default: created). */
  readonly statusAt?: number;
  /** Build from this service spec and version instead of the service's current ones. */
  readonly spec?: ServiceSpec;
  readonly version?: number;
}

/** taskOf builds a stored task of `service` (its current spec unless overridden). */
export function taskOf(service: Service, o: TaskOptions): Task {
  const spec = o.spec ?? service.spec;
  const observed = o.observed ?? TaskState.RUNNING;
  const created = o.created ?? 0;
  const status = observed === TaskState.NEW ? undefined : {
    timestamp: at(o.statusAt ?? created), state: observed, message: '', err: '',
    appliedBy: '', appliedAt: at(o.statusAt ?? created),
  };
  return {
    id: o.id,
    meta: { version: { index: 5 }, createdAt: at(created), updatedAt: at(created) },
    spec: spec?.task,
    specVersion: { index: o.version ?? service.specVersion?.index ?? 1 },
    serviceId: service.id,
    slot: o.slot ?? 0,
    nodeId: o.nodeId ?? (observed >= TaskState.ASSIGNED ? 'n1' : ''),
    annotations: { name: `${service.spec?.annotations?.name}.${o.slot ?? 0}`, labels: {} },
    serviceAnnotations: spec?.annotations,
    status,
    desiredState: o.desired ?? TaskState.RUNNING,
    networks: [],
    endpoint: { spec: spec?.endpoint, ports: [], virtualIps: [] },
    assignedGenericResources: [],
  };
}

/** clusterOf builds a cluster with a task history retention limit. */
export function clusterOf(retention = 5): Cluster {
  return {
    id: 'cluster', spec: { orchestration: { taskHistoryRetentionLimit: retention } },
    networkBootstrapKeys: [], encryptionKeyLamportClock: 0, blacklistedCertificates: {},
    unlockKeys: [], fips: false, defaultAddressPool: [], subnetSize: 24, vxlanUdpPort: 4789,
  };
}

/** A compact, readable rendering of an action for exact-list assertions. */
export function brief(a: Action): string {
  switch (a.type) {
    case 'CreateTask':
      return `create ${a.task.id} slot=${a.task.slot}${a.task.nodeId ? ` node=${a.task.nodeId}` : ''} v${a.task.specVersion?.index} ${TaskState[a.task.desiredState]}`;
    case 'UpdateTask':
      return `update ${a.taskId} ${TaskState[a.changes.desiredState ?? 0]}`;
    case 'DeleteTask':
      return `delete ${a.taskId}`;
    case 'UpdateServiceStatus':
      return `status ${a.updateStatus === null ? 'cleared' : a.updateStatus ? `${UpdateStatus_State[a.updateStatus.state]}: ${a.updateStatus.message}` : '-'}${a.jobStatus ? ` job=${a.jobStatus.jobIteration?.index}` : ''}`;
    case 'RequeueAfter':
      return `requeue ${a.ms}`;
  }
}

/** briefs renders a whole plan. */
export const briefs = (actions: readonly Action[]): string[] => actions.map(brief);
