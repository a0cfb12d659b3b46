// /tasks: list with every filter the CLI sends (incl. `_up-to-date`), and inspect.
import type { ControlApi } from '@shoal/gateway-control';
import { ShoalError } from '@shoal/errors';
import { ListTasksRequest, TaskState } from '@shoal/proto';
import { TASK_STATE } from '../convert/enums';
import { taskJson } from '../convert/objects-out';
import { checkFilterKeys, filterValues, labelFilter, parseFilters } from '../filters';
import { ID, json, route, type DockerRequest, type Route } from '../http/route';
import { nodeLookup, serviceLookup, taskLookup } from '../lookups';
import { resolveRef } from '../resolve';

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
      runtimes: filterValues(args, 'runtime'), upToDate: args.has('_up-to-date'),
    },
  });
  return json((await api.listTasks(request)).tasks.map(taskJson));
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
