// /tasks: list with every filter the CLI sends (incl. `_up-to-date`), and inspect.
import type { ControlApi } from '@shoal/gateway-control';
import { isShoalError, ShoalError } from '@shoal/errors';
import { ListTasksRequest, TaskState, type Service, type Task } from '@shoal/proto';
import { TASK_STATE } from '../convert/enums';
import { taskJson } from '../convert/objects-out';
import { checkFilterKeys, filterValues, labelFilter, parseFilters } from '../filters';
import { ID, json, route, type DockerRequest, type Route } from '../http/route';
import { nodeLookup, serviceLookup, taskLookup } from '../lookups';
import { resolveRef } from '../resolve';
import { isUpToDate } from '../up-to-date';

const TASK_FILTERS = ['name', 'id', 'label', 'service', 'node', 'desired-state', '_up-to-date', 'runtime'];

function desiredStates(values: string[]): TaskState[] {
  return values.filter((v) => v !== '').map((v) => {
    try {
      return TASK_STATE.fromDocker(v, 'desired-state', TaskState.NEW);
    } catch {
      throw ShoalError.invalidArgument(`Invalid desired-state filter: '${v}'`);
    }
  });
}

async function list(api: ControlApi, req: DockerRequest) {
  const args = parseFilters(req.query.get('filters'));
  checkFilterKeys(args, TASK_FILTERS);
  // As dockerd: service and node filters may name the object; they are resolved to IDs first.
  const serviceIds = await Promise.all(filterValues(args, 'service').map(async (ref) => (await resolveRef(serviceLookup(api), ref)).id));
  const nodeIds = await Promise.all(filterValues(args, 'node').map(async (ref) => (await resolveRef(nodeLookup(api), ref)).id));
  const request = ListTasksRequest.fromPartial({
    filters: {
      namePrefixes: filterValues(args, 'name'), idPrefixes: filterValues(args, 'id'), labels: labelFilter(args),
      serviceIds, nodeIds, desiredStates: desiredStates(filterValues(args, 'desired-state')),
      runtimes: filterValues(args, 'runtime'),
    },
  });
  let tasks = (await api.listTasks(request)).tasks;
  if (args.has('_up-to-date')) tasks = await upToDateOnly(api, tasks);
  return json(tasks.map(taskJson));
}

/** upToDateOnly keeps the tasks that are not dirty (see isUpToDate), reading their services. */
async function upToDateOnly(api: ControlApi, tasks: Task[]): Promise<Task[]> {
  const ids = [...new Set(tasks.map((t) => t.serviceId))].filter((id) => id !== '');
  const services = new Map<string, Service>();
  await Promise.all(ids.map(async (id) => {
    try {
      const { service } = await api.getService({ serviceId: id, insertDefaults: false });
      if (service !== undefined) services.set(id, service);
    } catch (err) {
      if (!isShoalError(err, 'NOT_FOUND')) throw err;
    }
  }));
  return tasks.filter((t) => isUpToDate(t, services.get(t.serviceId)));
}

/** taskRoutes are the /tasks routes over `api`. */
export function taskRoutes(api: ControlApi): Route[] {
  return [
    route('GET', '/tasks', (req) => list(api, req)),
    route('GET', `/tasks/${ID}/logs`, () => Promise.reject(ShoalError.unimplemented(
      'task logs are not available through Shoal yet: read them on the node with `docker logs <container>`',
    ))),
    route('GET', `/tasks/${ID}`, async (req) => json(taskJson(await resolveRef(taskLookup(api), req.params[0] ?? '')))),
  ];
}
