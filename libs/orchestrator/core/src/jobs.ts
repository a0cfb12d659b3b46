import { assert } from '@shoal/assert';
import { TaskState, type Cluster, type JobStatus, type Node, type Service, type Task, type Version } from '@shoal/proto';
import type { PassContext } from './context';
import { isEligible } from './global';
import { ORCHESTRATOR_CORE_LIMITS } from '@shoal/limits';
import { newTask, type IdSource } from './new-task';
import { finishPass, removeServiceTasks, startPass, type Plan, type PlanOptions } from './pass';
import { serviceModeOf } from './policy';
import { promoteHeldTasks, restartTask } from './restart';
import { isInvalidNode, isPaused, metaVersion, observedState, versionIndex } from './task-facts';

/**
 * resolveJobIteration returns the job iteration in force and the job status to write, if any:
 * an unset status starts iteration 0; a spec_version that no task of the current iteration
 * carries (while the iteration has tasks) means the user updated the job, which starts the
 * next iteration (SwarmKit bumps it in the control API; here the orchestrator owns it).
 */
export function resolveJobIteration(service: Service, tasks: readonly Task[], nowMs: number): {
  readonly iteration: Version;
  readonly write: JobStatus | undefined;
} {
  const current = service.jobStatus?.jobIteration;
  if (current === undefined) {
    const iteration = { index: 0 };
    return { iteration, write: { jobIteration: iteration, lastExecution: new Date(nowMs) } };
  }
  const mine = tasks.filter((t) => t.jobIteration?.index === current.index);
  const spec = versionIndex(service.specVersion);
  if (mine.length === 0 || mine.some((t) => versionIndex(t.specVersion) === spec)) {
    return { iteration: current, write: undefined };
  }
  const iteration = { index: current.index + 1 };
  return { iteration, write: { jobIteration: iteration, lastExecution: new Date(nowMs) } };
}

/** settleJobTasks removes older iterations' unfinished tasks and restarts failed ones. */
function settleJobTasks(ctx: PassContext, iteration: number): Task[] {
  const current: Task[] = [];
  for (const t of ctx.builder.view()) {
    if (t.jobIteration?.index !== iteration) {
      if (observedState(t) <= TaskState.RUNNING) ctx.builder.raiseDesired(t.id, TaskState.REMOVE);
      continue;
    }
    const observed = observedState(t);
    const live = t.desiredState <= TaskState.COMPLETE && observed !== TaskState.COMPLETE;
    const stranded = observed < TaskState.COMPLETE && t.nodeId !== '' && isInvalidNode(ctx.nodes.get(t.nodeId));
    if (live && (observed > TaskState.COMPLETE || stranded)) restartTask(ctx, t);
  }
  for (const t of ctx.builder.view()) if (t.jobIteration?.index === iteration) current.push(t);
  return current;
}

function isLiveJobTask(t: Task): boolean {
  return t.desiredState <= TaskState.COMPLETE && observedState(t) !== TaskState.COMPLETE;
}

/**
 * fillReplicatedJob creates min(max_concurrent − running, total − completed − running) tasks
 * in the lowest slots (from 0) that have neither a completed nor a live task (SwarmKit
 * `jobs/replicated`).
 */
function fillReplicatedJob(ctx: PassContext, current: readonly Task[], maxConcurrent: number, total: number): void {
  const taken = new Set<number>();
  let running = 0;
  let completed = 0;
  for (const t of current) {
    if (observedState(t) === TaskState.COMPLETE) {
      completed++;
      taken.add(t.slot);
    } else if (isLiveJobTask(t)) {
      running++;
      taken.add(t.slot);
    }
  }
  const count = Math.min(maxConcurrent - running, total - completed - running, ORCHESTRATOR_CORE_LIMITS.maxCreatesPerPass);
  let slot = ORCHESTRATOR_CORE_LIMITS.firstJobSlot;
  for (let i = 0; i < count; i++) {
    while (taken.has(slot)) slot++;
    assert(slot < total + ORCHESTRATOR_CORE_LIMITS.firstJobSlot, 'job slots stay below total_completions');
    taken.add(slot);
    ctx.builder.create(newTask(ctx.service, ctx.cluster, ctx.ids, {
      slot, nodeId: '', desiredState: TaskState.COMPLETE, jobIteration: ctx.jobIteration,
    }));
  }
}

/** fillGlobalJob creates a task on every eligible, non-paused node without one this iteration. */
function fillGlobalJob(ctx: PassContext, current: readonly Task[]): void {
  const covered = new Set(current.filter((t) => isLiveJobTask(t) || observedState(t) === TaskState.COMPLETE)
    .map((t) => t.nodeId));
  for (const nodeId of [...ctx.nodes.keys()].sort()) {
    const node = ctx.nodes.get(nodeId);
    if (covered.has(nodeId) || !isEligible(ctx, node) || isPaused(node)) continue;
    ctx.builder.create(newTask(ctx.service, ctx.cluster, ctx.ids, {
      slot: 0, nodeId, desiredState: TaskState.COMPLETE, jobIteration: ctx.jobIteration,
    }));
  }
}

/**
 * planJob is one pass of a replicated or global job (SwarmKit `orchestrator/jobs`): it keeps
 * the job iteration (see {@link resolveJobIteration}), sets unfinished tasks of older
 * iterations to REMOVE, restarts failed tasks of this iteration (ANY behaves as ON_FAILURE),
 * then runs up to max_concurrent tasks at once until total_completions completed (replicated;
 * slots 0..total_completions−1) or one completed task per eligible node (global). Job tasks
 * are created with desired COMPLETE and carry the iteration.
 */
export function planJob(
  service: Service,
  tasks: readonly Task[],
  nodes: readonly Node[],
  cluster: Cluster | undefined,
  nowMs: number,
  ids: IdSource,
  options: PlanOptions = {},
): Plan {
  const mode = service.spec?.mode;
  const kind = serviceModeOf(service.spec);
  assert(kind === 'replicatedJob' || kind === 'globalJob', 'planJob takes job services');
  const own = tasks.filter((t) => t.serviceId === service.id);
  const { iteration, write } = resolveJobIteration(service, own, nowMs);
  const ctx = startPass({ service, effective: service, tasks: own, nodes, cluster, nowMs, ids, options, jobIteration: iteration });
  if (service.pendingDelete) {
    removeServiceTasks(ctx);
    return finishPass(ctx);
  }
  if (write !== undefined) ctx.builder.setJobStatus(service.id, metaVersion(service), write);
  const current = settleJobTasks(ctx, iteration.index);
  if (mode?.$case === 'replicatedJob') {
    fillReplicatedJob(ctx, current, mode.replicatedJob.maxConcurrent, mode.replicatedJob.totalCompletions);
  } else {
    fillGlobalJob(ctx, current);
  }
  promoteHeldTasks(ctx);
  return finishPass(ctx);
}
