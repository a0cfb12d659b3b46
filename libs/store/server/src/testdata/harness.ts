// Test harness: a MemoryStore behind LocalReplica behind the real gRPC services on
// 127.0.0.1:0 with test identities, plus object fixtures and small async helpers.
import type { Server } from '@grpc/grpc-js';
import type { Clock } from '@shoal/clock';
import { bindServer, createGrpcServer, shutdownServer } from '@shoal/grpc';
import { createMetrics, type Metrics } from '@shoal/metrics';
import { Node, Service, Task, TaskState } from '@shoal/proto';
import { systemClock } from '@shoal/runtime';
import { MemoryStore, type HistoryLimits } from '@shoal/store';
import { connectStore, type IdentityRole, type StoreClient } from '@shoal/store-client';
import type { LeaderForwarder, LeaderInfo, MembersPort, StoreServerPorts } from '../ports';
import { LocalReplica, StoreStateMachine } from '../state-machine';
import { addStoreServices, type StoreServices } from '../store-server';

/** HarnessOptions tweak one in-process store server. */
export interface HarnessOptions {
  readonly clock?: Clock;
  readonly history?: HistoryLimits;
  readonly watchBufferEvents?: number;
  readonly allowTestIdentity?: boolean;
  readonly leader?: () => LeaderInfo;
  readonly forwarder?: LeaderForwarder;
  readonly members?: MembersPort;
  /** Share another harness's state machine (a "follower" of the same data). */
  readonly machine?: StoreStateMachine;
}

/** Harness is one running store server and what it runs on. */
export interface Harness {
  readonly store: MemoryStore;
  readonly machine: StoreStateMachine;
  readonly replica: LocalReplica;
  readonly server: Server;
  readonly services: StoreServices;
  readonly metrics: Metrics;
  readonly address: string;
  client(role: IdentityRole, extra?: { endpoints?: string[]; deadlineMs?: number }): StoreClient;
  stop(): Promise<void>;
}

/** startHarness starts a store server on 127.0.0.1:0. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const machine = options.machine ??
    new StoreStateMachine(new MemoryStore({ history: options.history }));
  const replica = new LocalReplica(machine, options.clock ?? systemClock);
  const ports: StoreServerPorts = {
    store: machine.store,
    proposer: replica,
    leaseProposer: replica,
    leases: machine.leases,
    readBarrier: () => Promise.resolve(),
    leader: options.leader ?? (() => ({ isLeader: true })),
    forwarder: options.forwarder,
    members: options.members,
  };
  const metrics = createMetrics({ app: 'store-test', version: '0', collectDefaults: false });
  const server = createGrpcServer({ metrics });
  const services = addStoreServices(server, ports, {
    allowTestIdentity: options.allowTestIdentity ?? true,
    metrics,
    clock: options.clock,
    watchBufferEvents: options.watchBufferEvents,
  });
  const port = await bindServer(server, '127.0.0.1:0');
  const address = `127.0.0.1:${port}`;
  const clients: StoreClient[] = [];
  return {
    store: machine.store, machine, replica, server, services, metrics, address,
    client: (role, extra = {}) => {
      const client = connectStore({ endpoints: extra.endpoints ?? [address],
        identityForTests: role, deadlineMs: extra.deadlineMs ?? 2_000 });
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

/** id returns the n-th deterministic 25-character base-36 id, tagged by `tag`. */
export function id(n: number, tag = '0'): string {
  return tag + n.toString(36).padStart(24, '0');
}

/** service is a minimal service named `name`. */
export function service(sid: string, name: string): Service {
  return Service.fromPartial({ id: sid, spec: { annotations: { name, labels: {} } } });
}

/** task is a minimal task of a service and slot. */
export function task(tid: string, serviceId: string, slot: number): Task {
  return Task.fromPartial({
    id: tid, serviceId, slot, desiredState: TaskState.RUNNING,
    serviceAnnotations: { name: 'svc', labels: {} },
  });
}

/** node is a minimal node with a hostname. */
export function node(nid: string, hostname: string): Node {
  return Node.fromPartial({ id: nid, description: { hostname } });
}

/** until polls `check` every 5 ms until it holds, failing after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
