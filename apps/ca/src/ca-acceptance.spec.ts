// Goal: the ca app, over a real raft-store served with mutual TLS, is the cluster's
// certificate authority end to end: it creates the Cluster object from `shoal init`'s
// directory; a worker joins with its token and its Node is in the store; a wrong token, and
// after a rotation in the store the old token, are refused at once while joined nodes still
// renew; a joining node refuses a root its token does not pin; a worker certificate cannot
// write the Store or call Control; a removed node cannot renew.
// Method: `shoal init` (the CLI), one raft-store member as a child process with its init
// bundle, the ca in-process (bootstrapApp) on a free port, nodes joining with @shoal/ca-service's
// joinCluster, the gateway's init bundle as the "user" writer, real certificates throughout.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import { bootstrapApp, type RunningApp } from '@shoal/bootstrap';
import { joinCluster, rotateJoinToken, type JoinedNode } from '@shoal/ca-service';
import { bindServer, createGrpcServer } from '@shoal/grpc';
import { certificateDigest, createRootCa, generateJoinToken, ReloadableCredentials } from '@shoal/pki';
import { ListNodesRequest } from '@shoal/proto';
import { ControlClient, ControlService } from '@shoal/proto-grpc';
import { createLogger } from '@shoal/logging';
import { cryptoRandom, systemClock, systemTimers } from '@shoal/runtime';
import { connectLoopStore, loopGrpcSecurity, openLoopConnection } from '@shoal/store-controller';
import type { StoreClient } from '@shoal/store-client';
import { channelCredentials, renewCertificate, serverSecurity } from '@shoal/tls';
import { createAppSpec } from './app';
import { bundleFlags, bundleMaterial, eventually, failure, shoalInit, silent, startStore,
  storeClient } from './testdata/cluster';

jest.setTimeout(180_000);

let dir: string;
let clusterId: string;
let tokens: { worker: string; manager: string };
let store: { address: string; child: ChildProcess };
let ca: RunningApp;
let caAddress: string;
let user: StoreClient;
const random = cryptoRandom();

async function joinNode(name: string, token = tokens.worker): Promise<JoinedNode> {
  return joinCluster({ caAddress, token, stateDir: join(dir, name), random, timeoutMs: 30_000 });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-ca-'));
  shoalInit(dir);
  clusterId = (JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as { clusterId: string }).clusterId;
  tokens = JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as typeof tokens;
  store = await startStore(dir);
  ca = await bootstrapApp(createAppSpec(), { argv: ['--grpc-port', '0', '--http-port', '0',
    '--store-endpoints', store.address, '--init-dir', dir, '--log-level', 'warn',
    ...bundleFlags(join(dir, 'ca'))], env: {}, logDestination: silent });
  caAddress = `127.0.0.1:${ca.grpcPort}`;
  user = storeClient(store.address, bundleMaterial(join(dir, 'gateway')));
  await eventually(async () => {
    if ((await user.get('cluster', clusterId)) === undefined) throw new Error('no cluster yet');
  });
}, 300_000);

afterAll(async () => {
  user?.close();
  await ca?.close();
  store?.child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('the ca over a real store', () => {
  it('seeded the Cluster from --init-dir; a worker joins and its Node is in the store', async () => {
    const cluster = await user.get('cluster', clusterId);
    expect(cluster?.rootCa?.caCert.toString('utf8')).toBe(readFileSync(join(dir, 'ca', 'ca.pem'), 'utf8'));
    const node = await joinNode('node-a');
    expect(node.identity).toMatchObject({ role: 'worker', clusterId });
    const stored = await user.get('node', node.identity.id);
    expect(stored?.certificate?.certificate.toString('utf8')).toBe(node.bundle.certPem);
  });

  it('refuses a wrong token, and a rotated one at once; joined nodes still renew', async () => {
    const digest = certificateDigest(readFileSync(join(dir, 'ca', 'ca.pem'), 'utf8'));
    expect((await failure(joinNode('wrong', generateJoinToken(digest, random)))).code).toBe('PERMISSION_DENIED');
    const joined = await joinNode('node-b');
    const current = await user.get('cluster', clusterId);
    if (current === undefined) throw new Error('no cluster');
    const rotated = rotateJoinToken(current, 'worker', { digest }, random);
    await user.update('cluster', clusterId, (c) => ({ ...c, joinTokens: rotated.cluster.joinTokens }),
      { writer: 'user' });
    const old = await failure(joinNode('old-token', tokens.worker));
    expect(old.code).toBe('PERMISSION_DENIED');
    expect((await joinNode('new-token', rotated.token)).identity.role).toBe('worker');
    tokens = { ...tokens, worker: rotated.token };
    const credentials = new ReloadableCredentials(joined.bundle);
    const renewed = await renewCertificate({ caAddress, credentials, certDir: joined.certDir,
      clock: systemClock, timers: systemTimers, random });
    expect(renewed.certPem).not.toBe(joined.bundle.certPem);
    expect(credentials.current().certPem).toBe(renewed.certPem);
  });

  it('a joining node refuses a root its token does not pin', async () => {
    const forged = await createRootCa({ clusterId, now: Date.now() });
    const err = await failure(joinNode('forged', generateJoinToken(forged.digest, random)));
    expect(err.code).toBe('UNAUTHENTICATED');
    expect(err.message).toMatch(/does not match the join token/);
  });

  it('a worker certificate cannot write the Store or call Control', async () => {
    const node = await joinNode('node-c');
    const worker = bundleMaterial(node.certDir);
    const workerStore = storeClient(store.address, worker);
    const write = await failure(workerStore.update('node', node.identity.id,
      (n) => ({ ...n, role: 0 }), { writer: 'ca' }));
    expect(write.code).toBe('PERMISSION_DENIED');
    expect(write.message).toContain('role "worker" may not call /shoal.v1.Store/');
    workerStore.close();
    const security = serverSecurity(bundleMaterial(join(dir, 'gateway')));
    const server = createGrpcServer({ credentials: security.credentials, interceptors: security.interceptors });
    server.addService(ControlService, {} as grpc.UntypedServiceImplementation);
    const port = await bindServer(server, '127.0.0.1:0', security.credentials);
    const sec = channelCredentials(worker, 'gateway');
    const control = new ControlClient(`127.0.0.1:${port}`, sec.credentials, sec.options);
    const err = await new Promise<grpc.ServiceError | null>((resolve) => control.listNodes(
      ListNodesRequest.fromPartial({}), new grpc.Metadata(), { deadline: Date.now() + 5_000 },
      (e) => resolve(e)));
    expect(err?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(err?.details).toBe('role "worker" may not call /shoal.v1.Control/ListNodes');
    control.close();
    server.forceShutdown();
  });

  it('refuses to renew a node removed from the store', async () => {
    const node = await joinNode('node-d');
    const stored = await user.get('node', node.identity.id);
    if (stored === undefined) throw new Error('node missing');
    await user.transaction([{ action: 'delete', kind: 'node', object: stored }], { writer: 'user' });
    const err = await failure(renewCertificate({ caAddress, certDir: node.certDir,
      credentials: new ReloadableCredentials(node.bundle), clock: systemClock, timers: systemTimers,
      random }));
    expect(err.code).toBe('PERMISSION_DENIED');
    expect(err.message).toBe(`node ${node.identity.id} has been removed from the cluster`);
  });

  it('a loop app reaches the store with its own certificate, and refuses another role\'s', async () => {
    const logger = createLogger({ app: 'scheduler', level: 'silent', destination: silent });
    const files = (name: string) => ({ storeEndpoints: [store.address], testIdentity: false,
      caEndpoints: [], tlsCaFile: join(dir, name, 'ca.pem'), tlsCertFile: join(dir, name, 'cert.pem'),
      tlsKeyFile: join(dir, name, 'key.pem') });
    const config = files('scheduler');
    expect(loopGrpcSecurity(config, logger).interceptors).toHaveLength(1);
    const connection = openLoopConnection(config, 'scheduler', logger);
    expect((await connection.store.list(['node'])).objects.length).toBeGreaterThan(0);
    await connection.close();
    expect(() => connectLoopStore(files('allocator'), 'scheduler', logger))
      .toThrow(/role is "allocator"; this process writes as "scheduler"/);
  });
});
