// Goal: the three manager loops hand a service's tasks on through the store alone
// (orchestrator NEW → allocator PENDING → scheduler ASSIGNED → simulated agents RUNNING) and
// converge a 100-replica service to exactly 100 running slots on READY nodes, while the
// active scheduler and orchestrator replicas die mid scale-up and a node goes DOWN.
// Method: one in-process store (LocalReplica behind real gRPC); two replicas of each loop on
// real timers (1 s lease ttl, short debounce); the test plays the dispatcher: it creates READY
// nodes and reports ASSIGNED tasks RUNNING (SHUTDOWN when asked to stop) every few ms.
import { NodeStatus_State, TaskState, type Task } from '@shoal/proto';
import { systemClock, systemTimers } from '@shoal/runtime';
import type { StoreClient } from '@shoal/store-client';
// Each loop lib is of its own scope; only this spec puts them together, as the deployed
// processes are.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createAllocatorLoop } from '@shoal/allocator-loop';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createOrchestratorLoop } from '@shoal/orchestrator-loop';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createSchedulerLoop, type LoopStats } from '@shoal/scheduler-loop';
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
} from './store-fixture';

const TTL_MS = 1_000;
const REPLICAS = 100;
const NODES = 20;
const batching = { debounceGapMs: 5, maxLatencyMs: 50 };

/** A loop replica as the test sees it (each loop lib has its own ControlLoop class). */
interface LoopHandle {
  readonly stats: LoopStats;
  stop(): Promise<void>;
}

interface Replica {
  readonly loop: LoopHandle;
  readonly store: StoreClient;
}

describe('orchestrator + allocator + scheduler against one store', () => {
  let fixture: StoreFixture;
  const replicas: Replica[] = [];
  let agentsStop = false;
  let agents: Promise<void> = Promise.resolve();
  beforeEach(async () => {
    fixture = await startStoreFixture();
  });
  afterEach(async () => {
    agentsStop = true;
    await agents;
    await Promise.all(replicas.map((r) => r.loop.stop()));
    await fixture.stop();
  });

  function start(kind: 'orchestrator' | 'allocator' | 'scheduler', holder: string): Replica {
    const store = fixture.client(kind);
    const common = { store, holder, clock: systemClock, timers: systemTimers, leaseTtlMs: TTL_MS, batching };
    const loop: LoopHandle & { start(): void } = kind === 'orchestrator' ? createOrchestratorLoop(common)
      : kind === 'allocator' ? createAllocatorLoop(common) : createSchedulerLoop(common);
    loop.start();
    const replica = { loop, store };
    replicas.push(replica);
    return replica;
  }

  async function runAgents(dispatcher: StoreClient, down: Set<string>): Promise<void> {
    while (!agentsStop) {
      const tasks = await dispatcher.findTasks();
      await runAssignedTasks(dispatcher, tasks.filter((t) => !down.has(t.nodeId)));
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  function running(tasks: readonly Task[], down: Set<string>): Task[] {
    return tasks.filter((t) => t.desiredState === TaskState.RUNNING && t.status?.state === TaskState.RUNNING &&
      !down.has(t.nodeId));
  }

  it('converges 100 replicas through two loop deaths and a node failure', async () => {
    const nodes = Array.from({ length: NODES }, (_, i) => readyNode(fixtureId('n', i + 1)));
    await createNodes(fixture, nodes);
    const kinds = ['orchestrator', 'allocator', 'scheduler'] as const;
    const first = kinds.map((k) => start(k, `${k}-a`));
    await until(() => first.every((r) => r.loop.stats.active), 5_000, 'the first replicas to lead');
    const standbys = kinds.map((k) => start(k, `${k}-b`));
    const dispatcher = fixture.client('dispatcher');
    const down = new Set<string>();
    agents = runAgents(dispatcher, down);

    const gateway = fixture.client('gateway');
    const web = testService(fixtureId('s', 1), 'web', { replicas: REPLICAS, ports: [{ targetPort: 80 }] });
    await gateway.transaction([{ action: 'create', kind: 'service', object: web }], { writer: 'user' });
    // Kill the active scheduler and orchestrator (no resign) as soon as work is under way.
    await until(() => (first[2] as Replica).loop.stats.writes >= 1, 5_000, 'the first assignments');
    (first[0] as Replica).store.close();
    (first[2] as Replica).store.close();
    const downNode = fixtureId('n', 1);
    down.add(downNode);
    await setNodeState(dispatcher, downNode, NodeStatus_State.DOWN);
    await until(() => (standbys[0] as Replica).loop.stats.active && (standbys[2] as Replica).loop.stats.active,
      2 * TTL_MS + 500, 'the standbys to lead');

    await until(async () => running(await gateway.findTasks(), down).length === REPLICAS, 15_000,
      `${REPLICAS} running tasks`);
    const tasks = await gateway.findTasks();
    const live = running(tasks, down);
    expect(new Set(live.map((t) => t.slot)).size).toBe(REPLICAS);
    const runnable = tasks.filter((t) => t.desiredState <= TaskState.RUNNING);
    expect(runnable).toHaveLength(REPLICAS);
    expect(runnable.every((t) => t.nodeId !== downNode)).toBe(true);
    const endpoint = (await gateway.get('service', web.id))?.endpoint;
    expect(endpoint?.ports[0]?.publishedPort).toBe(30000);
    for (const t of live) {
      expect(t.allocatorStatus?.message).toBe('pending task scheduling');
      expect(t.endpoint?.ports[0]?.publishedPort).toBe(30000);
    }
  }, 30_000);
});
