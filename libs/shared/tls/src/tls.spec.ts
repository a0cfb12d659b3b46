// Goal: @shoal/tls as a process uses it. loadTlsMaterial refuses partial or broken TLS files
// with a ConfigError naming the flag; serverSecurity serves mutual TLS with the authorization
// table (a worker is PERMISSION_DENIED on Store with role and method named, a component
// passes, health stays callable); channelCredentials verifies the server by the name asked
// for, not the address dialled; TlsMaterial.replace rewrites the files and new connections
// present the new certificate. Method: a real root and certificates from @shoal/pki, a real
// grpc-js server on 127.0.0.1:0 with a stub Store service, one call per case.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ConfigError } from '@shoal/config';
import { bindServer, createGrpcServer } from '@shoal/grpc';
import { createRootCa, issueCertificate, parseIdentity, peerIdentity, type CertBundle,
  type RootCa } from '@shoal/pki';
import { GetRequest, GetResponse, HealthCheckRequest, HealthCheckResponse } from '@shoal/proto';
import { HealthClient, HealthService, StoreClient, StoreService } from '@shoal/proto-grpc';
import { createServer, type AddressInfo } from 'node:net';
import { createLogger } from '@shoal/logging';
import { channelCredentials, loadTlsMaterial, serverSecurity, startCertRenewal,
  type TlsMaterial } from './index';

jest.setTimeout(60_000);

const CLUSTER = 'testcluster';
let root: RootCa;
let dir: string;
let server: grpc.Server;
let address: string;
let storeMaterial: TlsMaterial;
const seen: string[] = [];

async function writeBundle(name: string, id: string, role: Parameters<typeof issueCertificate>[0]['role']):
  Promise<{ tlsCaFile: string; tlsCertFile: string; tlsKeyFile: string }> {
  const issued = await issueCertificate({ ca: root, clusterId: CLUSTER, id, role, now: Date.now(),
    loopback: true });
  const files = { tlsCaFile: join(dir, `${name}-ca.pem`), tlsCertFile: join(dir, `${name}-cert.pem`),
    tlsKeyFile: join(dir, `${name}-key.pem`) };
  writeFileSync(files.tlsCaFile, root.certPem);
  writeFileSync(files.tlsCertFile, issued.certPem);
  writeFileSync(files.tlsKeyFile, issued.keyPem);
  return files;
}

function material(files: { tlsCaFile: string; tlsCertFile: string; tlsKeyFile: string }): TlsMaterial {
  const loaded = loadTlsMaterial(files);
  if (loaded === undefined) throw new Error('no material');
  return loaded;
}

function call(client: grpc.Client, method: 'get' | 'check'): Promise<grpc.ServiceError | null> {
  return new Promise((resolve) => {
    const fn = (client as unknown as Record<string, (...a: unknown[]) => unknown>)[method] as
      (...a: unknown[]) => unknown;
    const request = method === 'get' ? GetRequest.fromPartial({}) : HealthCheckRequest.fromPartial({});
    fn.call(client, request, new grpc.Metadata(), { deadline: Date.now() + 5_000 },
      (err: grpc.ServiceError | null) => resolve(err));
  });
}

const LOCAL = { 'grpc.use_local_subchannel_pool': 1 };

beforeAll(async () => {
  root = await createRootCa({ clusterId: CLUSTER, now: Date.now() });
  dir = mkdtempSync(join(tmpdir(), 'shoal-tls-'));
  storeMaterial = material(await writeBundle('store', 'store-1', 'store'));
  const security = serverSecurity(storeMaterial);
  server = createGrpcServer({ credentials: security.credentials, interceptors: security.interceptors });
  server.addService(StoreService, {
    get: (c: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      seen.push(peerIdentity(c).id);
      cb(null, GetResponse.fromPartial({}));
    },
  } as unknown as grpc.UntypedServiceImplementation);
  server.addService(HealthService, {
    check: (_c: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, HealthCheckResponse.fromPartial({ status: 1 })),
  } as unknown as grpc.UntypedServiceImplementation);
  const port = await bindServer(server, '127.0.0.1:0', security.credentials);
  address = `127.0.0.1:${port}`;
});

afterAll(() => server.forceShutdown());

describe('loadTlsMaterial', () => {
  it('returns undefined with no files, and refuses partial sets and endpoints alone', async () => {
    expect(loadTlsMaterial({})).toBeUndefined();
    const files = await writeBundle('partial', 'scheduler', 'scheduler');
    expect(() => loadTlsMaterial({ tlsCaFile: files.tlsCaFile })).toThrow(ConfigError);
    expect(() => loadTlsMaterial({ caEndpoints: ['127.0.0.1:1'] })).toThrow(/ca-endpoints/);
  });

  it('refuses a missing file, a key of another certificate and a foreign root', async () => {
    const a = await writeBundle('a', 'scheduler', 'scheduler');
    const b = await writeBundle('b', 'allocator', 'allocator');
    expect(() => loadTlsMaterial({ ...a, tlsKeyFile: join(dir, 'nope.pem') })).toThrow(/tls-key-file/);
    expect(() => loadTlsMaterial({ ...a, tlsKeyFile: b.tlsKeyFile })).toThrow(/tls-key-file/);
    const other = await createRootCa({ clusterId: CLUSTER, now: Date.now() });
    const foreign = join(dir, 'foreign-ca.pem');
    writeFileSync(foreign, other.certPem);
    expect(() => loadTlsMaterial({ ...a, tlsCaFile: foreign })).toThrow(/untrusted/);
    expect(material(a).identity()).toMatchObject({ id: 'scheduler', role: 'scheduler' });
  });
});

describe('serverSecurity and channelCredentials', () => {
  it('refuses a worker PERMISSION_DENIED naming role and method; health stays callable', async () => {
    const worker = material(await writeBundle('worker', 'k3v9worker', 'worker'));
    const sec = channelCredentials(worker, 'store');
    const client = new StoreClient(address, sec.credentials, { ...sec.options, ...LOCAL });
    const err = await call(client, 'get');
    expect(err?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(err?.details).toBe('role "worker" may not call /shoal.v1.Store/Get');
    const health = new HealthClient(address, sec.credentials, { ...sec.options, ...LOCAL });
    expect(await call(health, 'check')).toBeNull();
    client.close();
    health.close();
  });

  it('lets a component through, verifying the server by name whatever the address', async () => {
    const orchestrator = material(await writeBundle('orch', 'orchestrator', 'orchestrator'));
    const good = channelCredentials(orchestrator, 'store');
    const client = new StoreClient(address, good.credentials, LOCAL); // no name options passed
    expect(await call(client, 'get')).toBeNull();
    const wrong = channelCredentials(orchestrator, 'dispatcher');
    const impostor = new StoreClient(address, wrong.credentials, { ...wrong.options, ...LOCAL });
    expect((await call(impostor, 'get'))?.code).toBe(grpc.status.UNAVAILABLE);
    client.close();
    impostor.close();
  });

  it('replace rewrites the files and new connections present the new certificate', async () => {
    const files = await writeBundle('renew', 'allocator', 'allocator');
    const allocator = material(files);
    const next = await issueCertificate({ ca: root, clusterId: CLUSTER, id: 'allocator',
      role: 'allocator', now: Date.now() });
    const bundle: CertBundle = { caPem: root.certPem, certPem: next.certPem, keyPem: next.keyPem };
    const replaced: string[] = [];
    allocator.onReplace((_b, identity) => replaced.push(identity.serial));
    await allocator.replace(bundle);
    expect(readFileSync(files.tlsCertFile, 'utf8')).toBe(next.certPem);
    expect(readFileSync(files.tlsKeyFile, 'utf8')).toBe(next.keyPem);
    expect(replaced).toEqual([parseIdentity(next.certPem).serial]);
    const sec = channelCredentials(allocator, 'store');
    const client = new StoreClient(address, sec.credentials, { ...sec.options, ...LOCAL });
    expect(await call(client, 'get')).toBeNull();
    expect(seen[seen.length - 1]).toBe('allocator');
    client.close();
  });
});

describe('startCertRenewal', () => {
  it('waits for a 90-day certificate instead of renewing at once (no timer overflow)', async () => {
    const material = loadTlsMaterial(await writeBundle('long', 'orchestrator', 'orchestrator'));
    if (material === undefined) throw new Error('no material');
    let connections = 0;
    const ca = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => ca.listen(0, '127.0.0.1', resolve));
    const port = (ca.address() as AddressInfo).port;
    const logger = createLogger({ app: 'scheduler', level: 'silent' });
    const renewal = startCertRenewal(material, { caEndpoints: [`127.0.0.1:${port}`], logger });
    // Long enough for a renewal started at once (new RSA key, then a connection) to show.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(connections).toBe(0);
    await renewal.stop();
    await renewal.done;
    await new Promise<void>((resolve) => ca.close(() => resolve()));
  });
});
