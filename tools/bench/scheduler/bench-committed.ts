/**
 * Placements committed through a real three-member raft-store (processes, started as
 * tools/bench/store does): 1k READY nodes and a 10k-replica service whose tasks wait PENDING
 * (written as the orchestrator and allocator would), then one scheduler replica (the real
 * loop: informer, batched passes, fenced transactions of at most 200 changes) schedules them
 * all. The clock starts when the replica starts campaigning; it stops when a separate watch
 * has seen every task ASSIGNED. Reports tasks/s (goal ≥ 2,000/s) and where the time went.
 */
import { performance } from 'node:perf_hooks';
import {
  NodeRole,
  NodeSpec_Availability,
  NodeSpec_Membership,
  NodeStatus_State,
  Node,
  Task,
  TaskState,
  type OwnerName,
} from '@shoal/proto';
import { systemClock, systemTimers } from '@shoal/runtime';
import { createSchedulerLoop, type SchedulerReconciler } from '@shoal/scheduler-loop';
import { connectStore, objectKindOf, type ClientChange, type StoreClient } from '@shoal/store-client';
import { startShoal } from '../store/shoal-target';

const NODES = 1_000;
const TASKS = 10_000;
const CHUNK = 200;
const DONE_TIMEOUT_MS = 120_000;

function benchId(tag: string, n: number): string {
  return '0' + tag + n.toString(36).padStart(23, '0');
}

function node(i: number): Node {
  return Node.fromPartial({
    id: benchId('n', i),
    spec: { annotations: { name: `node${i}`, labels: {} }, desiredRole: NodeRole.WORKER,
      membership: NodeSpec_Membership.ACCEPTED, availability: NodeSpec_Availability.ACTIVE },
    role: NodeRole.WORKER,
    status: { state: NodeStatus_State.READY, message: '', addr: `10.0.${i >> 8}.${i & 255}` },
    description: { hostname: `host${i}`, resources: { nanoCpus: 8e9, memoryBytes: 16 * 2 ** 30 },
      engine: { engineVersion: '27.0.0', labels: {}, plugins: [] } },
  });
}

function task(i: number): Task {
  return Task.fromPartial({
    id: benchId('t', i), serviceId: benchId('s', 1), slot: i + 1, specVersion: { index: 1 },
    desiredState: TaskState.RUNNING,
    annotations: { name: `web.${i + 1}`, labels: {} },
    serviceAnnotations: { name: 'web', labels: {} },
    spec: { runtime: { $case: 'container', container: { image: 'nginx:1.27' } },
      resources: { reservations: { nanoCpus: 1e8, memoryBytes: 64 * 2 ** 20 } } },
    allocatorStatus: { state: TaskState.PENDING, message: 'pending task scheduling' },
  });
}

async function writeAll(client: StoreClient, writer: OwnerName, changes: readonly ClientChange[]): Promise<void> {
  for (let i = 0; i < changes.length; i += CHUNK) {
    await client.transaction(changes.slice(i, i + CHUNK), { writer });
  }
}

/** waitAssigned resolves with the ms (performance clock) when every task was seen ASSIGNED. */
function waitAssigned(client: StoreClient, fromVersion: number): { done: Promise<number>; close(): void } {
  const seen = new Set<string>();
  let resolveDone: (ms: number) => void = () => undefined;
  const done = new Promise<number>((r) => {
    resolveDone = r;
  });
  const sub = client.watch({ fromVersion, filters: [{ kinds: [objectKindOf('task')] }] }, {
    onTransaction: (t) => {
      for (const e of t.events) {
        if (e.kind === 'task' && e.object.schedulerStatus?.state === TaskState.ASSIGNED) seen.add(e.object.id);
      }
      if (seen.size === TASKS) resolveDone(performance.now());
    },
  });
  return { done, close: () => sub.close() };
}

/** CommittedResult is the committed-placement figure. */
export interface CommittedResult {
  readonly nodes: number;
  readonly tasks: number;
  readonly members: number;
  readonly totalMs: number;
  readonly tasksPerSecond: number;
  readonly goalTasksPerSecond: number;
  readonly goalMet: boolean;
  readonly transactions: number;
  readonly passes: number;
  readonly changesCommitted: number;
  /** Ms from the first transaction sent to the last one committed. */
  readonly commitPhaseMs: number;
  readonly firstCommitAfterMs: number | undefined;
  readonly activeAfterMs: number | undefined;
  readonly firstPassAfterMs: number | undefined;
}

/** benchCommitted runs the committed case once (see the file comment). */
export async function benchCommitted(): Promise<CommittedResult> {
  const target = await startShoal();
  const clients: StoreClient[] = [];
  const client = (role: 'ca' | 'orchestrator' | 'scheduler' | 'gateway'): StoreClient => {
    const c = connectStore({ endpoints: target.info.endpoints, identityForTests: role });
    clients.push(c);
    return c;
  };
  try {
    await writeAll(client('ca'), 'ca', Array.from({ length: NODES }, (_, i) =>
      ({ action: 'create', kind: 'node', object: node(i) })));
    await writeAll(client('orchestrator'), 'orchestrator', Array.from({ length: TASKS }, (_, i) =>
      ({ action: 'create', kind: 'task', object: task(i) })));
    const watcher = client('gateway');
    const { version } = await watcher.list(['task'], { stale: false });
    const assigned = waitAssigned(watcher, version);
    let reconciler: SchedulerReconciler | undefined;
    let firstPassMs: number | undefined;
    let activeMs: number | undefined;
    const schedulerClient = client('scheduler');
    const inner = schedulerClient.transaction.bind(schedulerClient);
    let firstCommitStartMs: number | undefined;
    let lastCommitEndMs = 0;
    let changesCommitted = 0;
    schedulerClient.transaction = async (changes, options) => {
      firstCommitStartMs ??= performance.now();
      const committed = await inner(changes, options);
      lastCommitEndMs = performance.now();
      changesCommitted += changes.length;
      return committed;
    };
    const loop = createSchedulerLoop({ store: schedulerClient, holder: 'bench', clock: systemClock,
      timers: systemTimers, onTerm: (r) => {
        reconciler = r;
      } });
    const started = performance.now();
    loop.start();
    const poll = setInterval(() => {
      if (activeMs === undefined && loop.stats.active) activeMs = performance.now() - started;
      if (firstPassMs === undefined && reconciler?.lastPass !== undefined) firstPassMs = performance.now() - started;
    }, 1);
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`not every task assigned within ${DONE_TIMEOUT_MS} ms`)), DONE_TIMEOUT_MS).unref());
    const endMs = await Promise.race([assigned.done, timeout]);
    clearInterval(poll);
    const totalMs = endMs - started;
    assigned.close();
    const stats = { ...loop.stats };
    await loop.stop();
    const tasksPerSecond = Math.round(TASKS / (totalMs / 1000));
    return {
      nodes: NODES, tasks: TASKS, members: 3, totalMs: Math.round(totalMs), tasksPerSecond,
      goalTasksPerSecond: 2_000, goalMet: tasksPerSecond >= 2_000, transactions: stats.writes,
      passes: stats.passes, changesCommitted,
      commitPhaseMs: firstCommitStartMs === undefined ? 0 : Math.round(lastCommitEndMs - firstCommitStartMs),
      firstCommitAfterMs: firstCommitStartMs === undefined ? undefined : Math.round(firstCommitStartMs - started),
      activeAfterMs: activeMs === undefined ? undefined : Math.round(activeMs),
      firstPassAfterMs: firstPassMs === undefined ? undefined : Math.round(firstPassMs),
    };
  } finally {
    for (const c of clients) c.close();
    await target.stop();
  }
}
