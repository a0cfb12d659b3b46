// Goal: each of the eight apps, built and started alone as its own process, answers
// /healthz, /metrics (with shoal_build_info) and gRPC health, and exits 0 on SIGTERM.
// Method: build the apps with Nx once, then for each app spawn `node dist/apps/<app>/main.js`
// on free ports, probe it over HTTP and gRPC, send SIGTERM and check the exit code.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { credentials, makeGenericClientConstructor, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import { HealthService } from '@shoal/proto-grpc';
import { HealthCheckResponse, HealthCheckResponse_ServingStatus } from '@shoal/proto';

const { APPS, TLS_ONLY_APPS, appArgs, startApp, stopApp } = require('./processes.cjs') as {
  APPS: string[];
  TLS_ONLY_APPS: string[];
  appArgs: (app: string, stateRoot: string, clusterDir?: string) => string[];
  startApp: (root: string, app: string, opts: { args: string[] }) => Promise<Proc>;
  stopApp: (proc: Proc) => Promise<number | null>;
};
interface Proc { app: string; grpcPort: number; httpPort: number }

const root = path.resolve(__dirname, '../../..');
const HealthClient = makeGenericClientConstructor(HealthService, 'grpc.health.v1.Health');

/** channelFor is plaintext, or mTLS with the app's own bundle for a TLS-only app. */
function channelFor(app: string): ChannelCredentials {
  if (!TLS_ONLY_APPS.includes(app)) return credentials.createInsecure();
  const dir = path.join(clusterDir, app);
  const read = (f: string) => fs.readFileSync(path.join(dir, f));
  return credentials.createSsl(read('ca.pem'), read('key.pem'), read('cert.pem'));
}

function grpcHealth(app: string, port: number): Promise<HealthCheckResponse> {
  const client = new HealthClient(`127.0.0.1:${port}`, channelFor(app),
    TLS_ONLY_APPS.includes(app) ? { 'grpc.ssl_target_name_override': app } : {});
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      HealthService.check.path,
      HealthService.check.requestSerialize,
      HealthService.check.responseDeserialize,
      { service: '' },
      { deadline: Date.now() + 5000 },
      (err: ServiceError | null, res?: HealthCheckResponse) => {
        client.close();
        if (err) reject(err);
        else resolve(res as HealthCheckResponse);
      },
    );
  });
}

const clusterDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-smoke-cluster-'));

beforeAll(() => {
  execSync(`npx nx run-many -t build -p ${APPS.join(' ')} --outputStyle=static`, {
    cwd: root,
    stdio: 'pipe',
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  // Certificates for the TLS-only apps, as `npm start` makes them.
  execSync(`node_modules/.bin/tsx --tsconfig tsconfig.base.json tools/cli/src/main.ts init --state-dir ${clusterDir}`,
    { cwd: root, stdio: 'pipe' });
}, 300_000);

afterAll(() => fs.rmSync(clusterDir, { recursive: true, force: true }));

describe.each(APPS)('app %s, built and started alone', (app) => {
  it('answers /healthz, /metrics and gRPC health, and exits 0 on SIGTERM', async () => {
    const stateRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-smoke-'));
    const args = ['--grpc-port=0', '--http-port=0', ...appArgs(app, stateRoot, clusterDir)];
    const proc = await startApp(root, app, { args });
    try {
      const health = await fetch(`http://127.0.0.1:${proc.httpPort}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', app });

      const metrics = await fetch(`http://127.0.0.1:${proc.httpPort}/metrics`);
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      expect(text).toMatch(new RegExp(`shoal_build_info\\{[^}]*app="${app}"[^}]*\\} 1`));
      expect(text).toContain('process_resident_memory_bytes');

      const grpc = await grpcHealth(app, proc.grpcPort);
      expect(grpc.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    } finally {
      expect(await stopApp(proc)).toBe(0);
      fs.rmSync(stateRoot, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('bad configuration', () => {
  it('exits 2 with a readable message and no stack trace', () => {
    const main = path.join(root, 'dist', 'apps', 'scheduler', 'main.js');
    let status = 0;
    let stderr = '';
    try {
      execSync(`${JSON.stringify(process.execPath)} ${main} --grpc-port=abc --log-levl=info`, {
        stdio: 'pipe',
      });
    } catch (err) {
      const failure = err as { status: number; stderr: Buffer };
      status = failure.status;
      stderr = failure.stderr.toString();
    }
    expect(status).toBe(2);
    expect(stderr).toContain('--grpc-port');
    expect(stderr).toContain('abc');
    expect(stderr).toContain('--log-levl');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('prints every option with --help', () => {
    const main = path.join(root, 'dist', 'apps', 'scheduler', 'main.js');
    const out = execSync(`${JSON.stringify(process.execPath)} ${main} --help`).toString();
    expect(out).toContain('--grpc-port');
    expect(out).toContain('SHOAL_GRPC_PORT');
    expect(out).toContain('4243');
  });
});
