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
  /** The node objects to fence with, by id (refreshed from earlier waves before a commit). */
  readonly nodes: Map<string, Node>;
}

function chunkSize(chunk: Chunk): number {
  return chunk.decisions.length + chunk.nodes.size;
}

/**
 * planWaves groups decisions by node and packs whole node groups into chunks of at most
 * changesPerCommitMax changes (a fence plus the node's tasks), so that the chunks of a wave
 * touch disjoint nodes and may commit concurrently. A node with more decisions than fit one
 * chunk is cut into pieces; piece i goes to wave i, which commits after wave i - 1 and fences
 * at the version that wave committed. `fence` gives the node object to fence a decision
 * with, or undefined when the decision is already stale (it then fails at once).
 */
function planWaves(
  decisions: readonly SchedulingDecision[],
  fence: (d: SchedulingDecision) => Node | undefined,
  failed: SchedulingDecision[],
): Chunk[][] {
  const max = SCHEDULER_LOOP_LIMITS.changesPerCommitMax;
  const groups = new Map<string, { node: Node; decisions: SchedulingDecision[] }>();
  for (const d of decisions) {
    const node = fence(d);
    if (node === undefined) {
      failed.push(d);
      continue;
    }
    const group = groups.get(d.nodeId) ?? { node, decisions: [] };
    group.decisions.push(d);
    groups.set(d.nodeId, group);
  }
  const waves: Chunk[][] = [];
  const ids = [...groups.keys()].sort();
  for (const id of ids) {
    const group = groups.get(id) as { node: Node; decisions: SchedulingDecision[] };
    for (let piece = 0; piece * (max - 1) < group.decisions.length; piece++) {
      const part = group.decisions.slice(piece * (max - 1), (piece + 1) * (max - 1));
      const wave = waves[piece] ?? [];
      waves[piece] = wave;
      let chunk = wave[wave.length - 1];
      if (chunk === undefined || chunkSize(chunk) + part.length + 1 > max) {
        chunk = { decisions: [], nodes: new Map() };
        wave.push(chunk);
      }
      chunk.nodes.set(id, group.node);
      chunk.decisions.push(...part);
    }
  }
  return waves;
}

/** runBounded runs `work` over `items` with at most `limit` in flight. */
async function runBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * commitDecisions writes `decisions`. Each transaction updates its tasks at their cached
 * versions and re-checks each node's version with a no-op update of the node at the version
 * the decision saw (the store has no read-check, so an unchanged update is the fence; it
 * bumps the node's version, which a later wave of the same node takes over). Chunks of one
 * wave touch disjoint nodes and commit concurrently (commitConcurrency). A refused change
 * (SEQUENCE_CONFLICT, NOT_FOUND) drops its decisions (a node's: all of them) and the rest is
 * tried again, at most commitAttemptsMax times; any other failure fails the chunk.
 */
export async function commitDecisions(
  source: CommitSource,
  decisions: readonly SchedulingDecision[],
): Promise<CommitResult> {
  const result: CommitResult = { committed: [], failed: [] };
  /** Nodes as this call last committed them (a later wave fences at that version). */
  const fenced = new Map<string, Node>();
  const fence = (d: SchedulingDecision): Node | undefined => {
    const node = source.node(d.nodeId);
    return versionOf(node) === d.nodeVersion ? node : undefined;
  };
  for (const wave of planWaves(decisions, fence, result.failed)) {
    await runBounded(wave, SCHEDULER_LOOP_LIMITS.commitConcurrency, async (chunk) => {
      for (const [id, node] of chunk.nodes) chunk.nodes.set(id, fenced.get(id) ?? node);
      const committed = await commitChunk(source, chunk, result.failed);
      if (committed === undefined) return;
      for (const o of committed.objects) if (o.kind === 'node') fenced.set(o.object.id, o.object);
      result.committed.push(...chunk.decisions);
    });
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
