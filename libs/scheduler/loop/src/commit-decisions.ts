// The scheduler's transaction site (SwarmKit's applySchedulingDecisions): decisions become
// task updates in batched transactions, each node fenced at the version the decision saw.
import { assert } from '@shoal/assert';
import { isShoalError } from '@shoal/errors';
import { TaskState, type Node, type Task } from '@shoal/proto';
import type { SchedulingDecision, UnschedulableTask } from '@shoal/scheduler-core';
import type { ClientChange, Committed } from '@shoal/store-client';
import { SCHEDULER_LOOP_LIMITS } from '@shoal/limits';

/** CommitSource is what the commit reads and where it writes. */
export interface CommitSource {
  task(id: string): Task | undefined;
  node(id: string): Node | undefined;
  commit(changes: readonly ClientChange[]): Promise<Committed>;
  readonly nowMs: number;
}

/** CommitResult lists the decisions that committed and those that did not. */
export interface CommitResult {
  readonly committed: SchedulingDecision[];
  readonly failed: SchedulingDecision[];
}

function versionOf(o: { meta?: { version?: { index: number } } } | undefined): number | undefined {
  return o?.meta?.version?.index;
}

/** assignedTask is the task after a decision: node, generic resources, ASSIGNED status. */
export function assignedTask(task: Task, d: SchedulingDecision, nowMs: number): Task {
  return {
    ...task,
    nodeId: d.nodeId,
    assignedGenericResources: d.assignedGenericResources,
    schedulerStatus: {
      timestamp: new Date(nowMs), state: TaskState.ASSIGNED, message: d.message, err: '',
      appliedBy: '',
    },
  };
}

/** Chunk is one transaction's worth: per node a fence plus that node's decisions. */
interface Chunk {
  readonly decisions: SchedulingDecision[];
  readonly nodes: Map<string, Node>;
}

function chunkSize(chunk: Chunk): number {
  return chunk.decisions.length + chunk.nodes.size;
}

/**
 * chunkDecisions groups decisions by node (so a node's fence is shared by its tasks) and
 * cuts them into transactions of at most changesPerCommitMax changes. `fence` gives the node
 * object to fence a decision with, or undefined when the decision is already stale.
 */
function chunkDecisions(
  decisions: readonly SchedulingDecision[],
  fence: (d: SchedulingDecision) => Node | undefined,
  failed: SchedulingDecision[],
): Chunk[] {
  const max = SCHEDULER_LOOP_LIMITS.changesPerCommitMax;
  const sorted = [...decisions].sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
  const chunks: Chunk[] = [];
  let chunk: Chunk = { decisions: [], nodes: new Map() };
  for (const d of sorted) {
    const node = fence(d);
    if (node === undefined) {
      failed.push(d);
      continue;
    }
    const extra = chunk.nodes.has(d.nodeId) ? 1 : 2;
    if (chunkSize(chunk) + extra > max) {
      chunks.push(chunk);
      chunk = { decisions: [], nodes: new Map() };
    }
    chunk.nodes.set(d.nodeId, node);
    chunk.decisions.push(d);
  }
  if (chunk.decisions.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * commitDecisions writes `decisions`. Each transaction updates its tasks at their cached
 * versions and re-checks each node's version with a no-op update of the node at the version
 * the decision saw (the store has no read-check, so an unchanged update is the fence; it
 * bumps the node's version, which the next chunk of the same node takes over). A refused
 * change (SEQUENCE_CONFLICT, NOT_FOUND) drops its decisions (a node's: all of them) and the
 * rest is tried again, at most commitAttemptsMax times; any other failure fails the chunk.
 */
export async function commitDecisions(
  source: CommitSource,
  decisions: readonly SchedulingDecision[],
): Promise<CommitResult> {
  const result: CommitResult = { committed: [], failed: [] };
  const fenced = new Map<string, { readonly from: number; node: Node }>();
  const fence = (d: SchedulingDecision): Node | undefined => {
    const own = fenced.get(d.nodeId);
    if (own !== undefined) return own.from === d.nodeVersion ? own.node : undefined;
    const node = source.node(d.nodeId);
    return versionOf(node) === d.nodeVersion ? node : undefined;
  };
  for (const chunk of chunkDecisions(decisions, fence, result.failed)) {
    const committed = await commitChunk(source, chunk, result.failed);
    for (const o of committed?.objects ?? []) {
      if (o.kind !== 'node') continue;
      const from = chunk.nodes.get(o.object.id);
      assert(from !== undefined, 'a committed node was fenced by this chunk');
      const prior = fenced.get(o.object.id);
      fenced.set(o.object.id, { from: prior?.from ?? (versionOf(from) as number), node: o.object });
    }
    if (committed !== undefined) result.committed.push(...chunk.decisions);
  }
  assert(result.committed.length + result.failed.length === decisions.length, 'every decision accounted');
  return result;
}

function chunkChanges(source: CommitSource, chunk: Chunk, failed: SchedulingDecision[]): ClientChange[] {
  const changes: ClientChange[] = [];
  for (const node of chunk.nodes.values()) changes.push({ action: 'update', kind: 'node', object: node });
  const kept: SchedulingDecision[] = [];
  for (const d of chunk.decisions) {
    const task = source.task(d.taskId);
    if (task === undefined) {
      failed.push(d);
      continue;
    }
    kept.push(d);
    changes.push({ action: 'update', kind: 'task', object: assignedTask(task, d, source.nowMs) });
  }
  chunk.decisions.splice(0, chunk.decisions.length, ...kept);
  return changes;
}

/** commitChunk commits one chunk, dropping refused decisions; undefined if nothing committed. */
async function commitChunk(source: CommitSource, chunk: Chunk, failed: SchedulingDecision[]):
  Promise<Committed | undefined> {
  for (let attempt = 1; ; attempt++) {
    const changes = chunkChanges(source, chunk, failed);
    if (chunk.decisions.length === 0) return undefined;
    try {
      return await source.commit(changes);
    } catch (err) {
      const index = refusedChange(err);
      if (index === undefined || attempt >= SCHEDULER_LOOP_LIMITS.commitAttemptsMax) {
        failed.push(...chunk.decisions.splice(0));
        return undefined;
      }
      dropRefused(chunk, changes[index] as ClientChange, failed);
    }
  }
}

function refusedChange(err: unknown): number | undefined {
  if (!isShoalError(err, 'SEQUENCE_CONFLICT') && !isShoalError(err, 'NOT_FOUND')) return undefined;
  const raw = err.details?.['changeIndex'];
  const index = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(index) ? index : undefined;
}

function dropRefused(chunk: Chunk, change: ClientChange, failed: SchedulingDecision[]): void {
  const id = change.object.id;
  const drop = (d: SchedulingDecision): boolean =>
    change.kind === 'node' ? d.nodeId === id : d.taskId === id;
  failed.push(...chunk.decisions.filter(drop));
  chunk.decisions.splice(0, chunk.decisions.length, ...chunk.decisions.filter((d) => !drop(d)));
  if (chunk.decisions.every((d) => d.nodeId !== id)) chunk.nodes.delete(id);
}

/**
 * unschedulableChanges turns tasks that fit nowhere into scheduler_status {PENDING, err},
 * skipping tasks whose stored status already says the same (no churn).
 */
export function unschedulableChanges(
  source: Pick<CommitSource, 'task' | 'nowMs'>,
  unschedulable: readonly UnschedulableTask[],
): ClientChange[] {
  const changes: ClientChange[] = [];
  for (const u of unschedulable) {
    const task = source.task(u.taskId);
    if (task === undefined) continue;
    const s = task.schedulerStatus;
    if (s !== undefined && s.state === TaskState.PENDING && s.err === u.message) continue;
    const schedulerStatus = { timestamp: new Date(source.nowMs), state: TaskState.PENDING,
      message: '', err: u.message, appliedBy: '' };
    changes.push({ action: 'update', kind: 'task', object: { ...task, schedulerStatus } });
  }
  return changes;
}
