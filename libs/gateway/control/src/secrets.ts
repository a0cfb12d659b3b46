// Secrets and configs: create (name, 500 KiB), get/list (secret data never returned),
// update (labels only, versioned), remove (refused while a service uses it).
import { ShoalError } from '@shoal/errors';
import { commonMatch, secretView, validateConfigSpec, validateLabels, validateSecretSpec } from '@shoal/gateway-spec';
import { newId } from '@shoal/ids';
import { Config, Secret, type Annotations, type Service } from '@shoal/proto';
import type { ControlApi } from './control-api';
import { checkVersion, commitOne, requireVersion, WRITER, type ControlDeps } from './deps';
import { resolveObject } from './resolve';

type SecretMethods = Pick<ControlApi, 'getSecret' | 'listSecrets' | 'createSecret' | 'updateSecret' |
  'removeSecret' | 'getConfig' | 'listConfigs' | 'createConfig' | 'updateConfig' | 'removeConfig'>;

type Kind = 'secret' | 'config';

function referencedIds(service: Service, kind: Kind): string[] {
  const runtime = service.spec?.task?.runtime;
  if (runtime?.$case !== 'container') return [];
  return kind === 'secret' ? runtime.container.secrets.map((s) => s.secretId)
    : runtime.container.configs.map((c) => c.configId);
}

/** refuseInUse: SwarmKit's "secret 'x' is in use by the following service: a, b". */
async function refuseInUse(deps: ControlDeps, kind: Kind, id: string, name: string): Promise<void> {
  const users = (await deps.store.find('service')).objects
    .filter((s) => !s.pendingDelete && referencedIds(s, kind).includes(id))
    .map((s) => s.spec?.annotations?.name ?? s.id);
  if (users.length === 0) return;
  const noun = users.length === 1 ? 'service' : 'services';
  throw ShoalError.invalidArgument(`${kind} '${name}' is in use by the following ${noun}: ${users.join(', ')}`);
}

/** onlyLabelsChange: an update may change labels only (SwarmKit's rule and text). */
function onlyLabelsChange(current: Annotations | undefined, next: Annotations | undefined, data: Uint8Array,
  stored: Uint8Array): void {
  const sameData = data.length === 0 || (data.length === stored.length && data.every((b, i) => b === stored[i]));
  if ((current?.name ?? '') !== (next?.name ?? '') || !sameData) {
    throw ShoalError.invalidArgument('only updates to Labels are allowed');
  }
  validateLabels(next?.labels);
}

function named(o: { id: string; spec?: { annotations?: Annotations } }): { id: string; name: string;
  labels?: Record<string, string> } {
  return { id: o.id, name: o.spec?.annotations?.name ?? '', labels: o.spec?.annotations?.labels };
}

function secretMethodsOnly(deps: ControlDeps): Pick<SecretMethods, 'getSecret' | 'listSecrets' | 'createSecret' |
  'updateSecret' | 'removeSecret'> {
  return {
    getSecret: async (r) => ({ secret: secretView(await resolveObject(deps, 'secret', r.secretId)) }),
    listSecrets: async (r) => ({
      secrets: (await deps.store.find('secret')).objects.filter((s) => commonMatch(named(s), r.filters)).map(secretView),
    }),
    createSecret: async (r) => {
      validateSecretSpec(r.spec);
      const object = Secret.fromPartial({ id: newId(deps.random), spec: r.spec });
      return { secret: secretView(await commitOne(deps, { action: 'create', kind: 'secret', object })) };
    },
    updateSecret: async (r) => {
      const expected = requireVersion('secret', r.secretVersion);
      const current = await resolveObject(deps, 'secret', r.secretId);
      checkVersion(current, expected);
      onlyLabelsChange(current.spec?.annotations, r.spec?.annotations, r.spec?.data ?? new Uint8Array(),
        current.spec?.data ?? new Uint8Array());
      const spec = current.spec === undefined ? undefined : { ...current.spec, annotations: r.spec?.annotations };
      return { secret: secretView(await commitOne(deps, { action: 'update', kind: 'secret', object: { ...current, spec } })) };
    },
    removeSecret: async (r) => {
      const secret = await resolveObject(deps, 'secret', r.secretId);
      await refuseInUse(deps, 'secret', secret.id, secret.spec?.annotations?.name ?? secret.id);
      await deps.store.transaction([{ action: 'delete', kind: 'secret', object: Secret.fromPartial({ id: secret.id }) }],
        { writer: WRITER });
      return {};
    },
  };
}

function configMethodsOnly(deps: ControlDeps): Pick<SecretMethods, 'getConfig' | 'listConfigs' | 'createConfig' |
  'updateConfig' | 'removeConfig'> {
  return {
    getConfig: async (r) => ({ config: await resolveObject(deps, 'config', r.configId) }),
    listConfigs: async (r) => ({
      configs: (await deps.store.find('config')).objects.filter((c) => commonMatch(named(c), r.filters)),
    }),
    createConfig: async (r) => {
      validateConfigSpec(r.spec);
      const object = Config.fromPartial({ id: newId(deps.random), spec: r.spec });
      return { config: await commitOne(deps, { action: 'create', kind: 'config', object }) };
    },
    updateConfig: async (r) => {
      const expected = requireVersion('config', r.configVersion);
      const current = await resolveObject(deps, 'config', r.configId);
      checkVersion(current, expected);
      onlyLabelsChange(current.spec?.annotations, r.spec?.annotations, r.spec?.data ?? new Uint8Array(),
        current.spec?.data ?? new Uint8Array());
      const spec = current.spec === undefined ? undefined : { ...current.spec, annotations: r.spec?.annotations };
      return { config: await commitOne(deps, { action: 'update', kind: 'config', object: { ...current, spec } }) };
    },
    removeConfig: async (r) => {
      const config = await resolveObject(deps, 'config', r.configId);
      await refuseInUse(deps, 'config', config.id, config.spec?.annotations?.name ?? config.id);
      await deps.store.transaction([{ action: 'delete', kind: 'config', object: Config.fromPartial({ id: config.id }) }],
        { writer: WRITER });
      return {};
    },
  };
}

/** secretMethods implements the secret and config parts of the Control API. */
export function secretMethods(deps: ControlDeps): SecretMethods {
  return { ...secretMethodsOnly(deps), ...configMethodsOnly(deps) };
}
