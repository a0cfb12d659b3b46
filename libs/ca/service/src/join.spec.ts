// Goal: the node side against a real CA server: joinCluster pins the root by the token and gets
// a worker or manager certificate written to <stateDir>/certificates; a wrong or rotated token
// is refused (old token at once, existing certificates unaffected); a forged root (a CA whose
// root does not match the token's digest) is refused before the token or a CSR is sent; a node
// renews over mTLS keeping its ID; a removed node cannot renew; renewLoop renews at its delay
// and stops the node when it has been removed. Method: CaService over a MemoryCaStore served by
// authorizedServer (AUTHORIZATION, client certificate optional) with caGrpcHandlers on
// 127.0.0.1:0, a second such server with a forged root, temp state dirs, and a ManualClock for
// renewLoop's timers.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ManualClock } from '@shoal/clock';
import { isShoalError, type ShoalError } from '@shoal/errors';
import {
  authorizedServer,
  createRootCa,
  generateJoinToken,
  issueCertificate,
  parseIdentity,
  readCertBundle,
  ReloadableCredentials,
  verifyChain,
  type CertBundle,
  type RootCa,
} from '@shoal/pki';
import { IssuanceStatus_State, NodeRole } from '@shoal/proto';
import { AUTHORIZATION, CAService } from '@shoal/proto-grpc';
import { SeededRandom } from '@shoal/random';
import { systemClock, systemTimers } from '@shoal/runtime';
import { caGrpcHandlers } from './ca-grpc-handlers';
import { CaService } from './ca-service';
import { newClusterObject, rotateJoinToken } from './cluster-object';
import { joinCluster } from './joiner';
import { MemoryCaStore } from './memory-ca-store';
import { renewCertificate, renewLoop } from '@shoal/tls';

// RSA key generation is slow and variable (0.2-2 s per key, more on a loaded CI machine).
jest.setTimeout(60_000);

const CLUSTER = 'testcluster';
/** Node certificates here live 4 h (+1 h backdate): renewal falls 1.5 h to 3 h after issue. */
const CERT_VALIDITY_MS = 4 * 60 * 60_000;
const HOUR_MS = 60 * 60_000;
const CHANNEL = { 'grpc.use_local_subchannel_pool': 1 };

interface RunningCa {
  readonly address: string;
  readonly store: MemoryCaStore;
  readonly root: RootCa;
  readonly tokens: { worker: string; manager: string };
  /** Calls that reached each handler. */
  readonly calls: Map<string, number>;
  readonly server: grpc.Server;
}

let real: RunningCa;
let forged: RunningCa;
const dirs: string[] = [];

async function startCa(seed: number): Promise<RunningCa> {
  const root = await createRootCa({ clusterId: CLUSTER, now: Date.now() });
  const { cluster, tokens } = newClusterObject({ clusterId: CLUSTER, root,
    random: new SeededRandom(seed) });
  const store = new MemoryCaStore(cluster);
  const service = new CaService({ nodes: store, cluster: store, clock: systemClock,
    timers: systemTimers, random: new SeededRandom(seed + 1), certValidityMs: CERT_VALIDITY_MS });
  const caCert = await issueCertificate({ ca: root, id: 'ca', role: 'ca', clusterId: CLUSTER,
    now: Date.now(), loopback: true });
  const credentials = new ReloadableCredentials({ caPem: root.certPem, certPem: caCert.certPem,
    keyPem: caCert.keyPem });
  const server = authorizedServer({ table: AUTHORIZATION,
    credentials: credentials.serverCredentials({ clientCertificate: 'optional' }) });
  const calls = new Map<string, number>();
  const handlers = caGrpcHandlers(service, { onAssertionFailure: (err) => { throw err; } });
  type Unary = grpc.handleUnaryCall<unknown, unknown>;
  const counted: grpc.UntypedServiceImplementation = Object.fromEntries(
    Object.entries(handlers).map(([name, handler]): [string, Unary] => [
      name,
      (call, cb) => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        (handler as Unary)(call, cb);
      },
    ]),
  );
  server.addService(CAService, counted);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials.serverCredentials({
      clientCertificate: 'optional' }), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { address: `127.0.0.1:${port}`, store, root, tokens: { ...tokens }, calls, server };
}

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-join-'));
  dirs.push(dir);
  return dir;
}

async function failure(promise: Promise<unknown>): Promise<ShoalError> {
  try {
    await promise;
  } catch (err) {
    if (isShoalError(err)) return err;
    throw err;
  }
  throw new Error('expected a ShoalError');
}

function join_(ca: RunningCa, token: string, dir: string): ReturnType<typeof joinCluster> {
  return joinCluster({ caAddress: ca.address, token, stateDir: dir,
    random: new SeededRandom(1), channelOptions: CHANNEL });
}

beforeAll(async () => {
  [real, forged] = await Promise.all([startCa(10), startCa(20)]);
});

afterAll(async () => {
  real.server.forceShutdown();
  forged.server.forceShutdown();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('joinCluster', () => {
  it('joins as a worker: certificate from the pinned root, bundle on disk, node in store', async () => {
    const dir = await stateDir();
    const joined = await join_(real, real.tokens.worker, dir);
    expect(joined.identity).toMatchObject({ role: 'worker', clusterId: CLUSTER });
    expect(joined.certDir).toBe(join(dir, 'certificates'));
    const onDisk = await readCertBundle(joined.certDir);
    expect(onDisk.caPem).toBe(real.root.certPem);
    expect(verifyChain(onDisk.certPem, real.root.certPem, Date.now()).ok).toBe(true);
    expect((await stat(join(joined.certDir, 'key.pem'))).mode & 0o777).toBe(0o600);
    const node = await real.store.getNode(joined.identity.id);
    expect(node?.role).toBe(NodeRole.WORKER);
    expect(node?.certificate?.status?.state).toBe(IssuanceStatus_State.ISSUED);
  });

  it('joins as a manager with the manager token', async () => {
    const joined = await join_(real, real.tokens.manager, await stateDir());
    expect(joined.identity.role).toBe('manager');
  });

  it('refuses a wrong token (PERMISSION_DENIED) and creates no node', async () => {
    const before = real.store.nodeIds().length;
    const wrong = generateJoinToken(real.root.digest, new SeededRandom(77));
    const err = await failure(join_(real, wrong, await stateDir()));
    expect(err.code).toBe('PERMISSION_DENIED');
    expect(real.store.nodeIds()).toHaveLength(before);
  });

  it('refuses a malformed token before connecting', async () => {
    const err = await failure(joinCluster({ caAddress: '127.0.0.1:1', token: 'SWMTKN-1-x-y',
      stateDir: await stateDir(), random: new SeededRandom(1) }));
    expect(err.code).toBe('INVALID_ARGUMENT');
  });

  it('refuses a forged root before sending the token or a CSR', async () => {
    forged.calls.clear();
    // The token pins the real root; the CA at this address has another one.
    const err = await failure(join_(forged, real.tokens.worker, await stateDir()));
    expect(err.code).toBe('UNAUTHENTICATED');
    expect(err.message).toMatch(/does not match the join token/);
    expect(forged.calls.get('getRootCaCertificate')).toBe(1);
    expect(forged.calls.get('issueNodeCertificate')).toBeUndefined();
    expect(forged.store.nodeIds()).toEqual([]);
  });
});

describe('token rotation', () => {
  it('refuses the old token at once; earlier certificates keep working', async () => {
    const earlier = await join_(real, real.tokens.worker, await stateDir());
    const cluster = await real.store.getCluster();
    const rotated = rotateJoinToken(cluster, 'worker', real.root, new SeededRandom(31));
    real.store.setCluster(rotated.cluster);
    const old = await failure(join_(real, real.tokens.worker, await stateDir()));
    expect(old.code).toBe('PERMISSION_DENIED');
    const fresh = await join_(real, rotated.token, await stateDir());
    expect(fresh.identity.role).toBe('worker');
    // The node that joined with the old token still renews over mTLS.
    const renewed = await renewCertificate({ caAddress: real.address,
      credentials: new ReloadableCredentials(earlier.bundle), certDir: earlier.certDir,
      clock: systemClock, timers: systemTimers, random: new SeededRandom(2),
      channelOptions: CHANNEL });
    expect(parseIdentity(renewed.certPem).id).toBe(earlier.identity.id);
    real.tokens.worker = rotated.token;
  });
});

describe('renewal', () => {
  it('renews over mTLS with a new key, keeping the ID, and updates disk and credentials', async () => {
    const joined = await join_(real, real.tokens.worker, await stateDir());
    const credentials = new ReloadableCredentials(joined.bundle);
    const renewed = await renewCertificate({ caAddress: real.address, credentials,
      certDir: joined.certDir, clock: systemClock, timers: systemTimers,
      random: new SeededRandom(3), channelOptions: CHANNEL });
    const next = parseIdentity(renewed.certPem);
    expect(next.id).toBe(joined.identity.id);
    expect(next.serial).not.toBe(joined.identity.serial);
    expect(renewed.keyPem).not.toBe(joined.bundle.keyPem);
    expect(credentials.current()).toEqual(renewed);
    expect(await readCertBundle(joined.certDir)).toEqual(renewed);
  });

  it('refuses a removed node (PERMISSION_DENIED) and leaves its files alone', async () => {
    const joined = await join_(real, real.tokens.worker, await stateDir());
    real.store.removeNode(joined.identity.id);
    const credentials = new ReloadableCredentials(joined.bundle);
    const err = await failure(renewCertificate({ caAddress: real.address, credentials,
      certDir: joined.certDir, clock: systemClock, timers: systemTimers,
      random: new SeededRandom(4), channelOptions: CHANNEL }));
    expect(err.code).toBe('PERMISSION_DENIED');
    expect(err.message).toBe(`node ${joined.identity.id} has been removed from the cluster`);
    expect(credentials.current()).toEqual(joined.bundle);
    expect(await readCertBundle(joined.certDir)).toEqual(joined.bundle);
  });

  it('renewLoop renews at its delay, then stops the node once it is removed', async () => {
    const joined = await join_(real, real.tokens.worker, await stateDir());
    const credentials = new ReloadableCredentials(joined.bundle);
    const clock = new ManualClock(Date.now());
    const controller = new AbortController();
    const renewals: CertBundle[] = [];
    let notify: () => void = () => undefined;
    const loop = renewLoop({ caAddress: real.address, credentials, certDir: joined.certDir,
      clock, timers: clock, random: new SeededRandom(5), signal: controller.signal,
      channelOptions: CHANNEL, onRenewed: (b) => (renewals.push(b), notify()) });
    const renewed = new Promise<void>((resolve) => (notify = resolve));
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(1.5 * HOUR_MS - 60_000); // just before 50 % of the 5 h validity
    await new Promise((r) => setImmediate(r));
    expect(renewals).toHaveLength(0);
    clock.advance(1.5 * HOUR_MS + 60_000); // past 80 %
    await renewed;
    expect(parseIdentity(renewals[0]?.certPem ?? '').id).toBe(joined.identity.id);
    expect(credentials.current()).toEqual(renewals[0]);
    real.store.removeNode(joined.identity.id);
    await new Promise((r) => setImmediate(r));
    clock.advance(2 * CERT_VALIDITY_MS);
    await expect(loop).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    controller.abort();
  });

  it('renewLoop resolves when aborted', async () => {
    const joined = await join_(real, real.tokens.worker, await stateDir());
    const clock = new ManualClock(Date.now());
    const controller = new AbortController();
    const loop = renewLoop({ caAddress: real.address,
      credentials: new ReloadableCredentials(joined.bundle), certDir: joined.certDir, clock,
      timers: clock, random: new SeededRandom(6), signal: controller.signal });
    controller.abort();
    await expect(loop).resolves.toBeUndefined();
  });
});
