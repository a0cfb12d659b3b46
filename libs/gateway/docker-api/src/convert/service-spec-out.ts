// shoal.v1 ServiceSpec / TaskSpec -> Docker JSON.
import type {
  EndpointSpec, GenericResource, PortConfig, ResourceRequirements, Resources, ServiceSpec, TaskSpec, UpdateConfig,
} from '@shoal/proto';
import { containerSpecJson } from './container-out';
import {
  FAILURE_ACTION, PROTOCOL, PUBLISH_MODE, RESOLUTION_MODE, RESTART_CONDITION, UPDATE_ORDER,
} from './enums';
import { nonEmptyList, nonEmptyMap, type JsonObject } from './json';
import { nanosFromDuration } from './time';

function genericJson(g: GenericResource): JsonObject {
  const r = g.resource;
  if (r?.$case === 'namedResourceSpec') return { NamedResourceSpec: { Kind: r.namedResourceSpec.kind, Value: r.namedResourceSpec.value } };
  if (r?.$case === 'discreteResourceSpec') {
    return { DiscreteResourceSpec: { Kind: r.discreteResourceSpec.kind, Value: r.discreteResourceSpec.value } };
  }
  return {};
}

/** resourcesJson converts Resources to Docker's `{NanoCPUs, MemoryBytes, GenericResources}`. */
export function resourcesJson(r: Resources | undefined, pids?: number): JsonObject | undefined {
  if (r === undefined && pids === undefined) return undefined;
  return {
    NanoCPUs: r?.nanoCpus || undefined, MemoryBytes: r?.memoryBytes || undefined,
    GenericResources: nonEmptyList((r?.generic ?? []).map(genericJson)), Pids: pids,
  };
}

function requirementsJson(r: ResourceRequirements | undefined, pidsLimit: number): JsonObject {
  const pids = pidsLimit === 0 ? undefined : pidsLimit;
  return {
    Limits: resourcesJson(r?.limits, pids) ?? {}, Reservations: resourcesJson(r?.reservations) ?? {},
    SwapBytes: r?.swapBytes, MemorySwappiness: r?.memorySwappiness,
  };
}

/** taskSpecJson converts a shoal.v1 TaskSpec to Docker's `TaskTemplate` JSON. */
export function taskSpecJson(t: TaskSpec | undefined): JsonObject {
  if (t === undefined) return {};
  const runtime = t.runtime;
  const container = runtime?.$case === 'container' ? runtime.container : undefined;
  const restart = t.restart;
  const placement = t.placement;
  return {
    ContainerSpec: container === undefined ? undefined : containerSpecJson(container),
    NetworkAttachmentSpec: runtime?.$case === 'attachment' ? { ContainerID: runtime.attachment.containerId } : undefined,
    Resources: requirementsJson(t.resources, container?.pidsLimit ?? 0),
    RestartPolicy: restart === undefined ? undefined : {
      Condition: RESTART_CONDITION.toDocker(restart.condition), Delay: nanosFromDuration(restart.delay),
      MaxAttempts: restart.maxAttempts, Window: nanosFromDuration(restart.window),
    },
    Placement: placement === undefined ? {} : {
      Constraints: nonEmptyList(placement.constraints),
      Preferences: nonEmptyList(placement.preferences.map((p) => (p.preference?.$case === 'spread'
        ? { Spread: { SpreadDescriptor: p.preference.spread.spreadDescriptor } } : {}))),
      MaxReplicas: placement.maxReplicas || undefined,
      Platforms: nonEmptyList(placement.platforms.map((p) => ({ Architecture: p.architecture, OS: p.os }))),
    },
    Networks: nonEmptyList(t.networks.map((n) => ({
      Target: n.target, Aliases: nonEmptyList(n.aliases), DriverOpts: nonEmptyMap(n.driverAttachmentOpts),
    }))),
    LogDriver: t.logDriver === undefined ? undefined : { Name: t.logDriver.name, Options: nonEmptyMap(t.logDriver.options) },
    ForceUpdate: t.forceUpdate,
    Runtime: runtime?.$case === 'attachment' ? 'attachment' : 'container',
  };
}

function updateJson(u: UpdateConfig | undefined): JsonObject | undefined {
  if (u === undefined) return undefined;
  return {
    Parallelism: u.parallelism, Delay: nanosFromDuration(u.delay), FailureAction: FAILURE_ACTION.toDocker(u.failureAction),
    Monitor: nanosFromDuration(u.monitor), MaxFailureRatio: u.maxFailureRatio, Order: UPDATE_ORDER.toDocker(u.order),
  };
}

/** portJson converts a PortConfig to Docker's `{Protocol, TargetPort, PublishedPort, PublishMode}`. */
export function portJson(p: PortConfig): JsonObject {
  return {
    Name: p.name === '' ? undefined : p.name, Protocol: PROTOCOL.toDocker(p.protocol), TargetPort: p.targetPort,
    PublishedPort: p.publishedPort, PublishMode: PUBLISH_MODE.toDocker(p.publishMode),
  };
}

/** endpointSpecJson converts an EndpointSpec to Docker's JSON. */
export function endpointSpecJson(e: EndpointSpec | undefined): JsonObject | undefined {
  if (e === undefined) return undefined;
  return { Mode: RESOLUTION_MODE.toDocker(e.mode), Ports: nonEmptyList(e.ports.map(portJson)) };
}

function modeJson(mode: ServiceSpec['mode']): JsonObject {
  switch (mode?.$case) {
    case 'global':
      return { Global: {} };
    case 'replicatedJob':
      return { ReplicatedJob: { MaxConcurrent: mode.replicatedJob.maxConcurrent, TotalCompletions: mode.replicatedJob.totalCompletions } };
    case 'globalJob':
      return { GlobalJob: {} };
    case 'replicated':
      return { Replicated: { Replicas: mode.replicated.replicas } };
    default:
      return {};
  }
}

/** serviceSpecJson converts a shoal.v1 ServiceSpec to Docker's ServiceSpec JSON. */
export function serviceSpecJson(s: ServiceSpec | undefined): JsonObject {
  if (s === undefined) return {};
  return {
    Name: s.annotations?.name ?? '', Labels: { ...(s.annotations?.labels ?? {}) },
    TaskTemplate: taskSpecJson(s.task), Mode: modeJson(s.mode),
    UpdateConfig: updateJson(s.update), RollbackConfig: updateJson(s.rollback),
    EndpointSpec: endpointSpecJson(s.endpoint) ?? { Mode: 'vip' },
  };
}
