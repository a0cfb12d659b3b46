// Tasks: get, list (every filter of control.proto, up_to_date included), remove.
import { taskMatches, taskView } from '@shoal/gateway-spec';
import { Task, type ListTasksRequest_Filters, type Selector, type Service } from '@shoal/proto';
import type { ControlApi } from './control-api';
import { WRITER, type ControlDeps } from './deps';
import { resolveObject } from './resolve';

type TaskMethods = Pick<ControlApi, 'getTask' | 'listTasks' | 'removeTask'>;

/** selectorsFor narrows the store read by the most selective filter; the rest is in memory. */
function selectorsFor(filters: ListTasksRequest_Filters | undefined): Partial<Selector>[] {
  if (filters === undefined) return [];
  if (filters.serviceIds.length > 0) return filters.serviceIds.map((serviceId) => ({ serviceId }));
  if (filters.nodeIds.length > 0) return filters.nodeIds.map((nodeId) => ({ nodeId }));
  if (filters.desiredStates.length > 0) return filters.desiredStates.map((desiredState) => ({ desiredState }));
  return [];
}

async function listTasks(deps: ControlDeps, filters: ListTasksRequest_Filters | undefined): Promise<Task[]> {
  const tasks = (await deps.store.find('task', selectorsFor(filters))).objects;
  const services = new Map<string, Service>();
  if (filters?.upToDate === true) {
    const ids = [...new Set(tasks.map((t) => t.serviceId))].filter((id) => id !== '');
    const found = ids.length === 0 ? [] : (await deps.store.find('service', ids.map((id) => ({ id })))).objects;
    for (const s of found) services.set(s.id, s);
  }
  return tasks.filter((t) => taskMatches(t, filters, services));
}

/** taskMethods implements the task part of the Control API. */
export function taskMethods(deps: ControlDeps): TaskMethods {
  return {
    getTask: async (request) => ({ task: taskView(await resolveObject(deps, 'task', request.taskId)) }),
    listTasks: async (request) => ({ tasks: (await listTasks(deps, request.filters)).map(taskView) }),
    removeTask: async (request) => {
      const task = await resolveObject(deps, 'task', request.taskId);
      await deps.store.transaction([{ action: 'delete', kind: 'task', object: Task.fromPartial({ id: task.id }) }], { writer: WRITER });
      return {};
    },
  };
}
