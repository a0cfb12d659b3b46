// Goal: high availability of the control loops. With two replicas of each loop on real
// leases, killing the active orchestrator (after it committed 400 of 1,000 new tasks) and the
// active scheduler (after its first assignments) during a 1,000-replica scale-up ends with
// exactly 1,000 running slots, numbered 1..1,000, each once; the standbys take over within
// 2 × the lease ttl; nothing runs on the node that went DOWN meanwhile.
// Method: one in-process store behind real gRPC (LocalReplica, real lease table); the loop
// replicas are the real libraries on real timers; a replica is killed by closing its store
// connection (no resign, as a crashed process). The test plays the dispatcher and agents:
// READY nodes, ASSIGNED tasks reported RUNNING, stopped tasks SHUTDOWN.
import { NodeStatus_State, TaskState, type Task } from '@shoal/proto';
import { systemClock, systemTimers } from '@shoal/runtime';
import type { StoreClient } from '@shoal/store-client';
import type { ControlLoop, LoopStore } from '@shoal/store-controller';
import { createSchedulerLoop } from '@shoal/scheduler-loop';
// The other loops and the store fixture are of other scopes; only this spec puts them
// together, as the deployed processes are.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createAllocatorLoop } from '@shoal/allocator-loop';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createOrchestratorLoop } from '@shoal/orchestrator-loop';
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  createNodes,
  fixtureId,
  readyNode,
  runAssignedTasks,
  setNodeState,
  startStoreFixture,
  testService,
  until,
  type StoreFixture,
} from '@shoal/testing-store-fixture';

const TTL_MS = 3_000;
const REPLICAS = 1_000;
const NODES = 50;
const batching = { debounceGapMs: 10, maxLatencyMs: 100 };
type Kind = 'orchestrator' | 'allocator' | 'scheduler';

/** dying wraps a client: it closes itself (a crash) once `after` says so after a commit. */
function dying(client: StoreClient, after: (changes: Parameters<StoreClient['transaction']>[0]) => boolean):
  LoopStore {
  const store: StoreClient = Object.create(client) as StoreClient;
  store.transaction = async (changes, options) => {
    const committed = await client.transaction(changes, options);
    if (after(changes)) client.close();
    return committed;
  };
  return store;
}

/** becameActive resolves with the time (ms) at which `loop` first leads, polled every 10 ms. */
function becameActive(loop: ControlLoop): Promise<number> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (!loop.stats.active) return;
      clearInterval(timer);
      resolve(Date.now());
    }, 10);
  });
}

/** countStates counts tasks by their allocator/scheduler/agent/desired states (diagnostics). */
function countStates(tasks: readonly Task[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of tasks) {
    const key = `${t.allocatorStatus?.state ?? '-'}/${t.schedulerStatus?.state ?? '-'}/${t.status?.state ?? '-'}/${t.desiredState}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function runningSlots(tasks: readonly Task[], down: ReadonlySet<string>): number[] {
  return tasks.filter((t) => t.desiredState === TaskState.RUNNING && t.status?.state === TaskState.RUNNING &&
    !down.has(t.nodeId)).map((t) => t.slot).sort((a, b) => a - b);
}

describe('loop replicas die during a 1,000-replica scale-up', () => {
  let fixture: StoreFixture;
  const loops: ControlLoop[] = [];
  let agentsStop = false;
  let agents: Promise<void> = Promise.resolve();
  beforeEach(async () => {
    fixture = await startStoreFixture();
  });
  afterEach(async () => {
    agentsStop = true;
    await agents;
    await Promise.all(loops.map((l) => l.stop()));
    await fixture.stop();
  });

  function start(kind: Kind, holder: string, store: LoopStore = fixture.client(kind)): ControlLoop {
    const common = { store, holder, clock: systemClock, timers: systemTimers, leaseTtlMs: TTL_MS, batching };
    const loop = kind === 'orchestrator' ? createOrchestratorLoop(common)
      : kind === 'allocator' ? createAllocatorLoop(common) : createSchedulerLoop(common);
    loop.start();
    loops.push(loop);
    return loop;
  }

  async function runAgents(dispatcher: StoreClient, down: ReadonlySet<string>): Promise<void> {
    while (!agentsStop) {
      const tasks = await dispatcher.findTasks();
      await runAssignedTasks(dispatcher, tasks.filter((t) => !down.has(t.nodeId)));
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it('ends with exactly 1,000 running slots, each once', async () => {
    await createNodes(fixture, Array.from({ length: NODES }, (_, i) => readyNode(fixtureId('n', i + 1))));
    const gateway = fixture.client('gateway');
    const web = testService(fixtureId('s', 1), 'web', { replicas: 1 });
    await gateway.transaction([{ action: 'create', kind: 'service', object: web }], { writer: 'user' });
    let created = 0;
    const orchestratorA = start('orchestrator', 'orchestrator-a', dying(fixture.client('orchestrator'), (changes) => {
      created += changes.filter((c) => c.action === 'create').length;
      return created >= 401;
    }));
    let assigned = 0;
    const schedulerA = start('scheduler', 'scheduler-a', dying(fixture.client('scheduler'), (changes) => {
      assigned += changes.filter((c) => c.kind === 'task').length;
      return assigned >= 150;
    }));
    start('allocator', 'allocator-a');
    await until(() => orchestratorA.stats.active && schedulerA.stats.active, 5_000, 'the first replicas to lead');
    const orchestratorB = start('orchestrator', 'orchestrator-b');
    const schedulerB = start('scheduler', 'scheduler-b');
    const orchestratorTookOver = becameActive(orchestratorB);
    const schedulerTookOver = becameActive(schedulerB);
    start('allocator', 'allocator-b');
    const dispatcher = fixture.client('dispatcher');
    const down = new Set<string>();
    agents = runAgents(dispatcher, down);
    await until(async () => runningSlots(await gateway.findTasks(), down).length === 1, 10_000, 'the first task running');

    await gateway.update('service', web.id, (s) => ({ ...s, spec: s.spec === undefined ? undefined
      : { ...s.spec, mode: { $case: 'replicated', replicated: { replicas: REPLICAS } } } }), { writer: 'user' });
    await until(() => created >= 401, 10_000, 'the orchestrator to die mid scale-up');
    const orchestratorDiedAt = Date.now();
    const explain = async (err: unknown): Promise<never> => {
      throw new Error(`${String(err)}; tasks by allocator/scheduler/agent/desired state: ` +
        `${JSON.stringify(countStates(await gateway.findTasks()))}; loops ${JSON.stringify(loops.map((l) => l.stats))}`);
    };
    await until(() => assigned >= 150, 30_000, 'the scheduler to die mid scale-up').catch(explain);
    const schedulerDiedAt = Date.now();
    down.add(fixtureId('n', 1));
    await setNodeState(dispatcher, fixtureId('n', 1), NodeStatus_State.DOWN);
    // A standby leads within 2 × ttl of the last renewal (+ slack for a loaded machine).
    expect((await orchestratorTookOver) - orchestratorDiedAt).toBeLessThan(2 * TTL_MS + 2_000);
    expect((await schedulerTookOver) - schedulerDiedAt).toBeLessThan(2 * TTL_MS + 2_000);

    await until(async () => runningSlots(await gateway.findTasks(), down).length >= REPLICAS, 60_000,
      `${REPLICAS} running slots`).catch(explain);
    const tasks = await gateway.findTasks();
    expect(runningSlots(tasks, down)).toEqual(Array.from({ length: REPLICAS }, (_, i) => i + 1));
    const runnable = tasks.filter((t) => t.desiredState <= TaskState.RUNNING);
    expect(runnable).toHaveLength(REPLICAS);
    expect(runnable.some((t) => down.has(t.nodeId))).toBe(false);
    expect(orchestratorA.stats.active || schedulerA.stats.active).toBe(false);
  }, 120_000);
});
