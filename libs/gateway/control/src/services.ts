// Services: create, get, list, update (versioned; rollback), remove, statuses.
import { isShoalError, ShoalError } from '@shoal/errors';
import {
  commonMatch,
  runtimeOf,
  serviceStatus,
  serviceView,
  validateServiceChange,
  validateServiceSpec,
  withServiceDefaults,
} from '@shoal/gateway-spec';
import { newId } from '@shoal/ids';
import { Service, UpdateServiceRequest_Rollback, type ServiceSpec, type Task } from '@shoal/proto';
import type { ControlApi } from './control-api';
import { checkVersion, commitOne, requireVersion, WRITER, type ControlDeps } from './deps';
import { commitUpdate } from './commit-update';
import { resolveObject } from './resolve';
import { checkPortConflicts, resolveReferences } from './service-refs';

type ServiceMethods = Pick<ControlApi, 'createService' | 'getService' | 'listServices' | 'updateService' |
  'removeService' | 'listServiceStatuses'>;

const removing = (s: Service): boolean => s.pendingDelete;

/**
 * markRemoved hands a service to the orchestrator and the allocator for deletion
 * (`pending_delete`) and frees its name at once, as SwarmKit's immediate delete does: the
 * stored name becomes `<name>.removed.<id>`, which no valid service name can be.
 */
function markRemoved(service: Service): Service | undefined {
  if (service.pendingDelete) return undefined;
  if (service.spec === undefined) return { ...service, pendingDelete: true };
  const annotations = service.spec.annotations ?? { name: '', labels: {} };
  const name = `${annotations.name}.removed.${service.id}`;
  return { ...service, pendingDelete: true, spec: { ...service.spec, annotations: { ...annotations, name } } };
}

/** findService resolves a service by ID, name or ID prefix; services being removed are gone. */
export function findService(deps: ControlDeps, ref: string): Promise<Service> {
  return resolveObject(deps, 'service', ref, removing);
}

async function prepareSpec(deps: ControlDeps, spec: ServiceSpec, selfId: string): Promise<ServiceSpec> {
  const filled = withServiceDefaults(spec);
  await checkPortConflicts(deps, filled, selfId);
  return resolveReferences(deps, filled);
}

/** createService validates, fills defaults, resolves references and writes a new service. */
async function createService(deps: ControlDeps, rawSpec: ServiceSpec | undefined): Promise<Service> {
  validateServiceSpec(rawSpec);
  const spec = await prepareSpec(deps, rawSpec, '');
  const object = Service.fromPartial({ id: newId(deps.random), spec, specVersion: { index: 0 } });
  try {
    return await commitOne(deps, { action: 'create', kind: 'service', object });
  } catch (err) {
    if (!isShoalError(err, 'NAME_CONFLICT')) throw err;
    const name = spec.annotations?.name ?? '';
    const holder = (await deps.store.find('service', { name })).objects[0];
    if (holder?.pendingDelete === true) {
      throw new ShoalError('NAME_CONFLICT', `service ${name} is being removed; its name is free once ` +
        'its tasks have stopped', { kind: 'service', name });
    }
    throw err;
  }
}

async function updateService(deps: ControlDeps, request: Parameters<ControlApi['updateService']>[0]):
  Promise<Service> {
  const expected = requireVersion('service', request.serviceVersion);
  const current = await findService(deps, request.serviceId);
  checkVersion(current, expected);
  let next: Service;
  if (request.rollback === UpdateServiceRequest_Rollback.PREVIOUS) {
    if (current.previousSpec === undefined) {
      throw ShoalError.failedPrecondition(`service ${current.id} does not have a previous spec`);
    }
    next = { ...current, spec: current.previousSpec, specVersion: current.previousSpecVersion,
      previousSpec: current.spec, previousSpecVersion: current.specVersion };
  } else {
    validateServiceSpec(request.spec);
    validateServiceChange(current.spec, request.spec);
    const spec = await prepareSpec(deps, request.spec, current.id);
    next = { ...current, spec, specVersion: current.meta?.version,
      previousSpec: current.spec, previousSpecVersion: current.specVersion };
  }
  return commitUpdate(deps, 'service', current, next);
}

async function listServiceStatuses(deps: ControlDeps, ids: readonly string[]):
  Promise<ReturnType<typeof serviceStatus>[]> {
  const services = (await Promise.all(ids.map((id) => deps.store.get('service', id))))
    .filter((s): s is Service => s !== undefined && !s.pendingDelete);
  if (services.length === 0) return [];
  const tasks = (await deps.store.find('task', services.map((s) => ({ serviceId: s.id })))).objects;
  const byService = new Map<string, Task[]>();
  for (const task of tasks) byService.set(task.serviceId, [...(byService.get(task.serviceId) ?? []), task]);
  return services.map((s) => serviceStatus(s, byService.get(s.id) ?? []));
}

/** serviceMethods implements the service half of the Control API. */
export function serviceMethods(deps: ControlDeps): ServiceMethods {
  return {
    createService: async (request) => ({ service: serviceView(await createService(deps, request.spec)) }),
    getService: async (request) => {
      const service = await findService(deps, request.serviceId);
      const spec = request.insertDefaults && service.spec !== undefined ? withServiceDefaults(service.spec) : service.spec;
      return { service: serviceView({ ...service, spec }) };
    },
    listServices: async (request) => {
      const f = request.filters;
      const services = (await deps.store.find('service')).objects.filter((s) => !s.pendingDelete &&
        commonMatch({ id: s.id, name: s.spec?.annotations?.name ?? '', labels: s.spec?.annotations?.labels }, f) &&
        ((f?.runtimes.length ?? 0) === 0 || (f?.runtimes ?? []).includes(runtimeOf(s.spec?.task))));
      return { services: services.map(serviceView) };
    },
    updateService: async (request) => ({ service: serviceView(await updateService(deps, request)) }),
    removeService: async (request) => {
      const service = await findService(deps, request.serviceId);
      await deps.store.update('service', service.id, markRemoved, { writer: WRITER });
      return {};
    },
    listServiceStatuses: async (request) => ({ statuses: await listServiceStatuses(deps, request.services) }),
  };
}
