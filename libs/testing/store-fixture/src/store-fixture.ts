// An in-process store for control-loop tests: a MemoryStore behind a LocalReplica (leases
// and guards included) behind the real Store/Leases gRPC services on 127.0.0.1:0, trusting
// the test-identity header. Plus the objects the other components would write: READY nodes
// (as the ca and the dispatcher), services (as the gateway), and agents reporting RUNNING.
import type { Server } from '@grpc/grpc-js';
import type { Clock } from '@shoal/clock';
import { bindServer, createGrpcServer, shutdownServer } from '@shoal/grpc';
import { createMetrics } from '@shoal/metrics';
import {
  Node,
  NodeRole,
  NodeSpec_Availability,
  NodeSpec_Membership,
  NodeStatus_State,
  Service,
  TaskState,
  type PortConfig,
  type Task,
} from '@shoal/proto';
import { systemClock } from '@shoal/runtime';
import { MemoryStore } from '@shoal/store';
import { connectStore, type IdentityRole, type StoreClient } from '@shoal/store-client';
import { addStoreServices, LocalReplica, StoreStateMachine } from '@shoal/store-server';

/** StoreFixture is one running in-process store server. */
export interface StoreFixture {
  readonly address: string;
  readonly store: MemoryStore;
  readonly replica: LocalReplica;
  /** client returns a new client calling as `role` (closed by `stop`). */
  client(role: IdentityRole): StoreClient;
  stop(): Promise<void>;
}

/** StoreFixtureOptions: `clock` stamps entries (lease expiry, created_at). */
export interface StoreFixtureOptions {
  readonly clock?: Clock;
}

/** startStoreFixture starts a store server on 127.0.0.1:0 (see the file comment). */
export async function startStoreFixture(options: StoreFixtureOptions = {}): Promise<StoreFixture> {
  const machine = new StoreStateMachine(new MemoryStore());
  const clock = options.clock ?? systemClock;
  const replica = new LocalReplica(machine, clock);
  const metrics = createMetrics({ app: 'store-fixture', version: '0', collectDefaults: false });
  const server: Server = createGrpcServer({ metrics });
  const services = addStoreServices(server, {
    store: machine.store,
    proposer: replica,
    leaseProposer: replica,
    leases: machine.leases,
    readBarrier: () => Promise.resolve(),
    leader: () => ({ isLeader: true }),
  }, { allowTestIdentity: true, clock });
  const port = await bindServer(server, '127.0.0.1:0');
  const address = `127.0.0.1:${port}`;
  const clients: StoreClient[] = [];
  return {
    address,
    store: machine.store,
    replica,
    client: (role) => {
      const client = connectStore({ endpoints: [address], identityForTests: role, deadlineMs: 5_000 });
      clients.push(client);
      return client;
    },
    stop: async () => {
      for (const c of clients) c.close();
      services.close();
      await shutdownServer(server, 200);
    },
  };
}

/**
 * fixtureId returns the n-th deterministic 25-character id with a one-letter tag: `0` (so the
 * value fits 128 bits), the tag, then n in base 36.
 */
export function fixtureId(tag: string, n: number): string {
  return '0' + tag + n.toString(36).padStart(23, '0');
}

/** readyNode is a worker node as the ca creates it and the dispatcher marks it READY. */
export function readyNode(id: string, options: { nanoCpus?: number; memoryBytes?: number } = {}): Node {
  return Node.fromPartial({
    id,
    spec: {
      annotations: { name: `node-${id.slice(-6)}`, labels: {} },
      desiredRole: NodeRole.WORKER,
      membership: NodeSpec_Membership.ACCEPTED,
      availability: NodeSpec_Availability.ACTIVE,
    },
    role: NodeRole.WORKER,
    status: { state: NodeStatus_State.READY, message: '', addr: '10.0.0.1' },
    description: {
      hostname: `host-${id.slice(-6)}`,
      resources: { nanoCpus: options.nanoCpus ?? 4e9, memoryBytes: options.memoryBytes ?? 8 * 2 ** 30 },
      engine: { engineVersion: '27.0.0', labels: {}, plugins: [] },
    },
  });
}

/** ServiceOptions shape a test service. */
export interface ServiceOptions {
  readonly replicas?: number;
  readonly global?: boolean;
  readonly ports?: readonly Partial<PortConfig>[];
  readonly nanoCpus?: number;
  readonly constraints?: readonly string[];
}

/** testService is a service as the gateway writes it (replicated by default). */
export function testService(id: string, name: string, options: ServiceOptions = {}): Service {
  const mode = options.global === true
    ? { $case: 'global' as const, global: {} }
    : { $case: 'replicated' as const, replicated: { replicas: options.replicas ?? 1 } };
  return Service.fromPartial({
    id,
    spec: {
      annotations: { name, labels: {} },
      task: {
        runtime: { $case: 'container', container: { image: 'nginx:1.27' } },
        resources: { reservations: { nanoCpus: options.nanoCpus ?? 0 } },
        placement: { constraints: [...(options.constraints ?? [])] },
      },
      mode,
      endpoint: { ports: (options.ports ?? []).map((p) => ({ ...p })) },
    },
    specVersion: { index: 1 },
  });
}

/** createObjects writes nodes (as the ca) in transactions of at most 200. */
export async function createNodes(fixture: StoreFixture, nodes: readonly Node[]): Promise<void> {
  const ca = fixture.client('ca');
  for (let i = 0; i < nodes.length; i += 200) {
    await ca.transaction(nodes.slice(i, i + 200).map((object) => ({ action: 'create', kind: 'node', object })),
      { writer: 'ca' });
  }
}

/** setNodeState writes a node's status as the dispatcher (READY, DOWN, ...). */
export async function setNodeState(client: StoreClient, nodeId: string, state: NodeStatus_State):
  Promise<void> {
  await client.update('node', nodeId, (n) => ({ ...n, status: { state, message: '', addr: '10.0.0.1' } }),
    { writer: 'dispatcher' });
}

/**
 * runAssignedTasks plays the agents through the dispatcher: every task ASSIGNED to a node
 * with desired RUNNING is reported RUNNING; every task with desired ≥ SHUTDOWN that ran is
 * reported SHUTDOWN. Returns how many tasks it changed.
 */
export async function runAssignedTasks(client: StoreClient, tasks: readonly Task[]): Promise<number> {
  const changes = [];
  for (const t of tasks) {
    const observed = Math.max(t.status?.state ?? 0, t.schedulerStatus?.state ?? 0);
    let next: TaskState | undefined;
    if (t.nodeId !== '' && observed >= TaskState.ASSIGNED && observed < TaskState.RUNNING &&
      t.desiredState === TaskState.RUNNING) next = TaskState.RUNNING;
    if (observed >= TaskState.ASSIGNED && observed <= TaskState.RUNNING &&
      t.desiredState >= TaskState.SHUTDOWN) next = TaskState.SHUTDOWN;
    if (next === undefined) continue;
    const status = { timestamp: new Date(), state: next, message: '', err: '', appliedBy: 'test',
      appliedAt: new Date() };
    changes.push({ action: 'update' as const, kind: 'task' as const, object: { ...t, status } });
  }
  let done = 0;
  for (let i = 0; i < changes.length; i += 200) {
    try {
      await client.transaction(changes.slice(i, i + 200), { writer: 'dispatcher' });
      done += Math.min(200, changes.length - i);
    } catch {
      // A conflict: another loop wrote the task meanwhile; the next round retries.
    }
  }
  return done;
}

/** until polls `check` every 10 ms until it holds; fails after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string):
  Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
