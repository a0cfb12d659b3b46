// The fake's networks, secrets, configs, clusters (versioned update, token rotation) and resources.
import { ShoalError } from '@shoal/errors';
import type { ControlApi } from '@shoal/gateway-control';
import { validateClusterSpec } from '@shoal/gateway-spec';
import type { Cluster, Config, Network, Secret } from '@shoal/proto';
import type { FakeControlApi } from './fake-control-api';
import { matchesCommon } from './fake-filters';

type NetworkMethods = Pick<ControlApi, 'getNetwork' | 'listNetworks' | 'createNetwork' | 'removeNetwork'>;

function networkMethods(f: FakeControlApi): NetworkMethods {
  const nameOf = (n: Network) => n.spec?.annotations?.name ?? '';
  const byIdOrName = (id: string, name: string) => {
    const found = [...f.networks.values()].find((n) => n.id === id || (name !== '' && nameOf(n) === name));
    if (found === undefined) throw ShoalError.notFound('network', id || name);
    return found;
  };
  return {
    getNetwork: async (r) => (f.enter('getNetwork'), { network: byIdOrName(r.networkId, r.name) }),
    listNetworks: async (r) => (f.enter('listNetworks'), {
      networks: [...f.networks.values()].filter((n) => matchesCommon(n.id, [nameOf(n)], n.spec?.annotations?.labels ?? {}, r.filters)),
    }),
    createNetwork: async (r) => {
      f.enter('createNetwork');
      f.checkName(f.networks, 'network', r.spec?.annotations?.name ?? '', nameOf);
      const network: Network = { id: f.ids.id(), meta: f.meta(), spec: r.spec, pendingDelete: false };
      f.networks.set(network.id, network);
      return { network };
    },
    removeNetwork: async (r) => {
      f.enter('removeNetwork');
      f.networks.delete(byIdOrName(r.networkId, r.name).id);
      return {};
    },
  };
}

type SecretMethods = Pick<ControlApi, 'getSecret' | 'listSecrets' | 'createSecret' | 'updateSecret' | 'removeSecret'>;

function secretMethods(f: FakeControlApi): SecretMethods {
  const nameOf = (s: Secret) => s.spec?.annotations?.name ?? '';
  const redact = (s: Secret): Secret => ({ ...s, spec: s.spec === undefined ? undefined : { ...s.spec, data: Buffer.alloc(0) } });
  return {
    getSecret: async (r) => (f.enter('getSecret'), { secret: redact(f.find(f.secrets, 'secret', r.secretId)) }),
    listSecrets: async (r) => (f.enter('listSecrets'), {
      secrets: [...f.secrets.values()].filter((s) => matchesCommon(s.id, [nameOf(s)], s.spec?.annotations?.labels ?? {}, r.filters)).map(redact),
    }),
    createSecret: async (r) => {
      f.enter('createSecret');
      f.checkName(f.secrets, 'secret', r.spec?.annotations?.name ?? '', nameOf);
      const secret: Secret = { id: f.ids.id(), meta: f.meta(), spec: r.spec, internal: false };
      f.secrets.set(secret.id, secret);
      return { secret: redact(secret) };
    },
    updateSecret: async (r) => {
      f.enter('updateSecret');
      const old = f.find(f.secrets, 'secret', r.secretId);
      f.checkVersion(old, r.secretVersion?.index);
      const secret: Secret = { ...old, meta: f.meta(old.meta?.createdAt), spec: old.spec === undefined ? undefined
        : { ...old.spec, annotations: { name: nameOf(old), labels: r.spec?.annotations?.labels ?? {} } } };
      f.secrets.set(secret.id, secret);
      return { secret: redact(secret) };
    },
    removeSecret: async (r) => (f.enter('removeSecret'), f.find(f.secrets, 'secret', r.secretId), f.secrets.delete(r.secretId), {}),
  };
}

type ConfigMethods = Pick<ControlApi, 'getConfig' | 'listConfigs' | 'createConfig' | 'updateConfig' | 'removeConfig'>;

function configMethods(f: FakeControlApi): ConfigMethods {
  const nameOf = (c: Config) => c.spec?.annotations?.name ?? '';
  return {
    getConfig: async (r) => (f.enter('getConfig'), { config: f.find(f.configs, 'config', r.configId) }),
    listConfigs: async (r) => (f.enter('listConfigs'), {
      configs: [...f.configs.values()].filter((c) => matchesCommon(c.id, [nameOf(c)], c.spec?.annotations?.labels ?? {}, r.filters)),
    }),
    createConfig: async (r) => {
      f.enter('createConfig');
      f.checkName(f.configs, 'config', r.spec?.annotations?.name ?? '', nameOf);
      const config: Config = { id: f.ids.id(), meta: f.meta(), spec: r.spec };
      f.configs.set(config.id, config);
      return { config };
    },
    updateConfig: async (r) => {
      f.enter('updateConfig');
      const old = f.find(f.configs, 'config', r.configId);
      f.checkVersion(old, r.configVersion?.index);
      const config: Config = { ...old, meta: f.meta(old.meta?.createdAt), spec: old.spec === undefined ? undefined
        : { ...old.spec, annotations: { name: nameOf(old), labels: r.spec?.annotations?.labels ?? {} } } };
      f.configs.set(config.id, config);
      return { config };
    },
    removeConfig: async (r) => (f.enter('removeConfig'), f.find(f.configs, 'config', r.configId), f.configs.delete(r.configId), {}),
  };
}

type RestMethods = Pick<ControlApi, 'getCluster' | 'listClusters' | 'updateCluster' | 'getResource' | 'updateResource'
  | 'listResources' | 'createResource' | 'removeResource'>;

function restMethods(f: FakeControlApi): RestMethods {
  const unimplemented = (what: string) => async () => {
    f.enter(what);
    throw ShoalError.unimplemented(`the fake Control API has no ${what}`);
  };
  return {
    getCluster: async (r) => (f.enter('getCluster'), { cluster: f.find(f.clusters, 'cluster', r.clusterId) }),
    listClusters: async () => (f.enter('listClusters'), { clusters: [...f.clusters.values()] }),
    updateCluster: async (r) => {
      f.enter('updateCluster');
      validateClusterSpec(r.spec);
      const old = f.find(f.clusters, 'cluster', r.clusterId);
      f.checkVersion(old, r.clusterVersion?.index);
      const tokens = old.joinTokens ?? { worker: '', manager: '' };
      const cluster: Cluster = {
        ...old, meta: f.meta(old.meta?.createdAt), spec: r.spec,
        joinTokens: {
          worker: r.rotation?.workerJoinToken === true ? f.ids.id() : tokens.worker,
          manager: r.rotation?.managerJoinToken === true ? f.ids.id() : tokens.manager,
        },
      };
      f.clusters.set(cluster.id, cluster);
      return { cluster };
    },
    getResource: unimplemented('getResource'),
    updateResource: unimplemented('updateResource'),
    listResources: async () => (f.enter('listResources'), { resources: [] }),
    createResource: unimplemented('createResource'),
    removeResource: unimplemented('removeResource'),
  };
}

/** fakeObjectMethods are the fake's ControlApi methods for everything but services, tasks and nodes. */
export function fakeObjectMethods(f: FakeControlApi) {
  return { ...networkMethods(f), ...secretMethods(f), ...configMethods(f), ...restMethods(f) };
}
