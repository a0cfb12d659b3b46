// Goal: the api-gateway app serves the Docker Engine API on its socket, so the real docker CLI
// works end to end over the real Control API and store: with no store reachable it still
// starts and answers _ping/version, with cluster calls failing 503-style; with a store and the
// manager loops, `docker service create` converges and scale/update/drain/rm behave.
// Method: the app in-process through the shared bootstrap (its own flags); an in-process store
// (LocalReplica behind gRPC) with the orchestrator, allocator and scheduler loops, the test
// playing the agents (ASSIGNED -> RUNNING); `docker -H unix://<socket>` as a child process.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { bootstrapApp, type RunningApp } from '@shoal/bootstrap';
import { dockerCli } from '@shoal/docker-api';
import { createRootCa, issueCertificate, type RootCa, type Role } from '@shoal/pki';
import { systemClock, systemTimers } from '@shoal/runtime';
// The in-process store and the loops are other scopes; only this spec puts them together with
// the gateway, as the deployed processes are.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createAllocatorLoop } from '@shoal/allocator-loop';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createOrchestratorLoop } from '@shoal/orchestrator-loop';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createSchedulerLoop } from '@shoal/scheduler-loop';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createNodes, fixtureId, readyNode, runAssignedTasks, startStoreFixture, type StoreFixture } from '@shoal/testing-store-fixture';
import { createAppSpec } from './app';

const quiet = new Writable({ write: (_chunk, _enc, done) => done() });

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function startGateway(stateDir: string, storeArgs: string[]): Promise<RunningApp> {
  return bootstrapApp(createAppSpec(), {
    argv: ['--grpc-port=0', '--http-port=0', `--state-dir=${stateDir}`, ...storeArgs], logDestination: quiet,
  });
}

describe('api-gateway without a store', () => {
  it('starts on a stale socket, answers version, fails cluster calls 503-style, removes the socket on stop', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'shoal-gateway-'));
    const socket = join(stateDir, 'docker.sock');
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socket)}, () => process.exit(0))`]);
    const app = await startGateway(stateDir, [`--store-endpoints=127.0.0.1:${await closedPort()}`]);
    try {
      const docker = dockerCli(`unix://${socket}`);
      expect(await docker('version', '--format', '{{.Server.APIVersion}}')).toMatchObject({ code: 0, stdout: '1.41\n' });
      const ls = await docker('service', 'ls');
      expect(ls.code).toBe(1);
      expect(ls.stderr).toContain('Error response from daemon: the cluster is unavailable');
    } finally {
      await app.close();
    }
    expect(existsSync(socket)).toBe(false);
  });
});

describe('api-gateway with TLS files and --docker-tcp-port', () => {
  async function bundle(dir: string, root: RootCa, id: string, role: Role): Promise<string> {
    const path = mkdtempSync(join(dir, `${id}-`));
    const issued = await issueCertificate({ ca: root, clusterId: 'testcluster', id, role, now: Date.now(), loopback: true });
    writeFileSync(join(path, 'ca.pem'), root.certPem);
    writeFileSync(join(path, 'cert.pem'), issued.certPem);
    writeFileSync(join(path, 'key.pem'), issued.keyPem);
    return path;
  }

  it('serves the docker CLI over TLS to admin certificates only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-gateway-tls-'));
    const root = await createRootCa({ clusterId: 'testcluster', now: Date.now() });
    const gw = await bundle(dir, root, 'gateway', 'gateway');
    const port = await closedPort();
    const app = await startGateway(dir, [`--store-endpoints=127.0.0.1:${await closedPort()}`, `--docker-tcp-port=${port}`,
      `--tls-ca-file=${join(gw, 'ca.pem')}`, `--tls-cert-file=${join(gw, 'cert.pem')}`, `--tls-key-file=${join(gw, 'key.pem')}`]);
    try {
      const admin = dockerCli(`tcp://127.0.0.1:${port}`, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: await bundle(dir, root, 'admin', 'admin') });
      expect(await admin('version', '--format', '{{.Server.APIVersion}}')).toMatchObject({ code: 0, stdout: '1.41\n' });
      const worker = dockerCli(`tcp://127.0.0.1:${port}`, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: await bundle(dir, root, 'w1', 'worker') });
      expect((await worker('version')).stderr).toContain('needs an admin certificate');
    } finally {
      await app.close();
    }
  });

  it('refuses --docker-tcp-port without the TLS files', async () => {
    await expect(startGateway(mkdtempSync(join(tmpdir(), 'shoal-gateway-')), ['--docker-tcp-port=1']))
      .rejects.toThrow('the Docker API over TCP needs --tls-ca-file, --tls-cert-file and --tls-key-file');
  });
});

describe('api-gateway over a store with the manager loops', () => {
  let fixture: StoreFixture;
  let app: RunningApp;
  let stopAgents = false;
  let agents: Promise<void> = Promise.resolve();
  const loops: { stop(): Promise<void> }[] = [];
  let docker: ReturnType<typeof dockerCli>;

  beforeAll(async () => {
    fixture = await startStoreFixture();
    await createNodes(fixture, [readyNode(fixtureId('n', 1)), readyNode(fixtureId('n', 2))]);
    const batching = { debounceGapMs: 5, maxLatencyMs: 50 };
    for (const kind of ['orchestrator', 'allocator', 'scheduler'] as const) {
      const common = { store: fixture.client(kind), holder: kind, clock: systemClock, timers: systemTimers, leaseTtlMs: 1_000, batching };
      const loop = kind === 'orchestrator' ? createOrchestratorLoop(common)
        : kind === 'allocator' ? createAllocatorLoop(common) : createSchedulerLoop(common);
      loop.start();
      loops.push(loop);
    }
    const dispatcher = fixture.client('dispatcher');
    agents = (async () => {
      while (!stopAgents) {
        await runAssignedTasks(dispatcher, await dispatcher.findTasks());
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const stateDir = mkdtempSync(join(tmpdir(), 'shoal-gateway-'));
    app = await startGateway(stateDir, [`--store-endpoints=${fixture.address}`, '--test-identity']);
    docker = dockerCli(`unix://${join(stateDir, 'docker.sock')}`);
  });

  afterAll(async () => {
    await app.close();
    stopAgents = true;
    await agents;
    await Promise.all(loops.map((l) => l.stop()));
    await fixture.stop();
  });

  it('service create converges; ls 3/3; ps names web.1..3', async () => {
    const created = await docker('service', 'create', '--replicas', '3', '--name', 'web', 'local/busybox:1', 'sleep', '1000');
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect((await docker('service', 'ls', '--format', '{{.Name}} {{.Replicas}}')).stdout).toBe('web 3/3\n');
    const ps = await docker('service', 'ps', 'web', '--format', '{{.Name}} {{.CurrentState}}');
    expect(ps.stdout.trim().split('\n').map((l) => l.split(' ').slice(0, 2).join(' ')).sort())
      .toEqual(['web.1 Running', 'web.2 Running', 'web.3 Running']);
  }, 60_000);

  it('scale to 5, update --force, inspect, bad input, drain, rm', async () => {
    const scaled = await docker('service', 'scale', 'web=5');
    expect(scaled).toMatchObject({ code: 0, stderr: '' });
    expect((await docker('service', 'ls', '--format', '{{.Replicas}}')).stdout).toBe('5/5\n');
    const forced = await docker('service', 'update', '--force', '--update-parallelism', '5', 'web');
    expect(forced.code).toBe(0);
    expect((await docker('service', 'inspect', 'web', '--format', '{{.Spec.TaskTemplate.ForceUpdate}} {{.Spec.UpdateConfig.Parallelism}}')).stdout)
      .toBe('1 5\n');
    const bad = await docker('service', 'create', '-d', '--name', 'c', '--constraint', 'node.role>manager', 'local/busybox:1');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Error response from daemon:');
    const node = fixtureId('n', 2);
    expect((await docker('node', 'update', '--availability', 'drain', node)).code).toBe(0);
    expect((await docker('node', 'inspect', node, '--format', '{{.Spec.Availability}}')).stdout).toBe('drain\n');
    expect((await docker('service', 'rm', 'web')).code).toBe(0);
    expect((await docker('service', 'ls', '-q')).stdout).toBe('');
  }, 90_000);
});
