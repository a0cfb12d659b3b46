// Generic resources: objects of a user-defined kind with an opaque payload.
import { ShoalError } from '@shoal/errors';
import { commonMatch, validateAnnotations } from '@shoal/gateway-spec';
import { newId } from '@shoal/ids';
import { GATEWAY_LIMITS } from '@shoal/limits';
import { Resource, type Any } from '@shoal/proto';
import type { ControlApi } from './control-api';
import { checkVersion, commitOne, requireVersion, WRITER, type ControlDeps } from './deps';
import { commitUpdate } from './commit-update';
import { resolveObject } from './resolve';

type ResourceMethods = Pick<ControlApi, 'getResource' | 'listResources' | 'createResource' | 'updateResource' |
  'removeResource'>;

function checkPayload(payload: Any | undefined): void {
  if ((payload?.value.length ?? 0) > GATEWAY_LIMITS.resourcePayloadBytes) {
    throw ShoalError.invalidArgument(`resource payload must be at most ${GATEWAY_LIMITS.resourcePayloadBytes} bytes`);
  }
}

/** resourceMethods implements the resource part of the Control API. */
export function resourceMethods(deps: ControlDeps): ResourceMethods {
  return {
    getResource: async (r) => ({ resource: await resolveObject(deps, 'resource', r.resourceId) }),
    listResources: async (r) => ({
      resources: (await deps.store.find('resource')).objects.filter((o) =>
        (r.filters?.kind ?? '') === '' || o.kind === r.filters?.kind).filter((o) =>
        commonMatch({ id: o.id, name: o.annotations?.name ?? '', labels: o.annotations?.labels }, r.filters)),
    }),
    createResource: async (r) => {
      validateAnnotations(r.annotations);
      if (r.kind === '') throw ShoalError.invalidArgument('resource kind must be provided');
      checkPayload(r.payload);
      const object = Resource.fromPartial({ id: newId(deps.random), annotations: r.annotations, kind: r.kind,
        payload: r.payload });
      return { resource: await commitOne(deps, { action: 'create', kind: 'resource', object }) };
    },
    updateResource: async (r) => {
      const expected = requireVersion('resource', r.resourceVersion);
      const current = await resolveObject(deps, 'resource', r.resourceId);
      checkVersion(current, expected);
      if (r.annotations !== undefined && r.annotations.name !== current.annotations?.name) {
        throw ShoalError.invalidArgument('only updates to Labels and payload are allowed');
      }
      checkPayload(r.payload);
      const object = { ...current, annotations: r.annotations ?? current.annotations, payload: r.payload ?? current.payload };
      return { resource: await commitUpdate(deps, 'resource', current, object) };
    },
    removeResource: async (r) => {
      const resource = await resolveObject(deps, 'resource', r.resourceId);
      await deps.store.transaction([{ action: 'delete', kind: 'resource', object: Resource.fromPartial({ id: resource.id }) }],
        { writer: WRITER });
      return {};
    },
  };
}
