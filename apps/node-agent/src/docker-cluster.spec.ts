// Goal (issue 8 acceptance): against a REAL dockerd, a real dispatcher and a real store, a task
// assigned to a docker node runs as a container carrying our labels; a container killed out
// of band is reported FAILED and its (scripted) replacement runs; restarting the agent within
// the grace leaves the same container running (same ID) and the node READY; stopping the agent
// longer than the grace marks the node DOWN.
// Method: `bash tools/scripts/ensure-dockerd.sh` (installs/starts dockerd, imports
// shoal-test/busybox:1; the suite FAILS when it cannot); an in-process store fixture (the real
// Store service over gRPC); a Dispatcher served over gRPC on 127.0.0.1:0 with the test node
// header; the node-agent's own startAgent (executor docker, test identity). The heartbeat
// period is 1 s, set through the Cluster object (grace 3 s). The orchestrator's part (replace
// a FAILED task) is scripted: the test creates the replacement task, assigned to the node.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Server } from '@grpc/grpc-js';
import { bindServer, createGrpcServer, shutdownServer } from '@shoal/grpc';
import { silentLogger } from '@shoal/logging';
import { createMetrics } from '@shoal/metrics';
import { Cluster, durationFromMs, NodeStatus_State, Task, TaskState } from '@shoal/proto';
import { DispatcherService } from '@shoal/proto-grpc';
import { cryptoRandom, systemClock, systemTimers } from '@shoal/runtime';
// The dispatcher and the in-process store are other scopes; only this integration spec joins them.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { Dispatcher, dispatcherGrpcHandlers } from '@shoal/dispatcher-service';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createNodes, fixtureId, readyNode, startStoreFixture, until, type StoreFixture } from '@shoal/testing-store-fixture';
import Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, type AgentConfig, type RunningAgent } from './agent';

jest.setTimeout(120_000);

const IMAGE = 'shoal-test/busybox:1';
const TEST_LABEL = 'com.shoal.test';
const NODE = fixtureId('n', 801);
const PERIOD_MS = 1_000;

let fixture: StoreFixture;
let dispatcher: Dispatcher;
let server: Server;
let address: string;
let docker: Docker;
let stateDir: string;
let agent: RunningAgent | undefined;

function ensureDockerd(): Docker {
  const root = join(__dirname, '..', '..', '..');
  execFileSync('bash', [join(root, 'tools/scripts/ensure-dockerd.sh')], { stdio: 'inherit', timeout: 280_000 });
  return new Docker({ socketPath: process.env['SHOAL_DOCKER_SOCKET'] ?? '/var/run/docker.sock' });
}

function config(): AgentConfig {
  return { executor: 'docker', stateDir, dockerSocket: process.env['SHOAL_DOCKER_SOCKET'] ?? '/var/run/docker.sock',
    simLatencyMs: 0, simFailureRate: 0, dispatcherEndpoints: [address], allowTestIdentity: true, testNodeId: NODE,
    hostname: 'docker-node-1' };
}

async function startNodeAgent(): Promise<RunningAgent> {
  const metrics = createMetrics({ app: 'node-agent', version: 'test', collectDefaults: false });
  return startAgent(config(), silentLogger(), metrics, { SHOAL_ALLOW_TEST_IDENTITY: '1' });
}

function task(n: number, slot: number): Task {
  return Task.fromPartial({
    id: fixtureId('t', n), serviceId: fixtureId('s', 1), slot, nodeId: NODE, desiredState: TaskState.RUNNING,
    serviceAnnotations: { name: 'web', labels: {} },
    spec: { runtime: { $case: 'container', container: { image: IMAGE, command: ['sleep', '600'],
      labels: { [TEST_LABEL]: '1' }, stopGracePeriod: durationFromMs(1_000) } } },
    schedulerStatus: { state: TaskState.ASSIGNED, message: 'scheduler assigned task to node' },
  });
}

async function storedTask(id: string): Promise<Task | undefined> {
  return fixture.client('dispatcher').get('task', id);
}

async function nodeState(): Promise<NodeStatus_State | undefined> {
  return (await fixture.client('dispatcher').get('node', NODE))?.status?.state;
}

async function containerOf(taskId: string): Promise<Docker.ContainerInfo | undefined> {
  const list = await docker.listContainers({ all: true, filters: { label: [`com.shoal.task.id=${taskId}`] } });
  return list[0];
}

async function running(taskId: string): Promise<boolean> {
  return (await storedTask(taskId))?.status?.state === TaskState.RUNNING;
}

beforeAll(async () => {
  docker = ensureDockerd();
  stateDir = await mkdtemp(join(tmpdir(), 'shoal-agent-cluster-'));
  fixture = await startStoreFixture();
  await createNodes(fixture, [{ ...readyNode(NODE), status: undefined, description: undefined }]);
  await fixture.client('ca').transaction([{ action: 'create', kind: 'cluster', object: Cluster.fromPartial({
    id: fixtureId('c', 1), spec: { annotations: { name: 'default', labels: {} },
      dispatcher: { heartbeatPeriod: durationFromMs(PERIOD_MS) } } }) }], { writer: 'ca' });
  dispatcher = new Dispatcher({ client: fixture.client('dispatcher'), dispatcherId: 'dispatcher-it', clock: systemClock,
    timers: systemTimers, random: cryptoRandom(), logger: silentLogger(), sweeper: false,
    metrics: createMetrics({ app: 'dispatcher', version: '0', collectDefaults: false }) });
  await dispatcher.start();
  await until(() => dispatcher.heartbeatPeriodMs === PERIOD_MS, 10_000, 'the period from the cluster object');
  server = createGrpcServer({});
  server.addService(DispatcherService, dispatcherGrpcHandlers(dispatcher, { allowTestIdentity: true, logger: silentLogger() }));
  address = `127.0.0.1:${await bindServer(server, '127.0.0.1:0')}`;
}, 300_000);

afterAll(async () => {
  await agent?.stop();
  await dispatcher?.stop();
  if (server !== undefined) await shutdownServer(server, 200);
  await fixture?.stop();
  if (docker !== undefined) {
    const left = await docker.listContainers({ all: true, filters: { label: [`${TEST_LABEL}=1`] } });
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  }
  if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
});

describe('node-agent + dispatcher + store against a real dockerd', () => {
  it('runs an assigned task as a container carrying the task, service, slot and node labels', async () => {
    agent = await startNodeAgent();
    await until(async () => (await nodeState()) === NodeStatus_State.READY, 20_000, 'node READY');
    const node = await fixture.client('dispatcher').get('node', NODE);
    expect(node?.description?.hostname).toBe('docker-node-1');
    expect(node?.description?.resources?.nanoCpus).toBeGreaterThan(0);
    await fixture.client('orchestrator').transaction([{ action: 'create', kind: 'task', object: task(1, 1) }],
      { writer: 'orchestrator' });
    await until(() => running(fixtureId('t', 1)), 60_000, 'task 1 RUNNING in the store');
    const c = await containerOf(fixtureId('t', 1));
    expect(c?.State).toBe('running');
    expect(c?.Labels).toMatchObject({ 'com.shoal.task.id': fixtureId('t', 1), 'com.shoal.service.id': fixtureId('s', 1),
      'com.shoal.service.name': 'web', 'com.shoal.slot': '1', 'com.shoal.node.id': NODE });
    expect((await storedTask(fixtureId('t', 1)))?.status?.appliedBy).toBe('dispatcher-it');
  });

  it('reports a container killed out of band as FAILED, and the replacement runs', async () => {
    const before = await containerOf(fixtureId('t', 1));
    await docker.getContainer(before?.Id ?? '').kill();
    await until(async () => (await storedTask(fixtureId('t', 1)))?.status?.state === TaskState.FAILED, 30_000, 'FAILED');
    expect((await storedTask(fixtureId('t', 1)))?.status?.err).toMatch(/non-zero exit/);
    // The orchestrator's part, scripted: shut the failed task down, create its replacement.
    const orchestrator = fixture.client('orchestrator');
    await orchestrator.update('task', fixtureId('t', 1), (t) => ({ ...t, desiredState: TaskState.SHUTDOWN }),
      { writer: 'orchestrator' });
    await orchestrator.transaction([{ action: 'create', kind: 'task', object: task(2, 1) }], { writer: 'orchestrator' });
    await until(() => running(fixtureId('t', 2)), 60_000, 'replacement RUNNING');
    expect((await containerOf(fixtureId('t', 2)))?.State).toBe('running');
  });

  it('restarting the agent within the grace keeps the same container and the node READY', async () => {
    const before = await containerOf(fixtureId('t', 2));
    await agent?.stop();
    agent = await startNodeAgent();
    await until(() => agent?.session?.connectedTo !== undefined, 10_000, 'agent session open again');
    expect(await nodeState()).toBe(NodeStatus_State.READY);
    // Past the grace of the old session: still READY, the same container, the task RUNNING.
    await new Promise((r) => setTimeout(r, 4 * PERIOD_MS));
    expect(await nodeState()).toBe(NodeStatus_State.READY);
    const after = await containerOf(fixtureId('t', 2));
    expect(after?.Id).toBe(before?.Id);
    expect(after?.State).toBe('running');
    expect(await running(fixtureId('t', 2))).toBe(true);
    expect(agent?.worker.statuses().get(fixtureId('t', 2))?.state).toBe(TaskState.RUNNING);
  });

  it('stopping the agent longer than the grace marks the node DOWN', async () => {
    await agent?.stop();
    agent = undefined;
    const stopped = Date.now();
    await until(async () => (await nodeState()) === NodeStatus_State.DOWN, 20_000, 'node DOWN');
    // DOWN only after the grace (period × 3, the period drawn within ±10 %), counted from the
    // agent's last heartbeat, which came up to one period (+10 %) before it stopped.
    expect(Date.now() - stopped).toBeGreaterThanOrEqual(3 * PERIOD_MS * 0.9 - PERIOD_MS * 1.1 - 200);
    const node = await fixture.client('dispatcher').get('node', NODE);
    expect(node?.status?.message).toBe('heartbeat failure');
  });
});
