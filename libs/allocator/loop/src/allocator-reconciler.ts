// The allocator inside the loop shell: the vote-gated stage NEW → PENDING, and ingress
// published-port allocation recorded in Service.endpoint (docs/design/allocator.md).
import {
  allocatedTask,
  allocateEndpoint,
  failedTask,
  isAwaitingAllocation,
  needsAllocation,
  PortSpace,
} from '@shoal/allocator-core';
import type { Endpoint, Service, Task } from '@shoal/proto';
import { objectKey, type ClientChange, type Informer } from '@shoal/store-client';
import type { CacheEvent, KeyOutcome, PassContext, Reconciler } from '@shoal/store-controller';
import { ALLOCATOR_LOOP_LIMITS } from '@shoal/limits';

const RETRY: KeyOutcome = Object.freeze({ type: 'retry' });
const LATER: KeyOutcome = Object.freeze({ type: 'after', ms: ALLOCATOR_LOOP_LIMITS.allocationRetryMs });

/** The work of one service in one pass: the service (if any) and its tasks to move. */
interface ServiceWork {
  readonly serviceId: string;
  readonly keys: string[];
  readonly taskIds: string[];
}

/**
 * AllocatorReconciler is one term of the allocator. Keys are `service/<id>` (allocate or
 * release its endpoint, finish its deletion) and `task/<id>` (vote on a NEW task). A task is
 * voted PENDING in the same transaction as (or after) its service's endpoint, which it
 * copies; nothing else moves a task out of NEW.
 *
 * Invariant: `ports` holds the stored endpoints of the services in the cache, plus the
 * allocations this term is committing.
 */
export class AllocatorReconciler implements Reconciler {
  readonly kinds = ['service', 'task'] as const;
  /** Ingress ports in use (public for tests; do not modify). */
  readonly ports = new PortSpace();
  private readonly tasksByService = new Map<string, Set<string>>();
  private readonly failed = new Set<string>();

  /** onEvent keeps the port space and the task index, and names the keys to work on. */
  onEvent(event: CacheEvent): readonly string[] {
    const { object } = event;
    if (object.kind === 'service') return this.onService(event.type, object.object);
    if (object.kind !== 'task') return [];
    const task = object.object;
    if (event.type === 'delete') {
      const left = this.tasksByService.get(task.serviceId);
      left?.delete(task.id);
      if (left?.size === 0) this.tasksByService.delete(task.serviceId);
      return left === undefined || left.size > 0 ? [] : [objectKey('service', task.serviceId)];
    }
    const set = this.tasksByService.get(task.serviceId) ?? new Set<string>();
    set.add(task.id);
    this.tasksByService.set(task.serviceId, set);
    return isAwaitingAllocation(task) ? [objectKey('task', task.id)] : [];
  }

  private onService(type: CacheEvent['type'], service: Service): readonly string[] {
    if (type === 'delete') {
      this.ports.release(service.id);
      this.failed.delete(service.id);
      // Released ports may let a failed allocation through.
      return [...this.failed].map((id) => objectKey('service', id));
    }
    this.ports.adopt(service.id, service.endpoint);
    return service.pendingDelete || needsAllocation(service) ? [objectKey('service', service.id)] : [];
  }

  /** allKeys is every service and every task the allocator still has to act on. */
  allKeys(informer: Informer): readonly string[] {
    const keys: string[] = [];
    for (const s of informer.list('service')) {
      if (s.pendingDelete || needsAllocation(s)) keys.push(objectKey('service', s.id));
    }
    for (const t of informer.list('task')) if (isAwaitingAllocation(t)) keys.push(objectKey('task', t.id));
    return keys;
  }

  /** pass works service by service: endpoint first, then the votes, in chunked commits. */
  async pass(keys: readonly string[], ctx: PassContext): Promise<ReadonlyMap<string, KeyOutcome>> {
    const outcomes = new Map<string, KeyOutcome>();
    for (const work of groupByService(keys, ctx.informer)) {
      if (ctx.signal.aborted) break;
      const outcome = await this.serviceWork(work, ctx);
      for (const key of work.keys) outcomes.set(key, outcome);
    }
    return outcomes;
  }

  private async serviceWork(work: ServiceWork, ctx: PassContext): Promise<KeyOutcome> {
    const service = ctx.informer.get('service', work.serviceId);
    // Every task of the service still in NEW, not only the ones named in this batch.
    const ids = new Set([...work.taskIds, ...(this.tasksByService.get(work.serviceId) ?? [])]);
    const tasks = [...ids].map((id) => ctx.informer.get('task', id))
      .filter((t): t is Task => t !== undefined && isAwaitingAllocation(t));
    if (service === undefined) {
      // Tasks without a service (network attachments) need no endpoint; orphans are the
      // orchestrator's to remove.
      return work.serviceId === '' ? this.vote(tasks, undefined, [], ctx, undefined) : DONE;
    }
    if (service.pendingDelete) return this.finishDelete(service, ctx);
    const changes: ClientChange[] = [];
    let endpoint = service.endpoint;
    if (needsAllocation(service)) {
      const result = allocateEndpoint(this.ports, service);
      if (!result.ok) return this.fail(service, tasks, result.error, ctx);
      endpoint = result.endpoint;
      changes.push({ action: 'update', kind: 'service', object: { ...service, endpoint } });
    }
    this.failed.delete(service.id);
    return this.vote(tasks, endpoint, changes, ctx, service);
  }

  private async vote(tasks: readonly Task[], endpoint: Endpoint | undefined, head: ClientChange[],
    ctx: PassContext, service: Service | undefined): Promise<KeyOutcome> {
    const changes = [...head, ...tasks.map((t): ClientChange =>
      ({ action: 'update', kind: 'task', object: allocatedTask(t, endpoint, ctx.nowMs) }))];
    const size = ALLOCATOR_LOOP_LIMITS.changesPerCommitMax;
    for (let i = 0; i < changes.length; i += size) {
      try {
        await ctx.commit(changes.slice(i, i + size));
      } catch {
        // Undo the in-memory claim of an endpoint that did not commit; the store decides.
        if (service !== undefined && i === 0 && head.length > 0) this.ports.adopt(service.id, service.endpoint);
        return RETRY;
      }
    }
    return DONE;
  }

  private async fail(service: Service, tasks: readonly Task[], error: string, ctx: PassContext):
    Promise<KeyOutcome> {
    this.failed.add(service.id);
    const changes = tasks.map((t) => failedTask(t, error, ctx.nowMs))
      .filter((t): t is Task => t !== undefined)
      .map((object): ClientChange => ({ action: 'update', kind: 'task', object }));
    const size = ALLOCATOR_LOOP_LIMITS.changesPerCommitMax;
    for (let i = 0; i < changes.length; i += size) {
      try {
        await ctx.commit(changes.slice(i, i + size));
      } catch {
        return RETRY;
      }
    }
    return LATER;
  }

  /** finishDelete releases a deleted service's ports, and deletes it once its tasks are gone. */
  private async finishDelete(service: Service, ctx: PassContext): Promise<KeyOutcome> {
    this.ports.release(service.id);
    if ((this.tasksByService.get(service.id)?.size ?? 0) > 0) return DONE;
    try {
      await ctx.commit([{ action: 'delete', kind: 'service', object: service }]);
      return DONE;
    } catch {
      return RETRY;
    }
  }
}

const DONE: KeyOutcome = Object.freeze({ type: 'done' });

/** groupByService sorts a batch's keys into per-service work, in service id order. */
function groupByService(keys: readonly string[], informer: Informer): ServiceWork[] {
  const byService = new Map<string, ServiceWork>();
  const workOf = (serviceId: string): ServiceWork => {
    let work = byService.get(serviceId);
    if (work === undefined) {
      work = { serviceId, keys: [], taskIds: [] };
      byService.set(serviceId, work);
    }
    return work;
  };
  for (const key of keys) {
    const slash = key.indexOf('/');
    const kind = key.slice(0, slash);
    const id = key.slice(slash + 1);
    if (kind === 'service') {
      workOf(id).keys.push(key);
      continue;
    }
    const task = informer.get('task', id);
    if (task === undefined) continue;
    const work = workOf(task.serviceId);
    work.keys.push(key);
    work.taskIds.push(id);
  }
  return [...byService.values()].sort((a, b) => (a.serviceId < b.serviceId ? -1 : 1));
}
