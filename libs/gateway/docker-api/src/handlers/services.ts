// /services: create, list (with `status=true`), inspect (with `insertDefaults`), update, remove.
import type { ControlApi } from '@shoal/gateway-control';
import { ShoalError } from '@shoal/errors';
import {
  ListServicesRequest, UpdateServiceRequest_Rollback as Rollback, UpdateStatus_State, type Service, type ServiceStatus,
  type UpdateStatus,
} from '@shoal/proto';
import { DOCKER_API_LIMITS } from '@shoal/limits';
import { serviceJson } from '../convert/objects-out';
import { serviceSpecFromDocker } from '../convert/service-spec-in';
import { checkFilterKeys, filterValues, labelFilter, parseFilters } from '../filters';
import { empty, ID, json, route, type DockerRequest, type Route } from '../http/route';
import { serviceLookup } from '../lookups';
import { resolveRef } from '../resolve';

const SERVICE_FILTERS = ['id', 'label', 'mode', 'name'];

function modeName(s: Service): string {
  switch (s.spec?.mode?.$case) {
    case 'global':
      return 'global';
    case 'replicatedJob':
      return 'replicated-job';
    case 'globalJob':
      return 'global-job';
    default:
      return 'replicated';
  }
}

async function list(api: ControlApi, req: DockerRequest) {
  const args = parseFilters(req.query.get('filters'));
  checkFilterKeys(args, SERVICE_FILTERS);
  const modes = filterValues(args, 'mode');
  for (const m of modes) {
    if (!['replicated', 'global', 'replicated-job', 'global-job'].includes(m)) {
      throw ShoalError.invalidArgument(`Invalid filter: 'mode'='${m}'`);
    }
  }
  const request = ListServicesRequest.fromPartial({
    filters: { idPrefixes: filterValues(args, 'id'), namePrefixes: filterValues(args, 'name'), labels: labelFilter(args) },
  });
  const services = (await api.listServices(request)).services
    .filter((s) => modes.length === 0 || modes.includes(modeName(s)));
  const statuses = new Map<string, ServiceStatus>();
  if (req.query.get('status') === 'true' && services.length > 0) {
    const answer = await api.listServiceStatuses({ services: services.map((s) => s.id) });
    for (const st of answer.statuses) statuses.set(st.serviceId, st);
  }
  return json(services.map((s) => serviceJson(s, statuses.get(s.id) ?? (statuses.size > 0 ? zeroStatus(s.id) : undefined))));
}

function zeroStatus(serviceId: string): ServiceStatus {
  return { serviceId, desiredTasks: 0, runningTasks: 0, completedTasks: 0 };
}

/** versionParam reads `?version=N` as dockerd does (400 when missing or not a number). */
export function versionParam(req: DockerRequest, kind: string): number {
  const raw = req.query.get('version') ?? '';
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw ShoalError.invalidArgument(`invalid ${kind} version '${raw}': expected the object's Version.Index`);
  }
  return Number(raw);
}

async function update(api: ControlApi, req: DockerRequest) {
  const version = versionParam(req, 'service');
  const service = await resolveRef(serviceLookup(api), req.params[0] ?? '');
  const rollbackParam = req.query.get('rollback') ?? '';
  if (rollbackParam !== '' && rollbackParam !== 'previous') {
    throw ShoalError.invalidArgument(`invalid rollback parameter '${rollbackParam}': only 'previous' is supported`);
  }
  const spec = serviceSpecFromDocker(req.body);
  await api.updateService({
    serviceId: service.id, serviceVersion: { index: version }, spec,
    rollback: rollbackParam === 'previous' ? Rollback.PREVIOUS : Rollback.NONE,
  });
  // The update is committed: a failed look at its start must not turn it into an error.
  await awaitUpdateStart(api, service.id, service.updateStatus).catch(() => undefined);
  return json({ Warnings: null });
}

/** Update states after which a new update is not started yet: the previous one's outcome. */
const SETTLED: ReadonlySet<UpdateStatus_State> = new Set([
  UpdateStatus_State.COMPLETED, UpdateStatus_State.ROLLBACK_COMPLETED,
  UpdateStatus_State.PAUSED, UpdateStatus_State.ROLLBACK_PAUSED,
]);

/**
 * awaitUpdateStart waits, for DOCKER_API_LIMITS.updateStartWaitMs at most, until the stored
 * update status is no longer the previous update's outcome. dockerd writes the new status in
 * the update call itself; Shoal's orchestrator writes it a moment later, and the docker CLI,
 * which follows an update until the status says it ended, would otherwise read the previous
 * "completed" and stop at once. A change that needs no task replaced leaves the status as it
 * was: the wait then ends at its bound.
 */
async function awaitUpdateStart(api: ControlApi, serviceId: string, before: UpdateStatus | undefined): Promise<void> {
  if (before === undefined || !SETTLED.has(before.state)) return;
  const deadline = Date.now() + DOCKER_API_LIMITS.updateStartWaitMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, DOCKER_API_LIMITS.updateStartPollMs));
    const now = (await api.getService({ serviceId, insertDefaults: false })).service?.updateStatus;
    if (now === undefined || !SETTLED.has(now.state) || now.startedAt?.getTime() !== before.startedAt?.getTime()) return;
  }
}

/** serviceRoutes are the /services routes over `api`. */
export function serviceRoutes(api: ControlApi): Route[] {
  return [
    route('GET', '/services', (req) => list(api, req)),
    route('POST', '/services/create', async (req) => {
      const created = await api.createService({ spec: serviceSpecFromDocker(req.body) });
      if (created.service === undefined) throw ShoalError.internal('the Control API created a service but returned none');
      return json({ ID: created.service.id }, 201);
    }),
    route('GET', `/services/${ID}/logs`, () => Promise.reject(ShoalError.unimplemented(
      'service logs are not available through Shoal yet: read them on the node with `docker logs <container>`',
    ))),
    route('GET', `/services/${ID}`, async (req) => {
      const ref = req.params[0] ?? '';
      const insertDefaults = ['1', 'true'].includes(req.query.get('insertDefaults') ?? '');
      let service = await resolveRef(serviceLookup(api, insertDefaults), ref);
      if (insertDefaults && service.id !== ref) service = await serviceLookup(api, true).get(service.id);
      return json(serviceJson(service));
    }),
    route('POST', `/services/${ID}/update`, (req) => update(api, req)),
    route('DELETE', `/services/${ID}`, async (req) => {
      const service = await resolveRef(serviceLookup(api), req.params[0] ?? '');
      await api.removeService({ serviceId: service.id });
      return empty(200);
    }),
  ];
}
