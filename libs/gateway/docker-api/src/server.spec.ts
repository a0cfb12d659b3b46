// Goal: the HTTP surface behaves as dockerd's for what the CLI and other clients rely on:
// versioned and unversioned paths, `_ping` headers on HEAD and GET, errors as {"message"}
// with dockerd's statuses, stale versions refused, a stale socket replaced, and the TLS TCP
// listener open to admin certificates only.
// Method: serve the FakeControlApi; raw node:http requests over the socket; the real docker
// CLI with --tlsverify against the TCP listener with certificates from @shoal/pki.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShoalError } from '@shoal/errors';
import { silentLogger } from '@shoal/logging';
import { createMetrics } from '@shoal/metrics';
import { createRootCa, issueCertificate, type RootCa, type Role } from '@shoal/pki';
import { UpdateStatus_State } from '@shoal/proto';
import { localEngineFacts } from './engine-facts';
import { startDockerApi, type DockerApiServer } from './server';
import { dockerCli } from './testing/docker-cli';
import { FakeControlApi } from './testing/fake-control-api';

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string }

let dir: string;
let socketPath: string;
let fake: FakeControlApi;
let server: DockerApiServer;
const metrics = createMetrics({ app: 'api-gateway', version: '0', collectDefaults: false });

function call(method: string, path: string, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: { 'Content-Type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-docker-server-'));
  socketPath = join(dir, 'docker.sock');
  // A stale socket: its process ended without removing it.
  spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => process.exit(0))`]);
  expect(existsSync(socketPath)).toBe(true);
  fake = new FakeControlApi();
  fake.addCluster();
  fake.addNode({ hostname: 'n1' });
  server = await startDockerApi({ control: fake.api, facts: localEngineFacts('9.9.9'), logger: silentLogger(), socketPath, metrics });
});

afterAll(async () => {
  await server.close();
  expect(existsSync(socketPath)).toBe(false);
});

describe('the Docker API over the unix socket', () => {
  it.each(['HEAD', 'GET'])('%s /_ping answers OK with API-Version, OSType and Swarm', async (method) => {
    const a = await call(method, '/_ping');
    expect(a.status).toBe(200);
    expect(a.body).toBe(method === 'GET' ? 'OK' : '');
    expect(a.headers).toMatchObject({ 'api-version': '1.41', ostype: 'linux', 'docker-experimental': 'false', swarm: 'active/manager' });
  });

  it('serves versioned and unversioned paths alike, and refuses a version above 1.41', async () => {
    const plain = await call('GET', '/version');
    const versioned = await call('GET', '/v1.41/version');
    expect(JSON.parse(plain.body)).toMatchObject({ Version: '9.9.9', ApiVersion: '1.41', MinAPIVersion: '1.24' });
    expect(versioned.body).toBe(plain.body);
    const tooNew = await call('GET', '/v1.99/version');
    expect(tooNew.status).toBe(400);
    expect(JSON.parse(tooNew.body)).toEqual({ message: 'client version 1.99 is too new. Maximum supported API version is 1.41' });
  });

  it('answers /distribution itself: 400 for a bad reference, no digest for a good one', async () => {
    const bad = await call('GET', '/v1.41/distribution/Not_OK!/json');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({ message: 'invalid reference format' });
    const upper = await call('GET', '/distribution/Busybox/json');
    expect(JSON.parse(upper.body).message).toBe('invalid reference format: repository name must be lowercase');
    const good = await call('GET', '/distribution/registry.local:5000/team/app:1.0/json');
    expect(good.status).toBe(200);
    expect(JSON.parse(good.body)).toMatchObject({ Descriptor: { digest: '' }, Platforms: [] });
  });

  it('errors are {"message"} with dockerd statuses: 404, 400 bad JSON and filters, 409 stale version', async () => {
    expect(await call('GET', '/containers/json')).toMatchObject({ status: 404 });
    expect(JSON.parse((await call('GET', '/services/nope')).body)).toEqual({ message: 'service nope not found' });
    const badJson = await new Promise<Answer>((resolve, reject) => {
      const req = request({ socketPath, method: 'POST', path: '/services/create' }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end('{not json');
    });
    expect(badJson.status).toBe(400);
    expect((await call('GET', '/services?filters=%7B%22colour%22%3A%7B%22x%22%3Atrue%7D%7D')).body).toContain("invalid filter 'colour'");
    const negative = await call('POST', '/services/create', { Name: 'neg', TaskTemplate: { ContainerSpec: { Image: 'a' } }, Mode: { Replicated: { Replicas: -1 } } });
    expect(negative.status).toBe(400);
    expect(JSON.parse(negative.body).message).toBe('json: cannot unmarshal number -1 into field ServiceSpec.Mode.Replicated.Replicas of type uint64');
    const created = await call('POST', '/services/create', { Name: 'api', TaskTemplate: { ContainerSpec: { Image: 'a' } } });
    expect(created.status).toBe(201);
    const service = JSON.parse((await call('GET', '/services/api')).body) as { ID: string; Version: { Index: number }; Spec: object };
    const ok = await call('POST', `/services/${service.ID}/update?version=${service.Version.Index}`, service.Spec);
    expect(ok).toMatchObject({ status: 200, body: '{"Warnings":null}\n' });
    const stale = await call('POST', `/services/${service.ID}/update?version=${service.Version.Index}`, service.Spec);
    expect(stale.status).toBe(409);
    expect(JSON.parse(stale.body)).toEqual({ message: 'update out of sequence' });
    expect((await call('POST', `/services/${service.ID}/update`, service.Spec)).status).toBe(400);
    const text = await metrics.registry.metrics();
    expect(text).toContain('shoal_docker_api_request_seconds_count{method="POST",route="/services/{id}/update",status="409"} 1');
    expect(text).toContain('shoal_docker_api_request_seconds_count{method="GET",route="unknown",status="404"} 1');
  });

  it('answers an update once the previous update outcome is replaced, as dockerd does in the call', async () => {
    const created = await call('POST', '/services/create', { Name: 'upd', TaskTemplate: { ContainerSpec: { Image: 'a' } } });
    const id = (JSON.parse(created.body) as { ID: string }).ID;
    const stored = fake.services.get(id);
    if (stored === undefined) throw new Error('the fake has no service upd');
    const completed = { state: UpdateStatus_State.COMPLETED, startedAt: new Date(1_000), completedAt: new Date(2_000), message: 'update completed' };
    fake.services.set(id, { ...stored, updateStatus: completed });
    const service = JSON.parse((await call('GET', '/services/upd')).body) as { Version: { Index: number }; Spec: object };
    // The orchestrator's part, played here: the new update starts 300 ms after the call.
    const started = setTimeout(() => {
      const now = fake.services.get(id);
      if (now !== undefined) fake.services.set(id, { ...now, updateStatus: { state: UpdateStatus_State.UPDATING, startedAt: new Date(3_000), message: 'update in progress' } });
    }, 300);
    const t0 = Date.now();
    const answer = await call('POST', `/services/${id}/update?version=${service.Version.Index}`, service.Spec);
    clearTimeout(started);
    expect(answer.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(JSON.parse((await call('GET', '/services/upd')).body).UpdateStatus.State).toBe('updating');
    expect((await call('DELETE', '/services/upd')).status).toBe(200);
  });

  it('answers a committed update 200 even when the store stops answering during the wait', async () => {
    const created = await call('POST', '/services/create', { Name: 'upd2', TaskTemplate: { ContainerSpec: { Image: 'a' } } });
    const id = (JSON.parse(created.body) as { ID: string }).ID;
    const stored = fake.services.get(id);
    if (stored === undefined) throw new Error('the fake has no service upd2');
    fake.services.set(id, { ...stored, updateStatus: { state: UpdateStatus_State.COMPLETED, startedAt: new Date(1_000), message: 'update completed' } });
    const service = JSON.parse((await call('GET', '/services/upd2')).body) as { Version: { Index: number }; Spec: object };
    const down = setTimeout(() => { fake.failure = ShoalError.unavailable('no store'); }, 50);
    try {
      const answer = await call('POST', `/services/${id}/update?version=${service.Version.Index}`, service.Spec);
      expect(answer.status).toBe(200);
    } finally {
      clearTimeout(down);
      fake.failure = undefined;
    }
    expect((await call('DELETE', '/services/upd2')).status).toBe(200);
  });

  it('list tasks with _up-to-date returns only tasks of the current spec', async () => {
    const service = JSON.parse((await call('GET', '/services/api')).body) as { ID: string; Version: { Index: number } };
    const spec = { Name: 'api', TaskTemplate: { ContainerSpec: { Image: 'b' } } };
    expect((await call('POST', `/v1.41/services/api/update?version=${service.Version.Index}`, spec)).status).toBe(200);
    const all = JSON.parse((await call('GET', `/tasks?filters=${encodeURIComponent(JSON.stringify({ service: { api: true } }))}`)).body) as unknown[];
    const filter = encodeURIComponent(JSON.stringify({ '_up-to-date': { true: true }, service: { [service.ID]: true } }));
    const fresh = JSON.parse((await call('GET', `/tasks?filters=${filter}`)).body) as { Slot: number; DesiredState: string }[];
    expect(all.length).toBeGreaterThan(fresh.length);
    expect(fresh).toEqual([expect.objectContaining({ Slot: 1, DesiredState: 'running' })]);
  });
});

describe('the Docker API over TLS TCP', () => {
  let root: RootCa;
  let tls: DockerApiServer;

  async function bundle(name: string, role: Role): Promise<string> {
    const path = mkdtempSync(join(dir, `${name}-`));
    const issued = await issueCertificate({ ca: root, clusterId: 'testcluster', id: name, role, now: Date.now(), loopback: true });
    writeFileSync(join(path, 'ca.pem'), root.certPem);
    writeFileSync(join(path, 'cert.pem'), issued.certPem);
    writeFileSync(join(path, 'key.pem'), issued.keyPem);
    return path;
  }

  beforeAll(async () => {
    root = await createRootCa({ clusterId: 'testcluster', now: Date.now() });
    const gateway = await issueCertificate({ ca: root, clusterId: 'testcluster', id: 'gateway', role: 'gateway', now: Date.now(), loopback: true });
    tls = await startDockerApi({
      control: fake.api, facts: localEngineFacts('9.9.9'), logger: silentLogger(),
      tcp: { host: '127.0.0.1', port: 0, tls: { caPem: root.certPem, certPem: gateway.certPem, keyPem: gateway.keyPem } },
    });
  });

  afterAll(async () => {
    await tls.close();
  });

  it('serves the docker CLI with an admin certificate and refuses other roles', async () => {
    const host = `tcp://127.0.0.1:${tls.tcpPort ?? 0}`;
    const admin = dockerCli(host, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: await bundle('admin', 'admin') });
    expect(await admin('service', 'ls', '--format', '{{.Name}}')).toMatchObject({ code: 0, stdout: 'api\n' });
    const worker = dockerCli(host, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: await bundle('somenode', 'worker') });
    const refused = await worker('service', 'ls');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('role worker may not use the Docker API: it needs an admin certificate');
  });
});
