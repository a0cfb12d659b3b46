// What a service spec refers to: networks (names resolved to IDs), secrets and configs (which
// must exist), and published ports (which no other service may hold).
import { ShoalError } from '@shoal/errors';
import {
  PortConfig_PublishMode,
  type ConfigReference,
  type PortConfig,
  type SecretReference,
  type Service,
  type ServiceSpec,
  type TaskSpec,
} from '@shoal/proto';
import type { ControlDeps } from './deps';

async function resolveNetworks(deps: ControlDeps, task: TaskSpec): Promise<TaskSpec> {
  if (task.networks.length === 0) return task;
  const networks = (await deps.store.find('network')).objects.filter((n) => !n.pendingDelete);
  const networkOf = (target: string): string => {
    const found = networks.find((n) => n.id === target) ??
      networks.find((n) => n.spec?.annotations?.name.toLowerCase() === target.toLowerCase());
    if (found === undefined) throw ShoalError.notFound('network', target);
    if (found.spec?.ingress === true) {
      throw ShoalError.invalidArgument(`service cannot be explicitly attached to the ingress network "${target}"`);
    }
    return found.id;
  };
  return { ...task, networks: task.networks.map((n) => ({ ...n, target: networkOf(n.target) })) };
}

type Ref = { id: string; name: string };

/** resolveRefs fills each reference's ID from its name (or checks the ID), or lists what is missing. */
async function resolveRefs(deps: ControlDeps, kind: 'secret' | 'config', refs: readonly Ref[]): Promise<Ref[]> {
  if (refs.length === 0) return [];
  const objects = (await deps.store.find(kind)).objects;
  const missing: string[] = [];
  const resolved = refs.map((ref) => {
    const found = objects.find((o) => o.id === ref.id) ??
      objects.find((o) => ref.id === '' && o.spec?.annotations?.name === ref.name);
    if (found === undefined) missing.push(ref.name !== '' ? ref.name : ref.id);
    return { id: found?.id ?? ref.id, name: found?.spec?.annotations?.name ?? ref.name };
  });
  if (missing.length > 0) throw ShoalError.invalidArgument(`${kind} not found: ${missing.join(', ')}`);
  return resolved;
}

/**
 * resolveReferences returns `spec` with network targets, secret and config IDs resolved.
 * Throws NOT_FOUND for an unknown network, INVALID_ARGUMENT "secret not found: a, b".
 */
export async function resolveReferences(deps: ControlDeps, spec: ServiceSpec): Promise<ServiceSpec> {
  if (spec.task === undefined) return spec;
  let task = await resolveNetworks(deps, spec.task);
  const runtime = task.runtime;
  if (runtime?.$case === 'container') {
    const c = runtime.container;
    const secrets = await resolveRefs(deps, 'secret', c.secrets.map((s) => ({ id: s.secretId, name: s.secretName })));
    const configs = await resolveRefs(deps, 'config', c.configs.map((s) => ({ id: s.configId, name: s.configName })));
    const container = {
      ...c,
      secrets: c.secrets.map((s, i): SecretReference => ({ ...s, secretId: secrets[i]?.id ?? s.secretId,
        secretName: secrets[i]?.name ?? s.secretName })),
      configs: c.configs.map((s, i): ConfigReference => ({ ...s, configId: configs[i]?.id ?? s.configId,
        configName: configs[i]?.name ?? s.configName })),
    };
    task = { ...task, runtime: { $case: 'container', container } };
  }
  return { ...spec, task };
}

function portsOf(service: Service): PortConfig[] {
  return [...(service.spec?.endpoint?.ports ?? []), ...(service.endpoint?.ports ?? [])];
}

/**
 * checkPortConflicts refuses published ports another service holds (SwarmKit's rules): a new
 * ingress port may match no other service's ingress or host port; a new host port no other
 * service's ingress port. Throws INVALID_ARGUMENT naming the holder.
 */
export async function checkPortConflicts(deps: ControlDeps, spec: ServiceSpec, selfId: string): Promise<void> {
  const wanted = (spec.endpoint?.ports ?? []).filter((p) => p.publishedPort !== 0);
  if (wanted.length === 0) return;
  const others = (await deps.store.find('service')).objects.filter((s) => s.id !== selfId && !s.pendingDelete);
  for (const port of wanted) {
    for (const other of others) {
      for (const held of portsOf(other)) {
        if (held.publishedPort !== port.publishedPort || held.protocol !== port.protocol) continue;
        const heldIngress = held.publishMode === PortConfig_PublishMode.INGRESS;
        if (port.publishMode === PortConfig_PublishMode.HOST && !heldIngress) continue;
        const as = heldIngress ? 'an ingress port' : 'a host-published port';
        throw ShoalError.invalidArgument(`port '${port.publishedPort}' is already in use by ` +
          `service '${other.spec?.annotations?.name ?? ''}' (${other.id}) as ${as}`);
      }
    }
  }
}
