// The ControlApi methods of the fake, over the tables of a FakeControlApi.
import { ShoalError } from '@shoal/errors';
import type { ControlApi } from '@shoal/gateway-control';
import { NodeStatus_State as NodeState, TaskState, type Service } from '@shoal/proto';
import type { FakeControlApi } from './fake-control-api';
import { taskName, matchesCommon } from './fake-filters';
import { fakeObjectMethods } from './fake-objects';
import { reconcileService } from './fake-tasks';
import { isUpToDate } from '../up-to-date';

type ServiceMethods = Pick<ControlApi, 'getService' | 'listServices' | 'createService' | 'updateService' | 'removeService' | 'listServiceStatuses'>;

function serviceMethods(f: FakeControlApi): ServiceMethods {
  const nameOf = (s: Service) => s.spec?.annotations?.name ?? '';
  return {
    getService: async (r) => (f.enter('getService'), { service: f.find(f.services, 'service', r.serviceId) }),
    listServices: async (r) => (f.enter('listServices'), {
      services: [...f.services.values()].filter((s) => matchesCommon(s.id, [nameOf(s)], s.spec?.annotations?.labels ?? {}, r.filters)),
    }),
    createService: async (r) => {
      f.enter('createService');
      f.validate(r.spec);
      f.checkName(f.services, 'service', r.spec?.annotations?.name ?? '', nameOf);
      const meta = f.meta();
      const service: Service = { id: f.ids.id(), meta, spec: r.spec, specVersion: meta.version, pendingDelete: false };
      f.services.set(service.id, service);
      reconcileService(f.world, service);
      return { service };
    },
    updateService: async (r) => {
      f.enter('updateService');
      const old = f.find(f.services, 'service', r.serviceId);
      f.checkVersion(old, r.serviceVersion?.index);
      const spec = r.rollback === 1 ? old.previousSpec : r.spec;
      if (spec === undefined) throw ShoalError.failedPrecondition(`service ${old.id} does not have a previous spec`);
      f.validate(spec);
      f.checkName(f.services, 'service', spec.annotations?.name ?? '', nameOf, old.id);
      const service: Service = { ...old, meta: f.meta(old.meta?.createdAt), spec, specVersion: old.meta?.version, previousSpec: old.spec };
      f.services.set(service.id, service);
      reconcileService(f.world, service);
      return { service };
    },
    removeService: async (r) => {
      f.enter('removeService');
      f.find(f.services, 'service', r.serviceId);
      f.services.delete(r.serviceId);
      for (const t of f.tasksOf(r.serviceId)) f.world.tasks.delete(t.id);
      return {};
    },
    listServiceStatuses: async (r) => (f.enter('listServiceStatuses'), {
      statuses: r.services.filter((id) => f.services.has(id)).map((id) => {
        const s = f.services.get(id);
        const tasks = f.tasksOf(id).filter((t) => t.desiredState <= TaskState.RUNNING);
        const desired = s?.spec?.mode?.$case === 'replicated' ? s.spec.mode.replicated.replicas : tasks.length;
        const running = tasks.filter((t) => t.status?.state === TaskState.RUNNING).length;
        return { serviceId: id, desiredTasks: desired, runningTasks: running, completedTasks: 0 };
      }),
    }),
  };
}

type TaskNodeMethods = Pick<ControlApi, 'getTask' | 'listTasks' | 'removeTask' | 'getNode' | 'listNodes' | 'updateNode' | 'removeNode'>;

function taskNodeMethods(f: FakeControlApi): TaskNodeMethods {
  return {
    getTask: async (r) => (f.enter('getTask'), { task: f.find(f.world.tasks, 'task', r.taskId) }),
    listTasks: async (r) => {
      f.enter('listTasks');
      const q = r.filters;
      const tasks = [...f.world.tasks.values()].filter((t) => matchesCommon(t.id, [taskName(t)], t.annotations?.labels ?? {}, q)
        && ((q?.serviceIds ?? []).length === 0 || (q?.serviceIds ?? []).includes(t.serviceId))
        && ((q?.nodeIds ?? []).length === 0 || (q?.nodeIds ?? []).includes(t.nodeId))
        && ((q?.desiredStates ?? []).length === 0 || (q?.desiredStates ?? []).includes(t.desiredState))
        && (q?.upToDate !== true || isUpToDate(t, f.services.get(t.serviceId))));
      return { tasks };
    },
    removeTask: async (r) => (f.enter('removeTask'), f.find(f.world.tasks, 'task', r.taskId), f.world.tasks.delete(r.taskId), {}),
    getNode: async (r) => (f.enter('getNode'), { node: f.find(f.nodes, 'node', r.nodeId) }),
    listNodes: async (r) => (f.enter('listNodes'), {
      nodes: [...f.nodes.values()].filter((n) => matchesCommon(n.id, [n.spec?.annotations?.name ?? '', n.description?.hostname ?? ''],
        n.description?.engine?.labels ?? {}, r.filters)
        && ((r.filters?.roles ?? []).length === 0 || (r.filters?.roles ?? []).includes(n.spec?.desiredRole ?? 0))),
    }),
    updateNode: async (r) => {
      f.enter('updateNode');
      const old = f.find(f.nodes, 'node', r.nodeId);
      f.checkVersion(old, r.nodeVersion?.index);
      const node = { ...old, meta: f.meta(old.meta?.createdAt), spec: r.spec };
      f.nodes.set(node.id, node);
      f.reconcileAll();
      return { node };
    },
    removeNode: async (r) => {
      f.enter('removeNode');
      const node = f.find(f.nodes, 'node', r.nodeId);
      if (node.status?.state === NodeState.READY && !r.force) {
        throw ShoalError.failedPrecondition(`node ${node.id} is not down and can't be removed`);
      }
      f.nodes.delete(node.id);
      f.reconcileAll();
      return {};
    },
  };
}

/** fakeControlMethods builds the ControlApi of `f`. */
export function fakeControlMethods(f: FakeControlApi): ControlApi {
  return { ...serviceMethods(f), ...taskNodeMethods(f), ...fakeObjectMethods(f) };
}
