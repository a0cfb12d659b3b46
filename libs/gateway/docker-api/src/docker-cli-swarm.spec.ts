// Goal: `docker swarm join-token` (with and without -q, with --rotate), `docker swarm unlock-key`
// and `docker swarm update`
// work with the real docker CLI 28 as against dockerd: the join command names the gateway's
// join address, rotation changes only the asked token, updates are versioned and merged onto
// the stored spec.
// Method: serve the Docker API over the FakeControlApi on a temp unix socket (the self node is a
// worker, as Shoal's nodes are) and run `docker -H unix://...`; raw requests for the errors.
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fullTokens } from '@shoal/gateway-control';
import { silentLogger } from '@shoal/logging';
import type { Cluster } from '@shoal/proto';
import { localEngineFacts } from './engine-facts';
import { startDockerApi, type DockerApiServer } from './server';
import { dockerCli, type CliResult } from './testing/docker-cli';
import { FakeControlApi } from './testing/fake-control-api';

const JOIN_ADDR = '10.1.2.3:4246';
let fake: FakeControlApi;
let server: DockerApiServer;
let socketPath: string;
let docker: (...args: string[]) => Promise<CliResult>;

function cluster(): Cluster {
  const c = [...fake.clusters.values()][0];
  if (c === undefined) throw new Error('the fake has no cluster');
  return c;
}

function tokens(): { worker: string; manager: string } {
  const t = fullTokens(cluster());
  if (t === undefined) throw new Error('the fake cluster has no root digest');
  return t;
}

function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: { 'Content-Type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

beforeAll(async () => {
  fake = new FakeControlApi();
  fake.addCluster();
  fake.addNode({ hostname: hostname() });
  fake.addNode({ hostname: 'node-b' });
  socketPath = join(mkdtempSync(join(tmpdir(), 'shoal-docker-swarm-')), 'docker.sock');
  server = await startDockerApi({
    control: fake.api, facts: localEngineFacts('0.0.0-test'), logger: silentLogger(), socketPath, joinAddr: JOIN_ADDR,
    unlockKey: async () => cluster().unlockKeys[0]?.key ?? Buffer.alloc(0),
  });
  docker = dockerCli(`unix://${socketPath}`);
});

afterAll(async () => {
  await server.close();
});

describe('docker swarm join-token', () => {
  it('prints the join command with the composed token and the join address', async () => {
    const r = await docker('swarm', 'join-token', 'worker');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('To add a worker to this swarm, run the following command:');
    expect(r.stdout).toContain(`docker swarm join --token ${tokens().worker} ${JOIN_ADDR}`);
    expect(tokens().worker).toMatch(/^SHLTKN-1-/);
    const m = await docker('swarm', 'join-token', 'manager');
    expect(m.stdout).toContain(`docker swarm join --token ${tokens().manager} ${JOIN_ADDR}`);
  });

  it('-q prints the token only', async () => {
    expect(await docker('swarm', 'join-token', '-q', 'worker')).toMatchObject({ code: 0, stdout: `${tokens().worker}\n` });
  });

  it('--rotate replaces the worker token only', async () => {
    const before = tokens();
    const r = await docker('swarm', 'join-token', '--rotate', 'worker');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Successfully rotated worker join token.');
    const after = tokens();
    expect(after.worker).not.toBe(before.worker);
    expect(after.manager).toBe(before.manager);
    expect(r.stdout).toContain(`docker swarm join --token ${after.worker} ${JOIN_ADDR}`);
  });

  it('the self node shows as a reachable manager at the join address', async () => {
    const r = await docker('node', 'inspect', 'self', '--format', '{{.ManagerStatus.Reachability}} {{.ManagerStatus.Addr}}');
    expect(r).toMatchObject({ code: 0, stdout: `reachable ${JOIN_ADDR}\n` });
    const ls = await docker('node', 'ls', '--format', '{{.Hostname}} {{.Self}} {{.ManagerStatus}}');
    expect(ls.stdout).toContain(`${hostname()} true Reachable\n`);
    expect(ls.stdout).toContain('node-b false \n');
  });
});

describe('docker swarm update', () => {
  it('--task-history-limit is stored and shown by docker info and GET /swarm', async () => {
    const version = cluster().meta?.version?.index ?? 0;
    expect(await docker('swarm', 'update', '--task-history-limit', '3')).toMatchObject({ code: 0, stdout: 'Swarm updated.\n' });
    const info = await docker('info', '--format', '{{.Swarm.Cluster.Spec.Orchestration.TaskHistoryRetentionLimit}}');
    expect(info.stdout).toBe('3\n');
    const swarm = JSON.parse((await call('GET', '/v1.41/swarm')).body) as { Version: { Index: number }; Spec: unknown };
    expect(swarm.Version.Index).toBeGreaterThan(version);
    expect(swarm.Spec).toMatchObject({ Name: 'default', Orchestration: { TaskHistoryRetentionLimit: 3 } });
  });

  it('maps heartbeat, certificate expiry and snapshot interval, keeping the rest', async () => {
    const r = await docker('swarm', 'update', '--dispatcher-heartbeat', '10s', '--cert-expiry', '48h', '--snapshot-interval', '5000');
    expect(r.code).toBe(0);
    const spec = cluster().spec;
    expect(spec?.dispatcher?.heartbeatPeriod).toEqual({ seconds: 10, nanos: 0 });
    expect(spec?.caConfig?.nodeCertExpiry).toEqual({ seconds: 48 * 3600, nanos: 0 });
    expect(spec?.raft?.snapshotInterval).toBe(5000);
    expect(spec?.orchestration?.taskHistoryRetentionLimit).toBe(3);
  });

  it('refuses what dockerd refuses: short certificates, a stale version, bad flags', async () => {
    const short = await docker('swarm', 'update', '--cert-expiry', '30m');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('Error response from daemon: minimum certificate expiry time is: 1h');
    const current = JSON.parse((await call('GET', '/swarm')).body) as { Version: { Index: number }; Spec: unknown };
    const stale = await call('POST', `/swarm/update?version=${current.Version.Index - 1}`, current.Spec);
    expect(stale).toMatchObject({ status: 409, body: expect.stringContaining('update out of sequence') });
    const badFlag = await call('POST', `/swarm/update?version=${current.Version.Index}&rotateWorkerToken=yes`, current.Spec);
    expect(badFlag).toMatchObject({ status: 400, body: expect.stringContaining('invalid value for rotateWorkerToken: yes') });
    const noVersion = await call('POST', '/swarm/update', current.Spec);
    expect(noVersion).toMatchObject({ status: 400, body: expect.stringContaining("invalid swarm version ''") });
  });

  it('rotates the manager token through the rotation flags', async () => {
    const before = tokens();
    const current = JSON.parse((await call('GET', '/swarm')).body) as { Version: { Index: number }; Spec: unknown };
    const r = await call('POST', `/swarm/update?version=${current.Version.Index}&rotateManagerToken=true&rotateWorkerToken=false`, current.Spec);
    expect(r.status).toBe(200);
    expect(tokens().worker).toBe(before.worker);
    expect(tokens().manager).not.toBe(before.manager);
  });
});

describe('docker swarm unlock-key', () => {
  it('says no key is set while autolock is off, and prints the key as dockerd formats it', async () => {
    const off = await docker('swarm', 'unlock-key', '-q');
    expect(off.code).not.toBe(0);
    expect(off.stderr).toMatch(/no unlock key is set/);
    const key = Buffer.from('0123456789abcdef0123456789abcdef');
    fake.clusters.set(cluster().id, { ...cluster(), unlockKeys: [{ subsystem: 'manager', algorithm: 0, key, lamportTime: 1 }] });
    const on = await docker('swarm', 'unlock-key', '-q');
    expect(on.stdout.trim()).toBe(`SWMKEY-1-${key.toString('base64').replace(/=+$/, '')}`);
    expect(JSON.parse((await call('GET', '/v1.41/swarm/unlockkey')).body)).toEqual({ UnlockKey: on.stdout.trim() });
  });
});
