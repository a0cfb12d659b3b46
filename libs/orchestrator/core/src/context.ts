import type { Cluster, Service, Task, Version } from '@shoal/proto';
import type { NodeMatcher } from './constraints';
import type { IdSource } from './new-task';
import type { PlanBuilder } from './plan-builder';
import { isGlobalMode, type ServiceMode } from './policy';
import type { RestartHistory } from './restart-history';
import { restartSlotKey } from './restart-history';
import type { NodeIndex } from './task-facts';

/**
 * PassContext is what one planner pass over one service shares between its steps (restart,
 * scale, update, delayed start). Only the planner that made it may change `history`.
 */
export interface PassContext {
  readonly builder: PlanBuilder;
  /** The effective service: its previous spec and version during an automatic rollback. */
  readonly service: Service;
  /** The stored service (what the store holds), for status writes and versions. */
  readonly stored: Service;
  readonly mode: ServiceMode;
  readonly nodes: NodeIndex;
  readonly cluster: Cluster | undefined;
  readonly nowMs: number;
  readonly ids: IdSource;
  readonly matches: NodeMatcher;
  /** Job iteration new tasks belong to (job modes only). */
  readonly jobIteration: Version | undefined;
  /** Restart history, advanced as this pass restarts tasks. */
  history: RestartHistory;
}

/** slotKeyOf returns a task's slot key in this pass (slot number, or node for global modes). */
export function slotKeyOf(ctx: PassContext, task: Task): string {
  return restartSlotKey(task, isGlobalMode(ctx.mode));
}

/** serviceTasks returns the working tasks of the pass's service. */
export function serviceTasks(ctx: PassContext): Task[] {
  return ctx.builder.view().filter((t) => t.serviceId === ctx.stored.id);
}

/**
 * groupBySlot groups tasks by slot key, keys in ascending slot (or node id) order, each
 * group oldest created first.
 */
export function groupBySlot(ctx: PassContext, tasks: readonly Task[]): Map<string, Task[]> {
  const global = isGlobalMode(ctx.mode);
  const sorted = [...tasks].sort((a, b) => {
    if (a.slot !== b.slot) return a.slot - b.slot;
    if (global && a.nodeId !== b.nodeId) return a.nodeId < b.nodeId ? -1 : 1;
    const ca = a.meta?.createdAt?.getTime() ?? ctx.nowMs;
    const cb = b.meta?.createdAt?.getTime() ?? ctx.nowMs;
    if (ca !== cb) return ca - cb;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  const groups = new Map<string, Task[]>();
  for (const t of sorted) {
    const key = slotKeyOf(ctx, t);
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [t]);
    else list.push(t);
  }
  return groups;
}
