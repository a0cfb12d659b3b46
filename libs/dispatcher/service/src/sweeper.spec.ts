// Goal: several dispatcher replicas over one store. A node removed from the store loses its
// session and cannot reconnect. One replica (the holder of the sweeper lease) marks DOWN, after
// the longer grace (period × 6), a node whose session holder is gone (no liveness lease), or
// that was left DISCONNECTED by a replica's clean stop, while a node held by a live replica
// stays READY. Tasks of a node DOWN longer than nodeDownPeriodMs become ORPHANED.
// Method: an in-process store fixture; two Dispatchers on the real clock with short limits
// (period 200 ms, leases 1 s, sweep every 100 ms, orphan after 1.5 s) served over gRPC; fake
// agents with the test node header; the store is polled for outcomes.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { status as GrpcStatus, type Server } from '@grpc/grpc-js';
import { bindServer, createGrpcServer, shutdownServer } from '@shoal/grpc';
import { silentLogger } from '@shoal/logging';
import { createMetrics } from '@shoal/metrics';
import { Node, NodeStatus_State, Task, TaskState } from '@shoal/proto';
import { DispatcherService } from '@shoal/proto-grpc';
import { cryptoRandom, systemClock, systemTimers } from '@shoal/runtime';
// The in-process store is scope:store/type:testing; only specs import it.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createNodes, fixtureId, readyNode, startStoreFixture, until, type StoreFixture } from '@shoal/testing-store-fixture';
import { Dispatcher, DISCONNECTED_MESSAGE, HEARTBEAT_FAILURE, READY_MESSAGE_PREFIX } from './dispatcher';
import { dispatcherGrpcHandlers } from './grpc-handlers';
import { ORPHANED_MESSAGE } from './sweeper';
import { FakeAgent } from './testdata/fake-agent';

jest.setTimeout(60_000);

const PERIOD_MS = 200;
const LIMITS = { heartbeatPeriodMs: PERIOD_MS, replicaLeaseTtlMs: 1_000, sweeperLeaseTtlMs: 1_000, sweepIntervalMs: 100,
  nodeDownPeriodMs: 1_500 };
const N = (i: number): string => fixtureId('n', i);

interface Replica {
  readonly dispatcher: Dispatcher;
  readonly server: Server;
  readonly address: string;
}

describe('dispatcher replicas: removed nodes, the sweeper and ORPHANED', () => {
  let fixture: StoreFixture;
  const replicas: Replica[] = [];
  const agents: FakeAgent[] = [];
  const beats: NodeJS.Timeout[] = [];

  beforeEach(async () => {
    fixture = await startStoreFixture();
    await createNodes(fixture, [1, 2, 3, 4, 5].map((i) => ({ ...readyNode(N(i)), status: undefined })));
  });

  afterEach(async () => {
    for (const b of beats.splice(0)) clearInterval(b);
    for (const a of agents.splice(0)) a.close();
    for (const r of replicas.splice(0)) {
      await r.dispatcher.stop();
      await shutdownServer(r.server, 100);
    }
    await fixture.stop();
  });

  async function replica(id: string): Promise<Replica> {
    const dispatcher = new Dispatcher({ client: fixture.client('dispatcher'), dispatcherId: id, clock: systemClock,
      timers: systemTimers, random: cryptoRandom(), logger: silentLogger(), limits: LIMITS,
      metrics: createMetrics({ app: 'dispatcher', version: '0', collectDefaults: false }) });
    await dispatcher.start();
    const server = createGrpcServer({});
    server.addService(DispatcherService, dispatcherGrpcHandlers(dispatcher, { allowTestIdentity: true, logger: silentLogger() }));
    const r = { dispatcher, server, address: `127.0.0.1:${await bindServer(server, '127.0.0.1:0')}` };
    replicas.push(r);
    return r;
  }

  /** connect opens a session of `nodeId` at `r` and keeps it beating every period / 2. */
  async function connect(r: Replica, nodeId: string): Promise<FakeAgent> {
    const a = new FakeAgent(r.address, nodeId);
    agents.push(a);
    await a.open();
    beats.push(setInterval(() => void a.heartbeat().catch(() => undefined), PERIOD_MS / 2));
    return a;
  }

  async function node(id: string): Promise<Node | undefined> {
    return fixture.client('dispatcher').get('node', id);
  }

  async function state(id: string): Promise<NodeStatus_State | undefined> {
    return (await node(id))?.status?.state;
  }

  it('closes the session of a node removed from the store and refuses it afterwards', async () => {
    const a = await replica('dispatcher-a');
    const agent = await connect(a, N(1));
    const ended = new Promise<{ code?: number }>((resolve) => agent.session?.on('error', resolve));
    await fixture.client('gateway').transaction([{ action: 'delete', kind: 'node', object: Node.fromPartial({ id: N(1) }) }],
      { writer: 'user' });
    expect((await ended).code).toBe(GrpcStatus.NOT_FOUND);
    await expect(agent.heartbeat()).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND });
    await expect(new FakeAgent(a.address, N(1)).open()).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND });
  });

  it('marks DOWN a node whose holder is gone, after period × 6; a node held by a live replica stays READY', async () => {
    const b = await replica('dispatcher-b');
    await until(() => b.dispatcher.sweeping, 10_000, 'b sweeps');
    const a = await replica('dispatcher-a');
    await connect(a, N(2));
    await until(async () => (await node(N(2)))?.status?.message === READY_MESSAGE_PREFIX + 'dispatcher-a', 5_000, 'N2 READY at a');
    // N3 claims a holder that never existed (a replica that crashed: no liveness lease).
    await fixture.client('dispatcher').update('node', N(3), (n) => ({ ...n, status: { state: NodeStatus_State.READY,
      message: READY_MESSAGE_PREFIX + 'dispatcher-ghost', addr: '10.0.0.3' } }), { writer: 'dispatcher' });
    const seen = Date.now();
    await until(async () => (await state(N(3))) === NodeStatus_State.DOWN, 10_000, 'N3 DOWN');
    expect(Date.now() - seen).toBeGreaterThanOrEqual(PERIOD_MS * 6 * 0.9 - 150);
    expect((await node(N(3)))?.status?.message).toBe(HEARTBEAT_FAILURE);
    expect(await state(N(2))).toBe(NodeStatus_State.READY);
  });

  it('a node left DISCONNECTED by a stopped replica goes DOWN unless it re-registers elsewhere', async () => {
    const b = await replica('dispatcher-b');
    await until(() => b.dispatcher.sweeping, 10_000, 'b sweeps');
    const a = await replica('dispatcher-a');
    await connect(a, N(2));
    await connect(a, N(4));
    await until(async () => (await state(N(4))) === NodeStatus_State.READY, 5_000, 'N4 READY');
    await a.dispatcher.stop();
    await until(async () => (await node(N(4)))?.status?.message === DISCONNECTED_MESSAGE, 5_000, 'N4 DISCONNECTED');
    await connect(b, N(2)); // N2 fails over to b
    await until(async () => (await state(N(4))) === NodeStatus_State.DOWN, 10_000, 'N4 DOWN');
    expect((await node(N(2)))?.status).toMatchObject({ state: NodeStatus_State.READY, message: READY_MESSAGE_PREFIX + 'dispatcher-b' });
  });

  it('orphans the ASSIGNED..RUNNING tasks of a node DOWN longer than nodeDownPeriodMs', async () => {
    const b = await replica('dispatcher-b');
    await until(() => b.dispatcher.sweeping, 10_000, 'b sweeps');
    const mk = (n: number, desired: TaskState): Task => Task.fromPartial({ id: fixtureId('t', n), serviceId: 's', slot: n,
      nodeId: N(5), desiredState: desired, spec: { runtime: { $case: 'container', container: { image: 'x' } } },
      schedulerStatus: { state: TaskState.ASSIGNED } });
    await fixture.client('orchestrator').transaction([mk(1, TaskState.RUNNING), mk(2, TaskState.SHUTDOWN)]
      .map((object) => ({ action: 'create' as const, kind: 'task' as const, object })), { writer: 'orchestrator' });
    await fixture.client('dispatcher').update('task', fixtureId('t', 2), (t) => ({ ...t,
      status: { state: TaskState.SHUTDOWN, message: '', err: '', appliedBy: 'test' } }), { writer: 'dispatcher' });
    await fixture.client('dispatcher').update('node', N(5), (n) => ({ ...n, status: { state: NodeStatus_State.DOWN,
      message: HEARTBEAT_FAILURE, addr: '' } }), { writer: 'dispatcher' });
    const down = Date.now();
    await until(async () => (await fixture.client('dispatcher').get('task', fixtureId('t', 1)))?.status?.state
      === TaskState.ORPHANED, 10_000, 'task 1 ORPHANED');
    expect(Date.now() - down).toBeGreaterThanOrEqual(LIMITS.nodeDownPeriodMs - 150);
    expect((await fixture.client('dispatcher').get('task', fixtureId('t', 1)))?.status?.message).toBe(ORPHANED_MESSAGE);
    expect((await fixture.client('dispatcher').get('task', fixtureId('t', 2)))?.status?.state).toBe(TaskState.SHUTDOWN);
  });
});
