// Secrets and configs: create (name, 500 KiB), get/list (secret data never returned),
// update (labels only, versioned), remove (refused while a service uses it).
import { ShoalError } from '@shoal/errors';
import { commonMatch, secretView, validateConfigSpec, validateLabels, validateSecretSpec } from '@shoal/gateway-spec';
import { newId } from '@shoal/ids';
import { Config, Secret, type Annotations, type Service, type StoredKindTypes, type Version } from '@shoal/proto';
import type { ClientChange } from '@shoal/store-client';
import type { ControlApi } from './control-api';
import { checkVersion, commitOne, requireVersion, WRITER, type ControlDeps } from './deps';
import { commitUpdate } from './commit-update';
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

/** updateLabels is UpdateSecret / UpdateConfig: versioned, labels only. */
async function updateLabels<K extends Kind>(deps: ControlDeps, kind: K, ref: string, version: Version | undefined,
  spec: { annotations?: Annotations; data: Uint8Array } | undefined): Promise<StoredKindTypes[K]> {
  const expected = requireVersion(kind, version);
  const current = await resolveObject(deps, kind, ref) as Secret | Config;
  checkVersion(current, expected);
  onlyLabelsChange(current.spec?.annotations, spec?.annotations, spec?.data ?? new Uint8Array(),
    current.spec?.data ?? new Uint8Array());
  const next = current.spec === undefined ? undefined : { ...current.spec, annotations: spec?.annotations };
  return commitUpdate(deps, kind, current as StoredKindTypes[K], { ...current, spec: next } as StoredKindTypes[K]);
}

/** remove is RemoveSecret / RemoveConfig: refused while a service uses the object. */
async function remove(deps: ControlDeps, kind: Kind, ref: string): Promise<void> {
  const current = await resolveObject(deps, kind, ref) as Secret | Config;
  await refuseInUse(deps, kind, current.id, current.spec?.annotations?.name ?? current.id);
  const object = kind === 'secret' ? Secret.fromPartial({ id: current.id }) : Config.fromPartial({ id: current.id });
  await deps.store.transaction([{ action: 'delete', kind, object } as ClientChange], { writer: WRITER });
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
    updateSecret: async (r) => ({ secret: secretView(await updateLabels(deps, 'secret', r.secretId, r.secretVersion,
      r.spec)) }),
    removeSecret: async (r) => {
      await remove(deps, 'secret', r.secretId);
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
    updateConfig: async (r) => ({ config: await updateLabels(deps, 'config', r.configId, r.configVersion, r.spec) }),
    removeConfig: async (r) => {
      await remove(deps, 'config', r.configId);
      return {};
    },
  };
}

/** secretMethods implements the secret and config parts of the Control API. */
export function secretMethods(deps: ControlDeps): SecretMethods {
  return { ...secretMethodsOnly(deps), ...configMethodsOnly(deps) };
}
