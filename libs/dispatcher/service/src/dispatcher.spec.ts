// Goal: the dispatcher, over real gRPC against an in-process store, registers sessions (node
// READY with its description), streams assignments COMPLETE then INCREMENTAL as tasks are
// assigned, lands reported statuses in Task.status in batches, refuses reports for another
// node's tasks and registrations beyond the rate limit, and marks a node DOWN when its
// heartbeats stop for the grace period.
// Method: a store fixture (MemoryStore + LocalReplica behind the real Store service); a
// Dispatcher on a ManualClock (time and its tick loop advance only when the test says) served
// by a grpc-js server on 127.0.0.1:0; fake agents call it with the test node header. The test
// polls the store (and the agent's received messages) for outcomes; no fixed sleeps.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { status as GrpcStatus, type Server, type ServiceError } from '@grpc/grpc-js';
import { ManualClock } from '@shoal/clock';
import { bindServer, createGrpcServer, shutdownServer } from '@shoal/grpc';
import { silentLogger } from '@shoal/logging';
import { createMetrics } from '@shoal/metrics';
import { AssignmentAction, AssignmentsType, NodeStatus_State, Task, TaskState } from '@shoal/proto';
import { DispatcherService } from '@shoal/proto-grpc';
import { SeededRandom } from '@shoal/random';
// The in-process store is scope:store/type:testing; only this spec imports it.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createNodes, fixtureId, readyNode, startStoreFixture, until, type StoreFixture } from '@shoal/testing-store-fixture';
import { Dispatcher, HEARTBEAT_FAILURE, READY_MESSAGE_PREFIX } from './dispatcher';
import { dispatcherGrpcHandlers } from './grpc-handlers';
import { FakeAgent } from './testdata/fake-agent';

const N1 = fixtureId('n', 1);
const N2 = fixtureId('n', 2);

function assignedTask(n: number, nodeId: string): Task {
  return Task.fromPartial({
    id: fixtureId('t', n), serviceId: 's1', slot: n, desiredState: TaskState.RUNNING,
    spec: { runtime: { $case: 'container', container: { image: 'nginx:1.27' } } },
    nodeId, schedulerStatus: { state: TaskState.ASSIGNED, message: 'scheduler assigned task to node' },
  });
}

describe('dispatcher over gRPC against an in-process store', () => {
  let fixture: StoreFixture;
  let clock: ManualClock;
  let dispatcher: Dispatcher;
  let server: Server;
  let address: string;
  let agents: FakeAgent[];

  beforeEach(async () => {
    fixture = await startStoreFixture();
    await createNodes(fixture, [readyNode(N1), readyNode(N2)].map((n) => ({ ...n, status: undefined })));
    clock = new ManualClock(Date.now());
    dispatcher = new Dispatcher({ client: fixture.client('dispatcher'), dispatcherId: 'dispatcher-a', clock, timers: clock,
      random: new SeededRandom('dispatcher'), logger: silentLogger(),
      metrics: createMetrics({ app: 'dispatcher', version: '0', collectDefaults: false }), rootCa: Buffer.from('ROOT') });
    await dispatcher.start();
    server = createGrpcServer({});
    server.addService(DispatcherService, dispatcherGrpcHandlers(dispatcher, { allowTestIdentity: true, logger: silentLogger() }));
    address = `127.0.0.1:${await bindServer(server, '127.0.0.1:0')}`;
    agents = [];
  });

  afterEach(async () => {
    for (const a of agents) a.close();
    await dispatcher.stop();
    await shutdownServer(server, 200);
    await fixture.stop();
  });

  function agent(nodeId: string, header = true): FakeAgent {
    const a = new FakeAgent(address, nodeId, header);
    agents.push(a);
    return a;
  }

  /** pump advances time by `ms` (running ticks) and writes what is queued. */
  async function pump(ms = 100): Promise<void> {
    clock.advance(ms);
    await dispatcher.flush();
  }

  async function nodeState(nodeId: string): Promise<{ state?: NodeStatus_State; message?: string; hostname?: string }> {
    const node = await fixture.client('dispatcher').get('node', nodeId);
    return { state: node?.status?.state, message: node?.status?.message, hostname: node?.description?.hostname };
  }

  it('registers a session: first message carries the node and root CA; the node goes READY', async () => {
    const first = await agent(N1).open();
    expect(first.sessionId).not.toBe('');
    expect(first.node?.id).toBe(N1);
    expect(first.rootCa.toString()).toBe('ROOT');
    await pump();
    expect(await nodeState(N1)).toEqual({ state: NodeStatus_State.READY, message: READY_MESSAGE_PREFIX + 'dispatcher-a',
      hostname: `host-${N1}` });
    expect(dispatcher.sessionCount).toBe(1);
  });

  it('refuses unknown nodes, the header when not allowed, and a fourth registration in 8 s', async () => {
    await expect(agent(fixtureId('n', 99)).open()).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND });
    const strict = createGrpcServer({});
    strict.addService(DispatcherService, dispatcherGrpcHandlers(dispatcher, { allowTestIdentity: false, logger: silentLogger() }));
    const strictAddress = `127.0.0.1:${await bindServer(strict, '127.0.0.1:0')}`;
    const outsider = new FakeAgent(strictAddress, N1);
    await expect(outsider.open()).rejects.toMatchObject({ code: GrpcStatus.UNAUTHENTICATED });
    outsider.close();
    await shutdownServer(strict, 100);
    const a = agent(N1);
    for (let i = 0; i < 3; i++) await a.open();
    await expect(a.open()).rejects.toMatchObject({ code: GrpcStatus.UNAVAILABLE });
    clock.advance(8_000);
    await expect(a.open()).resolves.toMatchObject({ node: { id: N1 } });
  });

  it('streams assignments COMPLETE, then INCREMENTAL when a task is assigned to the node', async () => {
    const orchestrator = fixture.client('orchestrator');
    await orchestrator.transaction([{ action: 'create', kind: 'task', object: assignedTask(1, N1) },
      { action: 'create', kind: 'task', object: assignedTask(2, N2) }], { writer: 'orchestrator' });
    const a = agent(N1);
    await a.open();
    await until(() => dispatcher.synced, 5_000, 'informer synced');
    await until(async () => (await fixture.client('dispatcher').getTask(fixtureId('t', 1), { stale: true })) !== undefined, 5_000, 'task');
    a.watchAssignments();
    await until(() => a.assignments.length === 1, 5_000, 'COMPLETE message');
    expect(a.assignments[0]).toMatchObject({ type: AssignmentsType.COMPLETE, appliesTo: 0, resultsIn: 1 });
    const first = a.assignments[0]?.changes.map((c) => c.assignment?.item?.$case === 'task' ? c.assignment.item.task.id : '');
    expect(first).toEqual([fixtureId('t', 1)]);
    await orchestrator.transaction([{ action: 'create', kind: 'task', object: assignedTask(3, N1) }], { writer: 'orchestrator' });
    await until(async () => {
      await pump();
      return a.assignments.length === 2;
    }, 5_000, 'INCREMENTAL message');
    expect(a.assignments[1]).toMatchObject({ type: AssignmentsType.INCREMENTAL, appliesTo: 1, resultsIn: 2 });
    const change = a.assignments[1]?.changes[0];
    expect(change?.action).toBe(AssignmentAction.UPDATE);
    expect(change?.assignment?.item?.$case === 'task' && change.assignment.item.task.id).toBe(fixtureId('t', 3));
  });

  it('lands status updates in Task.status and denies reports for another node\'s task', async () => {
    await fixture.client('orchestrator').transaction([{ action: 'create', kind: 'task', object: assignedTask(1, N1) },
      { action: 'create', kind: 'task', object: assignedTask(2, N2) }], { writer: 'orchestrator' });
    const a = agent(N1);
    await a.open();
    await until(async () => {
      await pump();
      return (await nodeState(N1)).state === NodeStatus_State.READY;
    }, 5_000, 'READY');
    const t1 = fixtureId('t', 1);
    await a.report([{ taskId: t1, status: { state: TaskState.ACCEPTED } }, { taskId: t1, status: { state: TaskState.RUNNING, message: 'started' } }]);
    await pump();
    const stored = await fixture.client('dispatcher').getTask(t1);
    expect(stored?.status).toMatchObject({ state: TaskState.RUNNING, message: 'started', appliedBy: 'dispatcher-a' });
    await a.report([{ taskId: t1, status: { state: TaskState.PREPARING } }]); // backward: dropped
    await pump();
    expect((await fixture.client('dispatcher').getTask(t1))?.status?.state).toBe(TaskState.RUNNING);
    const denied = await a.report([{ taskId: fixtureId('t', 2), status: { state: TaskState.RUNNING } }])
      .catch((e: ServiceError) => e);
    expect(denied).toMatchObject({ code: GrpcStatus.PERMISSION_DENIED });
    await a.report([{ taskId: t1, status: { state: TaskState.FAILED, err: 'exit 1' } }]);
    await pump();
    expect((await fixture.client('dispatcher').getTask(t1))?.status).toMatchObject({ state: TaskState.FAILED, err: 'exit 1' });
  });

  it('keeps a beating node READY and marks a silent one DOWN after period × 3', async () => {
    const beating = agent(N1);
    const silent = agent(N2);
    await beating.open();
    await silent.open();
    await pump();
    let periodMs = 0;
    for (let elapsed = 0; elapsed < 17_000; elapsed += periodMs) {
      periodMs = await beating.heartbeat();
      expect(periodMs).toBeGreaterThanOrEqual(4_500);
      expect(periodMs).toBeLessThan(5_500);
      await pump(periodMs);
    }
    await until(async () => (await nodeState(N2)).state === NodeStatus_State.DOWN, 5_000, 'N2 DOWN');
    expect((await nodeState(N2)).message).toBe(HEARTBEAT_FAILURE);
    expect((await nodeState(N1)).state).toBe(NodeStatus_State.READY);
    await expect(silent.heartbeat()).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND });
  });
});
