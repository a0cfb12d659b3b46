// The Lookup of each object kind over the Control API.
import type { ControlApi } from '@shoal/gateway-control';
import {
  ListConfigsRequest, ListNetworksRequest, ListNodesRequest, ListSecretsRequest, ListServicesRequest,
  ListTasksRequest, type Config, type Network, type Node, type Secret, type Service, type Task,
} from '@shoal/proto';
import { ShoalError } from '@shoal/errors';
import type { Lookup } from './resolve';

function present<T>(kind: string, id: string, t: T | undefined): T {
  if (t === undefined) throw ShoalError.notFound(kind, id);
  return t;
}

/** serviceLookup finds services; `insertDefaults` fills unset spec fields in what it returns. */
export function serviceLookup(api: ControlApi, insertDefaults = false): Lookup<Service> {
  return {
    kind: 'service',
    get: async (id) => present('service', id, (await api.getService({ serviceId: id, insertDefaults })).service),
    byName: async (name) => (await api.listServices(ListServicesRequest.fromPartial({ filters: { names: [name] } }))).services,
    byIdPrefix: async (p) => (await api.listServices(ListServicesRequest.fromPartial({ filters: { idPrefixes: [p] } }))).services,
    idOf: (s) => s.id,
    namesOf: (s) => [s.spec?.annotations?.name ?? ''],
  };
}

/** nodeLookup finds nodes by ID, spec name or hostname, or ID prefix. */
export function nodeLookup(api: ControlApi): Lookup<Node> {
  return {
    kind: 'node',
    get: async (id) => present('node', id, (await api.getNode({ nodeId: id })).node),
    // All nodes, filtered by the caller: a node answers to its spec name and to its hostname.
    byName: async () => (await api.listNodes(ListNodesRequest.fromPartial({}))).nodes,
    byIdPrefix: async (p) => (await api.listNodes(ListNodesRequest.fromPartial({ filters: { idPrefixes: [p] } }))).nodes,
    idOf: (n) => n.id,
    namesOf: (n) => [n.spec?.annotations?.name ?? '', n.description?.hostname ?? ''].filter((s) => s !== ''),
  };
}

/** taskLookup finds tasks by ID or ID prefix (task names are not unique). */
export function taskLookup(api: ControlApi): Lookup<Task> {
  return {
    kind: 'task',
    get: async (id) => present('task', id, (await api.getTask({ taskId: id })).task),
    byName: () => Promise.resolve([]),
    byIdPrefix: async (p) => (await api.listTasks(ListTasksRequest.fromPartial({ filters: { idPrefixes: [p] } }))).tasks,
    idOf: (t) => t.id,
    namesOf: () => [],
  };
}

/** networkLookup finds networks by ID, name or ID prefix. */
export function networkLookup(api: ControlApi): Lookup<Network> {
  return {
    kind: 'network',
    get: async (id) => present('network', id, (await api.getNetwork({ networkId: id, name: '' })).network),
    byName: async (name) => (await api.listNetworks(ListNetworksRequest.fromPartial({ filters: { names: [name] } }))).networks,
    byIdPrefix: async (p) => (await api.listNetworks(ListNetworksRequest.fromPartial({ filters: { idPrefixes: [p] } }))).networks,
    idOf: (n) => n.id,
    namesOf: (n) => [n.spec?.annotations?.name ?? ''],
  };
}

/** secretLookup finds secrets by ID, name or ID prefix. */
export function secretLookup(api: ControlApi): Lookup<Secret> {
  return {
    kind: 'secret',
    get: async (id) => present('secret', id, (await api.getSecret({ secretId: id })).secret),
    byName: async (name) => (await api.listSecrets(ListSecretsRequest.fromPartial({ filters: { names: [name] } }))).secrets,
    byIdPrefix: async (p) => (await api.listSecrets(ListSecretsRequest.fromPartial({ filters: { idPrefixes: [p] } }))).secrets,
    idOf: (s) => s.id,
    namesOf: (s) => [s.spec?.annotations?.name ?? ''],
  };
}

/** configLookup finds configs by ID, name or ID prefix. */
export function configLookup(api: ControlApi): Lookup<Config> {
  return {
    kind: 'config',
    get: async (id) => present('config', id, (await api.getConfig({ configId: id })).config),
    byName: async (name) => (await api.listConfigs(ListConfigsRequest.fromPartial({ filters: { names: [name] } }))).configs,
    byIdPrefix: async (p) => (await api.listConfigs(ListConfigsRequest.fromPartial({ filters: { idPrefixes: [p] } }))).configs,
    idOf: (c) => c.id,
    namesOf: (c) => [c.spec?.annotations?.name ?? ''],
  };
}
