// The dispatcher's writes to the store: the task statuses agents report and the node status
// and description it observes, batched (last write per object wins) and committed in
// transactions of at most STORE_LIMITS.maxChangesPerTransaction as writer `dispatcher`.
import { assert } from '@shoal/assert';
import type { Clock } from '@shoal/clock';
import { LastWriteBatcher, validateStatus } from '@shoal/dispatcher-core';
import { isShoalError } from '@shoal/errors';
import { DISPATCHER_LIMITS, STORE_LIMITS } from '@shoal/limits';
import type { Logger } from '@shoal/logging';
import type { Node, NodeDescription, NodeStatus, Task, TaskStatus } from '@shoal/proto';
import type { ClientChange, StoreClient } from '@shoal/store-client';
import type { DispatcherMetrics } from './metrics';

/** QueuedStatus is one accepted task status and the node that reported it. */
export interface QueuedStatus {
  readonly nodeId: string;
  readonly status: TaskStatus;
}

/** NodeWrite is what the dispatcher sets on a node: its status and/or description. */
export interface NodeWrite {
  readonly status?: NodeStatus;
  readonly description?: NodeDescription;
  /**
   * Write only while the node's status still has this state and message (the sweeper's DOWN:
   * a node that re-registered meanwhile keeps its new status).
   */
  readonly onlyIf?: Pick<NodeStatus, 'state' | 'message'>;
}

function holds(node: Node, write: NodeWrite): boolean {
  const want = write.onlyIf;
  return want === undefined
    || ((node.status?.state ?? 0) === want.state && (node.status?.message ?? '') === want.message);
}

function applied(node: Node, write: NodeWrite): Node {
  const { onlyIf: _onlyIf, ...fields } = write;
  return { ...node, ...fields };
}

/** StoreWriterDeps: the client, where current objects are read from, time and logs. */
export interface StoreWriterDeps {
  readonly client: StoreClient;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: DispatcherMetrics;
  /** Stamped into TaskStatus.applied_by. */
  readonly dispatcherId: string;
  readonly cachedTask: (id: string) => Task | undefined;
  readonly cachedNode: (id: string) => Node | undefined;
}

type Flushed = { written: number; dropped: number };

/**
 * StoreWriter batches status writes. Contract: `queueTask` keeps the last status per task,
 * `queueNode` merges fields per node; `flushDue(now)` writes each batch that is due
 * (DISPATCHER_LIMITS.statusBatchIntervalMs or statusBatchMaxItems); a write re-validates every
 * status against the cached task (forward only, identical dropped) and, when a chunk hits a
 * SEQUENCE_CONFLICT (the cache lagged the store), retries its objects one by one with
 * read-modify-write. Failures are logged and counted, never thrown: the agent re-reports.
 */
export class StoreWriter {
  private readonly tasks = new LastWriteBatcher<QueuedStatus>({
    intervalMs: DISPATCHER_LIMITS.statusBatchIntervalMs, maxItems: DISPATCHER_LIMITS.statusBatchMaxItems });
  private readonly nodes = new LastWriteBatcher<NodeWrite>({
    intervalMs: DISPATCHER_LIMITS.statusBatchIntervalMs, maxItems: DISPATCHER_LIMITS.statusBatchMaxItems });
  private flushing = false;
  /** When the last task-status write started (ms), for DISPATCHER_LIMITS.statusWriteMinGapMs. */
  private lastTaskWriteMs = -Infinity;

  constructor(private readonly deps: StoreWriterDeps) {
    assert(DISPATCHER_LIMITS.statusWriteChunk <= STORE_LIMITS.maxChangesPerTransaction,
      'status write chunks fit one transaction');
  }

  /** queueTask queues a validated status of task `taskId`. */
  queueTask(taskId: string, update: QueuedStatus): void {
    this.tasks.add(taskId, update, this.deps.clock.now());
  }

  /** pendingTask returns the status waiting for `taskId`, if any. */
  pendingTask(taskId: string): QueuedStatus | undefined {
    return this.tasks.get(taskId);
  }

  /** queueNode merges `write` into what waits for node `nodeId` (its `onlyIf` replaces any earlier). */
  queueNode(nodeId: string, write: NodeWrite): void {
    const old = this.nodes.get(nodeId);
    this.nodes.add(nodeId, { ...old, ...write, onlyIf: write.onlyIf }, this.deps.clock.now());
  }

  /** pending is the number of queued task and node writes. */
  get pending(): number {
    return this.tasks.size + this.nodes.size;
  }

  /** flushDue writes the due batches; one flush at a time (a call during one is a no-op). */
  async flushDue(force = false): Promise<void> {
    if (this.flushing) return;
    const now = this.deps.clock.now();
    const spaced = now - this.lastTaskWriteMs >= DISPATCHER_LIMITS.statusWriteMinGapMs;
    const taskDue = (this.tasks.due(now) && spaced) || (force && this.tasks.size > 0);
    const nodeDue = this.nodes.due(now) || (force && this.nodes.size > 0);
    if (!taskDue && !nodeDue) return;
    this.flushing = true;
    try {
      if (nodeDue) await this.flushNodes();
      if (taskDue) {
        this.lastTaskWriteMs = now;
        await this.flushTasks(now);
      }
    } finally {
      this.flushing = false;
    }
  }

  private async flushTasks(now: number): Promise<void> {
    const batch = this.tasks.take();
    const started = this.deps.clock.now();
    const entries = [...batch].map(([id, q]) => ({ id, update: q.value, queuedAtMs: q.queuedAtMs }));
    const result = await this.writeChunks(entries.map((e) => e.id),
      (id) => this.taskChange(id, batch.get(id)?.value, now),
      (id) => this.retryTask(id, batch.get(id)?.value, now));
    const m = this.deps.metrics;
    m.statusBatchSize.observe(entries.length);
    m.statusBatchSeconds.observe((this.deps.clock.now() - started) / 1000);
    for (const e of entries) m.statusLatencySeconds.observe((this.deps.clock.now() - e.queuedAtMs) / 1000);
    m.statusWrites.inc({ outcome: 'written' }, result.written);
    m.statusWrites.inc({ outcome: 'dropped' }, result.dropped);
  }

  private async flushNodes(): Promise<void> {
    const batch = this.nodes.take();
    await this.writeChunks([...batch.keys()],
      (id) => this.nodeChange(id, batch.get(id)?.value),
      (id) => this.retryNode(id, batch.get(id)?.value));
  }

  /** writeChunks commits the changes built for `ids`, chunked; conflicts fall back per id. */
  private async writeChunks(ids: readonly string[], build: (id: string) => ClientChange | undefined,
    retry: (id: string) => Promise<boolean>): Promise<Flushed> {
    const result: Flushed = { written: 0, dropped: 0 };
    for (let i = 0; i < ids.length; i += DISPATCHER_LIMITS.statusWriteChunk) {
      const chunkIds = ids.slice(i, i + DISPATCHER_LIMITS.statusWriteChunk);
      const built = chunkIds.map((id) => ({ id, change: build(id) }));
      const changes = built.flatMap((b) => (b.change === undefined ? [] : [b.change]));
      result.dropped += built.length - changes.length;
      if (changes.length === 0) continue;
      try {
        await this.deps.client.transaction(changes, { writer: 'dispatcher' });
        result.written += changes.length;
      } catch (err) {
        this.deps.logger.debug({ err, changes: changes.length }, 'status chunk failed; writing one by one');
        for (const b of built) {
          if (b.change === undefined) continue;
          if (await retry(b.id)) result.written += 1;
          else result.dropped += 1;
        }
      }
    }
    return result;
  }

  private stampedTask(task: Task | undefined, q: QueuedStatus | undefined, now: number): Task | undefined {
    if (task === undefined || q === undefined) return undefined;
    if (validateStatus(q.nodeId, task, q.status) !== 'accept') return undefined;
    const status = { ...q.status, appliedBy: this.deps.dispatcherId, appliedAt: new Date(now) };
    return { ...task, status };
  }

  private taskChange(id: string, q: QueuedStatus | undefined, now: number): ClientChange | undefined {
    const object = this.stampedTask(this.deps.cachedTask(id), q, now);
    return object === undefined ? undefined : { action: 'update', kind: 'task', object };
  }

  private async retryTask(id: string, q: QueuedStatus | undefined, now: number): Promise<boolean> {
    try {
      let wrote = false;
      await this.deps.client.update('task', id, (t) => {
        const next = this.stampedTask(t, q, now);
        wrote = next !== undefined;
        return next;
      }, { writer: 'dispatcher' });
      return wrote;
    } catch (err) {
      if (!isShoalError(err, 'NOT_FOUND')) this.deps.logger.warn({ err, taskId: id }, 'task status write failed');
      return false;
    }
  }

  private nodeChange(id: string, write: NodeWrite | undefined): ClientChange | undefined {
    const node = this.deps.cachedNode(id);
    if (node === undefined || write === undefined || !holds(node, write)) return undefined;
    return { action: 'update', kind: 'node', object: applied(node, write) };
  }

  private async retryNode(id: string, write: NodeWrite | undefined): Promise<boolean> {
    try {
      if (write === undefined) return false;
      let wrote = false;
      await this.deps.client.update('node', id, (n) => {
        wrote = holds(n, write);
        return wrote ? applied(n, write) : undefined;
      }, { writer: 'dispatcher' });
      return wrote;
    } catch (err) {
      if (!isShoalError(err, 'NOT_FOUND')) this.deps.logger.warn({ err, nodeId: id }, 'node status write failed');
      return false;
    }
  }
}
