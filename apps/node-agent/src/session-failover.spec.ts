// Goal: the agent's session with the sim executor: a task assigned in the store reaches
// RUNNING through the dispatcher; when the dispatcher holding the session stops, the agent
// fails over to the other replica (node READY there, held by it) and its task stays RUNNING;
// a task removed from the store is shut down and forgotten by the agent.
// Method: an in-process store fixture, two Dispatchers served over gRPC with the test node
// header (heartbeat 300 ms through the Cluster object), the node-agent's startAgent with the
// sim executor and --dispatcher-endpoints naming both; the store is polled for outcomes.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Server } from '@grpc/grpc-js';
import { bindServer, createGrpcServer, shutdownServer } from '@shoal/grpc';
import { silentLogger } from '@shoal/logging';
import { createMetrics } from '@shoal/metrics';
import { Cluster, durationFromMs, Node, NodeStatus_State, Task, TaskState } from '@shoal/proto';
import { DispatcherService } from '@shoal/proto-grpc';
import { cryptoRandom, systemClock, systemTimers } from '@shoal/runtime';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { Dispatcher, dispatcherGrpcHandlers } from '@shoal/dispatcher-service';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createNodes, fixtureId, readyNode, startStoreFixture, until, type StoreFixture } from '@shoal/testing-store-fixture';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, type RunningAgent } from './agent';

jest.setTimeout(60_000);

const NODE = fixtureId('n', 901);
let fixture: StoreFixture;
const replicas: { dispatcher: Dispatcher; server: Server; address: string }[] = [];
let agent: RunningAgent;
let stateDir: string;

async function replica(id: string): Promise<{ dispatcher: Dispatcher; server: Server; address: string }> {
  const dispatcher = new Dispatcher({ client: fixture.client('dispatcher'), dispatcherId: id, clock: systemClock,
    timers: systemTimers, random: cryptoRandom(), logger: silentLogger(), sweeper: false,
    metrics: createMetrics({ app: 'dispatcher', version: '0', collectDefaults: false }) });
  await dispatcher.start();
  const server = createGrpcServer({});
  server.addService(DispatcherService, dispatcherGrpcHandlers(dispatcher, { allowTestIdentity: true, logger: silentLogger() }));
  const r = { dispatcher, server, address: `127.0.0.1:${await bindServer(server, '127.0.0.1:0')}` };
  replicas.push(r);
  return r;
}

async function node(): Promise<Node | undefined> {
  return fixture.client('dispatcher').get('node', NODE);
}

async function taskState(id: string): Promise<TaskState | undefined> {
  return (await fixture.client('dispatcher').get('task', id))?.status?.state;
}

beforeAll(async () => {
  fixture = await startStoreFixture();
  await createNodes(fixture, [{ ...readyNode(NODE), status: undefined }]);
  await fixture.client('ca').transaction([{ action: 'create', kind: 'cluster', object: Cluster.fromPartial({
    id: fixtureId('c', 1), spec: { annotations: { name: 'default', labels: {} },
      dispatcher: { heartbeatPeriod: durationFromMs(300) } } }) }], { writer: 'ca' });
  const [a, b] = [await replica('dispatcher-a'), await replica('dispatcher-b')];
  stateDir = await mkdtemp(join(tmpdir(), 'shoal-agent-failover-'));
  agent = await startAgent({ executor: 'sim', stateDir, dockerSocket: '', simLatencyMs: 5, simFailureRate: 0,
    dispatcherEndpoints: [a.address, b.address], allowTestIdentity: true, testNodeId: NODE },
  silentLogger(), createMetrics({ app: 'node-agent', version: 't', collectDefaults: false }), { SHOAL_ALLOW_TEST_IDENTITY: '1' });
});

afterAll(async () => {
  await agent?.stop();
  for (const r of replicas) {
    await r.dispatcher.stop();
    await shutdownServer(r.server, 100);
  }
  await fixture?.stop();
  if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
});

describe('node-agent session (sim executor)', () => {
  it('runs an assigned task, fails over when its dispatcher stops, and drops a removed task', async () => {
    await until(async () => (await node())?.status?.state === NodeStatus_State.READY, 20_000, 'node READY');
    const task = Task.fromPartial({ id: fixtureId('t', 1), serviceId: 's', slot: 1, nodeId: NODE,
      desiredState: TaskState.RUNNING, spec: { runtime: { $case: 'container', container: { image: 'x' } } },
      schedulerStatus: { state: TaskState.ASSIGNED } });
    await fixture.client('orchestrator').transaction([{ action: 'create', kind: 'task', object: task }], { writer: 'orchestrator' });
    await until(async () => (await taskState(task.id)) === TaskState.RUNNING, 20_000, 'task RUNNING');

    const holder = agent.session?.connectedTo;
    const held = replicas.find((r) => r.address === holder);
    const other = replicas.find((r) => r.address !== holder);
    await held?.dispatcher.stop();
    await held?.server.forceShutdown();
    await until(() => agent.session?.connectedTo === other?.address, 20_000, 'failed over');
    const otherId = other === replicas[0] ? 'dispatcher-a' : 'dispatcher-b';
    await until(async () => (await node())?.status?.message === `session on dispatcher ${otherId}`, 20_000, 'READY at the other');
    expect((await node())?.status?.state).toBe(NodeStatus_State.READY);
    expect(await taskState(task.id)).toBe(TaskState.RUNNING);

    await fixture.client('orchestrator').transaction([{ action: 'delete', kind: 'task', object: Task.fromPartial({ id: task.id }) }],
      { writer: 'orchestrator' });
    await until(() => !agent.worker.statuses().has(task.id), 20_000, 'task forgotten by the agent');
  });
});
