// The orchestrator inside the loop shell: per service key, the planner of its mode over the
// cache, applied through the one transaction site; the task reaper as its own key; restart
// history kept in memory between committed plans (docs/design/orchestrator.md).
import {
  planGlobal,
  planJob,
  planReap,
  planReplicated,
  protoEqual,
  REAPER_KEY,
  type IdSource,
  type NodeMatcher,
  type Plan,
  type PlanOptions,
  type RestartHistory,
} from '@shoal/orchestrator-core';
import { TaskState, type Cluster, type Node, type Service, type Task } from '@shoal/proto';
import type { Informer } from '@shoal/store-client';
import { applyPlan, type PlanOutcome, type PlanSource } from './apply-plan';
import type { CacheEvent, KeyOutcome, PassContext, Reconciler } from '@shoal/store-controller';

const DONE: KeyOutcome = Object.freeze({ type: 'done' });
const RETRY: KeyOutcome = Object.freeze({ type: 'retry' });

type Planner = (service: Service, tasks: readonly Task[], nodes: readonly Node[],
  cluster: Cluster | undefined, nowMs: number, ids: IdSource, options: PlanOptions) => Plan;

function plannerOf(service: Service): Planner {
  const mode = service.spec?.mode?.$case;
  if (mode === 'global') return planGlobal;
  if (mode === 'replicatedJob' || mode === 'globalJob') return planJob;
  return planReplicated;
}

function isGlobal(service: Service): boolean {
  const mode = service.spec?.mode?.$case;
  return mode === 'global' || mode === 'globalJob';
}

/** observedOf is a task's furthest observed state (agent, scheduler or allocator). */
function observedOf(task: Task): TaskState {
  return Math.max(task.status?.state ?? 0, task.schedulerStatus?.state ?? 0, task.allocatorStatus?.state ?? 0);
}

/**
 * startingOnly holds when an update moved a task only along its way to RUNNING (allocated,
 * assigned, accepted, preparing, ready, starting) with everything else the planners read
 * unchanged: no planner acts on those steps, so the service needs no pass. A task reaching
 * RUNNING or beyond, or any change of its desired state, node, spec or slot, still gets one.
 */
function startingOnly(old: Task, task: Task): boolean {
  return observedOf(old) < TaskState.RUNNING && observedOf(task) < TaskState.RUNNING &&
    old.desiredState === task.desiredState && old.nodeId === task.nodeId && old.slot === task.slot &&
    old.serviceId === task.serviceId && protoEqual(old.spec, task.spec) && protoEqual(old.specVersion, task.specVersion);
}

function outcomeOf(result: PlanOutcome): KeyOutcome {
  if (result.type !== 'applied') return RETRY;
  return result.requeueAfterMs === undefined ? DONE : { type: 'after', ms: result.requeueAfterMs };
}

/**
 * OrchestratorReconciler is one term of the orchestrator. Keys are service ids and
 * REAPER_KEY. Invariant: the indexes hold every cached task by service and by node, and the
 * id of every cached global service.
 */
export class OrchestratorReconciler implements Reconciler {
  readonly kinds = ['service', 'task', 'node', 'cluster'] as const;
  private readonly history = new Map<string, RestartHistory>();
  private readonly byService = new Map<string, Set<string>>();
  private readonly byNode = new Map<string, Set<string>>();
  private readonly taskPlace = new Map<string, { serviceId: string; nodeId: string }>();
  private readonly services = new Set<string>();
  private readonly globals = new Set<string>();

  /** The constructor takes the id source of new tasks and the placement matcher. */
  constructor(private readonly ids: IdSource, private readonly matchConstraints?: NodeMatcher) {}

  /** onEvent keeps the indexes and names the services the change concerns. */
  onEvent(event: CacheEvent): readonly string[] {
    const { object } = event;
    switch (object.kind) {
      case 'service':
        return this.onService(event.type, object.object);
      case 'task':
        return this.onTask(event.type, object.object, event.old?.kind === 'task' ? event.old.object : undefined);
      case 'node': {
        // A write that changed only the node's meta (the scheduler's fence) changes nothing
        // the planners read: no pass.
        const old = event.old?.kind === 'node' ? event.old.object : undefined;
        if (event.type === 'update' && old !== undefined && old !== object.object &&
          protoEqual({ ...old, meta: undefined }, { ...object.object, meta: undefined })) return [];
        const onNode = [...(this.byNode.get(object.object.id) ?? [])]
          .map((id) => this.taskPlace.get(id)?.serviceId ?? '');
        return [...new Set([...onNode, ...this.globals])].filter((id) => id !== '');
      }
      case 'cluster':
        return [...this.services, REAPER_KEY];
      default:
        return [];
    }
  }

  private onService(type: CacheEvent['type'], service: Service): readonly string[] {
    if (type === 'delete') {
      this.services.delete(service.id);
      this.globals.delete(service.id);
      this.history.delete(service.id);
      return [REAPER_KEY];
    }
    this.services.add(service.id);
    if (isGlobal(service)) this.globals.add(service.id);
    else this.globals.delete(service.id);
    return [service.id];
  }

  private onTask(type: CacheEvent['type'], task: Task, old: Task | undefined): readonly string[] {
    this.unindex(task.id);
    if (type !== 'delete') this.index(task);
    if (type === 'update' && old !== undefined && startingOnly(old, task)) return [];
    const keys: string[] = [];
    if (task.serviceId !== '') keys.push(task.serviceId);
    const observed = observedOf(task);
    if (type === 'delete' || observed > TaskState.RUNNING || task.desiredState > TaskState.RUNNING) {
      keys.push(REAPER_KEY);
    }
    return keys;
  }

  private index(task: Task): void {
    this.taskPlace.set(task.id, { serviceId: task.serviceId, nodeId: task.nodeId });
    const s = this.byService.get(task.serviceId) ?? new Set<string>();
    s.add(task.id);
    this.byService.set(task.serviceId, s);
    if (task.nodeId === '') return;
    const n = this.byNode.get(task.nodeId) ?? new Set<string>();
    n.add(task.id);
    this.byNode.set(task.nodeId, n);
  }

  private unindex(taskId: string): void {
    const place = this.taskPlace.get(taskId);
    if (place === undefined) return;
    this.taskPlace.delete(taskId);
    this.byService.get(place.serviceId)?.delete(taskId);
    if (this.byService.get(place.serviceId)?.size === 0) this.byService.delete(place.serviceId);
    this.byNode.get(place.nodeId)?.delete(taskId);
    if (this.byNode.get(place.nodeId)?.size === 0) this.byNode.delete(place.nodeId);
  }

  /** allKeys is every service and the reaper (taskinit's startup pass). */
  allKeys(informer: Informer): readonly string[] {
    return [REAPER_KEY, ...informer.list('service').map((s) => s.id)];
  }

  /** pass runs the reaper first (if asked), then each service's planner. */
  async pass(keys: readonly string[], ctx: PassContext): Promise<ReadonlyMap<string, KeyOutcome>> {
    const outcomes = new Map<string, KeyOutcome>();
    const source: PlanSource = {
      task: (id) => ctx.informer.get('task', id),
      service: (id) => ctx.informer.get('service', id),
      commit: (changes) => ctx.commit(changes),
    };
    const nodes = ctx.informer.list('node');
    const cluster = ctx.informer.list('cluster')[0];
    if (keys.includes(REAPER_KEY)) {
      const actions = planReap(ctx.informer.list('service'), ctx.informer.list('task'), cluster, ctx.nowMs);
      outcomes.set(REAPER_KEY, actions.length === 0 ? DONE : outcomeOf(await applyPlan(source, actions)));
    }
    for (const key of keys) {
      if (key === REAPER_KEY || ctx.signal.aborted) continue;
      outcomes.set(key, await this.reconcile(key, { ctx, source, nodes, cluster }));
    }
    return outcomes;
  }

  private async reconcile(serviceId: string, facts: { ctx: PassContext; source: PlanSource;
    nodes: readonly Node[]; cluster: Cluster | undefined }): Promise<KeyOutcome> {
    const { ctx } = facts;
    const service = ctx.informer.get('service', serviceId);
    if (service === undefined) return DONE;
    const tasks = [...(this.byService.get(serviceId) ?? [])]
      .map((id) => ctx.informer.get('task', id))
      .filter((t): t is Task => t !== undefined);
    const plan = plannerOf(service)(service, tasks, facts.nodes, facts.cluster, ctx.nowMs, this.ids,
      { history: this.history.get(serviceId), matchConstraints: this.matchConstraints });
    if (plan.actions.length === 0) return DONE;
    const result = await applyPlan(facts.source, plan.actions);
    if (result.type === 'applied') this.history.set(serviceId, plan.history);
    return outcomeOf(result);
  }
}
