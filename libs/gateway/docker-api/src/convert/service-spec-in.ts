// Docker ServiceSpec JSON -> shoal.v1 ServiceSpec (the body of service create and update).
import {
  EndpointSpec_ResolutionMode as ResolutionMode,
  PortConfig_Protocol as Protocol,
  PortConfig_PublishMode as PublishMode,
  RestartPolicy_Condition as RestartCondition,
  UpdateConfig_FailureAction as FailureAction,
  UpdateConfig_Order as UpdateOrder,
  type EndpointSpec,
  type GenericResource,
  type NetworkAttachmentConfig,
  type Placement,
  type ResourceRequirements,
  type Resources,
  type RestartPolicy,
  type ServiceSpec,
  type TaskSpec,
  type UpdateConfig,
} from '@shoal/proto';
import { ShoalError } from '@shoal/errors';
import { containerSpecFromDocker } from './container-in';
import {
  FAILURE_ACTION, PROTOCOL, PUBLISH_MODE, RESOLUTION_MODE, RESTART_CONDITION, UPDATE_ORDER,
} from './enums';
import {
  fieldsOf, has, int, num, objList, optInt, str, strList, strMap, sub, type Fields,
} from './json';
import { durationField, durationFromNanos } from './time';

function genericFrom(f: Fields): GenericResource {
  const named = sub(f, 'NamedResourceSpec');
  if (named !== undefined) {
    return { resource: { $case: 'namedResourceSpec', namedResourceSpec: { kind: str(named, 'Kind'), value: str(named, 'Value') } } };
  }
  const discrete = sub(f, 'DiscreteResourceSpec');
  if (discrete === undefined) throw ShoalError.invalidArgument(`${f.path}: a generic resource needs NamedResourceSpec or DiscreteResourceSpec`);
  return { resource: { $case: 'discreteResourceSpec', discreteResourceSpec: { kind: str(discrete, 'Kind'), value: int(discrete, 'Value') } } };
}

function resourcesFrom(f: Fields | undefined): Resources | undefined {
  if (f === undefined) return undefined;
  return { nanoCpus: int(f, 'NanoCPUs'), memoryBytes: int(f, 'MemoryBytes'), generic: objList(f, 'GenericResources').map(genericFrom) };
}

function requirementsFrom(f: Fields | undefined): ResourceRequirements | undefined {
  if (f === undefined) return undefined;
  return {
    limits: resourcesFrom(sub(f, 'Limits')), reservations: resourcesFrom(sub(f, 'Reservations')),
    swapBytes: optInt(f, 'SwapBytes'), memorySwappiness: optInt(f, 'MemorySwappiness'),
  };
}

function restartFrom(f: Fields | undefined): RestartPolicy | undefined {
  if (f === undefined) return undefined;
  return {
    condition: RESTART_CONDITION.fromDocker(str(f, 'Condition'), 'RestartPolicy.Condition', RestartCondition.ANY),
    delay: durationField(f, 'Delay'), maxAttempts: int(f, 'MaxAttempts', true), window: durationField(f, 'Window'),
  };
}

function placementFrom(f: Fields | undefined): Placement | undefined {
  if (f === undefined) return undefined;
  return {
    constraints: strList(f, 'Constraints'),
    preferences: objList(f, 'Preferences').map((p) => {
      const spread = sub(p, 'Spread');
      if (spread === undefined) throw ShoalError.invalidArgument(`${p.path}: only Spread placement preferences exist`);
      return { preference: { $case: 'spread' as const, spread: { spreadDescriptor: str(spread, 'SpreadDescriptor') } } };
    }),
    platforms: objList(f, 'Platforms').map((p) => ({ architecture: str(p, 'Architecture'), os: str(p, 'OS') })),
    maxReplicas: int(f, 'MaxReplicas', true),
  };
}

function networksFrom(f: Fields, key: string): NetworkAttachmentConfig[] {
  return objList(f, key).map((n) => ({
    target: str(n, 'Target'), aliases: strList(n, 'Aliases'), addresses: [], driverAttachmentOpts: strMap(n, 'DriverOpts'),
  }));
}

/** taskSpecFromDocker converts a Docker TaskSpec (`TaskTemplate`) to shoal.v1. */
export function taskSpecFromDocker(f: Fields): TaskSpec {
  const runtime = str(f, 'Runtime');
  if (runtime !== '' && runtime !== 'container') {
    throw ShoalError.invalidArgument(`TaskTemplate.Runtime ${JSON.stringify(runtime)} is not supported: Shoal runs containers only`);
  }
  if (has(f, 'PluginSpec')) throw ShoalError.invalidArgument('plugin services are not supported: Shoal runs containers only');
  const resources = sub(f, 'Resources');
  const pids = resources === undefined ? undefined : sub(resources, 'Limits');
  const container = sub(f, 'ContainerSpec');
  const attachment = sub(f, 'NetworkAttachmentSpec');
  const log = sub(f, 'LogDriver');
  return {
    runtime: container !== undefined
      ? { $case: 'container', container: containerSpecFromDocker(container, pids === undefined ? 0 : int(pids, 'Pids')) }
      : attachment !== undefined ? { $case: 'attachment', attachment: { containerId: str(attachment, 'ContainerID') } } : undefined,
    resources: requirementsFrom(resources), restart: restartFrom(sub(f, 'RestartPolicy')),
    placement: placementFrom(sub(f, 'Placement')),
    logDriver: log === undefined ? undefined : { name: str(log, 'Name'), options: strMap(log, 'Options') },
    networks: networksFrom(f, 'Networks'), forceUpdate: int(f, 'ForceUpdate', true), resourceReferences: [],
  };
}

function updateFrom(f: Fields | undefined, what: string): UpdateConfig | undefined {
  if (f === undefined) return undefined;
  return {
    parallelism: int(f, 'Parallelism', true), delay: durationFromNanos(int(f, 'Delay')),
    failureAction: FAILURE_ACTION.fromDocker(str(f, 'FailureAction'), `${what}.FailureAction`, FailureAction.PAUSE),
    monitor: durationField(f, 'Monitor'), maxFailureRatio: num(f, 'MaxFailureRatio'),
    order: UPDATE_ORDER.fromDocker(str(f, 'Order'), `${what}.Order`, UpdateOrder.STOP_FIRST),
  };
}

/**
 * endpointFrom reads an EndpointSpec. The default one (VIP, no ports; the CLI always sends it)
 * becomes unset, which means the same: the store keeps no all-default message, so a set one
 * would never match the allocated endpoint and the allocator would rewrite it forever.
 */
function endpointFrom(f: Fields | undefined): EndpointSpec | undefined {
  if (f === undefined) return undefined;
  const mode = str(f, 'Mode');
  if ((mode === '' || mode === 'vip') && objList(f, 'Ports').length === 0) return undefined;
  return {
    mode: RESOLUTION_MODE.fromDocker(str(f, 'Mode'), 'EndpointSpec.Mode', ResolutionMode.VIP),
    ports: objList(f, 'Ports').map((p) => ({
      name: str(p, 'Name'), protocol: PROTOCOL.fromDocker(str(p, 'Protocol'), 'Port.Protocol', Protocol.TCP),
      targetPort: int(p, 'TargetPort', true), publishedPort: int(p, 'PublishedPort', true),
      publishMode: PUBLISH_MODE.fromDocker(str(p, 'PublishMode'), 'Port.PublishMode', PublishMode.INGRESS),
    })),
  };
}

function modeFrom(f: Fields | undefined): ServiceSpec['mode'] {
  const replicated = f === undefined ? undefined : sub(f, 'Replicated');
  if (f === undefined || replicated !== undefined) {
    const replicas = replicated === undefined ? undefined : optInt(replicated, 'Replicas', true);
    return { $case: 'replicated', replicated: { replicas: replicas ?? 1 } };
  }
  if (has(f, 'Global')) return { $case: 'global', global: {} };
  const job = sub(f, 'ReplicatedJob');
  if (job !== undefined) {
    const maxConcurrent = optInt(job, 'MaxConcurrent', true) ?? 1;
    const totalCompletions = optInt(job, 'TotalCompletions', true) ?? maxConcurrent;
    return { $case: 'replicatedJob', replicatedJob: { maxConcurrent, totalCompletions } };
  }
  if (has(f, 'GlobalJob')) return { $case: 'globalJob', globalJob: {} };
  return { $case: 'replicated', replicated: { replicas: 1 } };
}

/**
 * serviceSpecFromDocker converts the body of `POST /services/create` or `/update` to a
 * shoal.v1 ServiceSpec. A spec without a mode is replicated with 1 replica (dockerd's rule);
 * the deprecated top-level `Networks` is used when `TaskTemplate.Networks` is empty. Throws
 * INVALID_ARGUMENT naming the field for malformed input; semantic validation (image format,
 * constraints, ...) is the Control API's.
 */
export function serviceSpecFromDocker(body: unknown): ServiceSpec {
  const f = fieldsOf(body, 'ServiceSpec');
  if (f === undefined) throw ShoalError.invalidArgument('the request body must be a JSON ServiceSpec');
  const template = sub(f, 'TaskTemplate');
  const task = template === undefined ? taskSpecFromDocker({ value: {}, path: 'TaskTemplate' }) : taskSpecFromDocker(template);
  if (task.networks.length === 0) task.networks = networksFrom(f, 'Networks');
  return {
    annotations: { name: str(f, 'Name'), labels: strMap(f, 'Labels') },
    task, mode: modeFrom(sub(f, 'Mode')),
    update: updateFrom(sub(f, 'UpdateConfig'), 'UpdateConfig'),
    rollback: updateFrom(sub(f, 'RollbackConfig'), 'RollbackConfig'),
    endpoint: endpointFrom(sub(f, 'EndpointSpec')),
  };
}
