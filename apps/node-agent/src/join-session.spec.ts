// Goal: a node-agent started with a join token joins through the ca (root pinned by the
// token, key and CSR made locally, certificate written into --state-dir), opens its dispatcher
// session over mutual TLS with that certificate (the dispatcher names the node by the
// certificate's CN, no header), and a second start reuses the state dir: same node ID, no new
// issuance, no token needed.
// Method: an in-process CA (CaService over a MemoryCaStore, served with the authorization
// table and an optional client certificate, as the ca app does); an in-process store fixture;
// a Dispatcher served with mTLS (a dispatcher certificate from the same root) and the
// authorization interceptor; the node-agent's startAgent with the sim executor. The node the
// ca created is copied into the store, as the ca app writes it there.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Server } from '@grpc/grpc-js';
import { caGrpcHandlers, CaService, MemoryCaStore, newClusterObject } from '@shoal/ca-service';
import { silentLogger } from '@shoal/logging';
import { createMetrics } from '@shoal/metrics';
import { authorizedServer, createRootCa, issueCertificate, ReloadableCredentials, serverCredentials } from '@shoal/pki';
import { NodeStatus_State } from '@shoal/proto';
import { AUTHORIZATION, CAService, DispatcherService } from '@shoal/proto-grpc';
import { SeededRandom } from '@shoal/random';
import { cryptoRandom, systemClock, systemTimers } from '@shoal/runtime';
// The dispatcher and the in-process store are other scopes; only this spec joins them.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { Dispatcher, dispatcherGrpcHandlers } from '@shoal/dispatcher-service';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createNodes, readyNode, startStoreFixture, until, type StoreFixture } from '@shoal/testing-store-fixture';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, type AgentConfig, type RunningAgent } from './agent';

jest.setTimeout(120_000);

const CLUSTER = 'agentcluster';
let caServer: Server;
let caAddress: string;
let caStore: MemoryCaStore;
let workerToken: string;
let fixture: StoreFixture;
let dispatcher: Dispatcher;
let dispatcherServer: Server;
let dispatcherAddress: string;
let stateDir: string;
const issued: string[] = [];

function bind(server: Server, creds: Parameters<Server['bindAsync']>[1]): Promise<string> {
  return new Promise((resolve, reject) => server.bindAsync('127.0.0.1:0', creds,
    (err, port) => (err ? reject(err) : resolve(`127.0.0.1:${port}`))));
}

beforeAll(async () => {
  const root = await createRootCa({ clusterId: CLUSTER, now: Date.now() });
  const { cluster, tokens } = newClusterObject({ clusterId: CLUSTER, root, random: new SeededRandom(7) });
  workerToken = tokens.worker;
  caStore = new MemoryCaStore(cluster);
  const service = new CaService({ nodes: caStore, cluster: caStore, clock: systemClock, timers: systemTimers,
    random: new SeededRandom(8) });
  const caCert = await issueCertificate({ ca: root, id: 'ca', role: 'ca', clusterId: CLUSTER, now: Date.now(), loopback: true });
  const caCreds = new ReloadableCredentials({ caPem: root.certPem, certPem: caCert.certPem, keyPem: caCert.keyPem });
  const optional = caCreds.serverCredentials({ clientCertificate: 'optional' });
  caServer = authorizedServer({ table: AUTHORIZATION, credentials: optional });
  const handlers = caGrpcHandlers(service, {});
  type Call = { request: { token?: string } };
  const issue = handlers['issueNodeCertificate'] as (call: Call, cb: unknown) => void;
  caServer.addService(CAService, { ...handlers, issueNodeCertificate: (call: Call, cb: unknown) => {
    issued.push(call.request.token !== undefined && call.request.token !== '' ? 'join' : 'renew');
    issue(call, cb);
  } });
  caAddress = await bind(caServer, optional);

  fixture = await startStoreFixture();
  dispatcher = new Dispatcher({ client: fixture.client('dispatcher'), dispatcherId: 'dispatcher-tls', clock: systemClock,
    timers: systemTimers, random: cryptoRandom(), logger: silentLogger(), sweeper: false, rootCa: Buffer.from(root.certPem),
    metrics: createMetrics({ app: 'dispatcher', version: '0', collectDefaults: false }) });
  await dispatcher.start();
  const dCert = await issueCertificate({ ca: root, id: 'dispatcher-tls', role: 'dispatcher', clusterId: CLUSTER,
    now: Date.now(), loopback: true });
  const dCreds = serverCredentials({ caPem: root.certPem, certPem: dCert.certPem, keyPem: dCert.keyPem });
  dispatcherServer = authorizedServer({ table: AUTHORIZATION, credentials: dCreds });
  dispatcherServer.addService(DispatcherService, dispatcherGrpcHandlers(dispatcher, { allowTestIdentity: false, logger: silentLogger() }));
  dispatcherAddress = await bind(dispatcherServer, dCreds);
  stateDir = await mkdtemp(join(tmpdir(), 'shoal-agent-join-'));
}, 120_000);

afterAll(async () => {
  await dispatcher?.stop();
  dispatcherServer?.forceShutdown();
  caServer?.forceShutdown();
  await fixture?.stop();
  if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
});

function config(withToken: boolean): AgentConfig {
  return { executor: 'sim', stateDir, dockerSocket: '', simLatencyMs: 0, simFailureRate: 0, hostname: 'joined-node',
    joinToken: withToken ? workerToken : undefined, caEndpoints: [caAddress], dispatcherEndpoints: [dispatcherAddress] };
}

async function start(withToken: boolean): Promise<RunningAgent> {
  return startAgent(config(withToken), silentLogger(), createMetrics({ app: 'node-agent', version: 't', collectDefaults: false }), {});
}

describe('node-agent: join through the ca, then an mTLS dispatcher session', () => {
  it('joins with the token, writes its certificate, and registers by certificate', async () => {
    const agent = await start(true);
    const nodeId = agent.nodeId ?? '';
    expect(nodeId).toMatch(/^[0-9a-z]{25}$/);
    expect((await stat(join(stateDir, 'certificates', 'key.pem'))).mode & 0o777).toBe(0o600);
    expect(issued).toEqual(['join']);
    // The ca app writes the node into the store; here it lives in the in-process ca's store.
    expect((await caStore.getNode(nodeId))?.id).toBe(nodeId);
    await createNodes(fixture, [{ ...readyNode(nodeId), status: undefined, description: undefined }]);
    await until(async () => (await fixture.client('dispatcher').get('node', nodeId))?.status?.state === NodeStatus_State.READY,
      30_000, 'node READY');
    const node = await fixture.client('dispatcher').get('node', nodeId);
    expect(node?.description?.hostname).toBe('joined-node');
    expect(node?.status?.message).toBe('session on dispatcher dispatcher-tls');
    await agent.stop();
  });

  it('a second start reuses the state dir: same node, no token, no new certificate', async () => {
    const first = caStore.nodeIds();
    const agent = await start(false);
    const nodeId = agent.nodeId ?? '';
    expect(first).toContain(nodeId);
    expect(issued).toEqual(['join']);
    expect(caStore.nodeIds()).toEqual(first);
    await until(() => agent.session?.connectedTo === dispatcherAddress, 30_000, 'session open again');
    expect((await fixture.client('dispatcher').get('node', nodeId))?.status?.state).toBe(NodeStatus_State.READY);
    await agent.stop();
  });
});
