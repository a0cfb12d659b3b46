// Goal: a process whose certificate is valid for 2 minutes renews it through the running ca
// while a client keeps calling it, with no failed RPC: the server and its client both renew
// (component certificates, new keys), the files are rewritten, calls in flight carry on over
// the open connection, and new connections present and see only the new certificates.
// Method: the same real cluster as the acceptance test (`shoal init`, a raft-store process,
// the ca in-process with --cert-validity-ms 120000), a grpc-js server with @shoal/tls's
// serverSecurity, four concurrent client loops. Time is compressed: the renewal loops run on
// a ManualClock's timers (their delays are computed with the real clock, 60-96 s away) and the
// test advances those timers by 2 minutes; everything else (TLS, the ca, signing) is real.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import type { ChildProcess } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import { bootstrapApp, type RunningApp } from '@shoal/bootstrap';
import { ManualClock } from '@shoal/clock';
import { bindServer, createGrpcServer } from '@shoal/grpc';
import { createLogger } from '@shoal/logging';
import { issueCertificate, peerIdentity, type Role } from '@shoal/pki';
import { HealthCheckRequest, HealthCheckResponse } from '@shoal/proto';
import { HealthClient, HealthService } from '@shoal/proto-grpc';
import { systemClock } from '@shoal/runtime';
import { channelCredentials, serverSecurity, startCertRenewal, type TlsMaterial } from '@shoal/tls';
import { createAppSpec } from './app';
import { bundleFlags, bundleMaterial, eventually, shoalInit, silent, startStore } from './testdata/cluster';

jest.setTimeout(180_000);

let dir: string;
let clusterId: string;
let store: { address: string; child: ChildProcess };
let ca: RunningApp;
const logger = createLogger({ app: 'ca', level: 'silent', destination: silent });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-renew-'));
  shoalInit(dir);
  clusterId = (JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as { clusterId: string }).clusterId;
  store = await startStore(dir);
  ca = await bootstrapApp(createAppSpec(), { argv: ['--grpc-port', '0', '--http-port', '0',
    '--store-endpoints', store.address, '--init-dir', dir, '--log-level', 'warn',
    '--cert-validity-ms', '120000', ...bundleFlags(join(dir, 'ca'))], env: {}, logDestination: silent });
}, 300_000);

afterAll(async () => {
  await ca?.close();
  store?.child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

/** shortLived writes a 2-minute certificate for `id` signed by the init root, and loads it. */
async function shortLived(id: string, role: Role): Promise<TlsMaterial> {
  const root = { certPem: readFileSync(join(dir, 'ca', 'ca.pem'), 'utf8'),
    keyPem: readFileSync(join(dir, 'ca', 'root-key.pem'), 'utf8') };
  const issued = await issueCertificate({ ca: root, clusterId, id, role, now: Date.now(),
    validityMs: 120_000, loopback: true });
  const bundleDir = join(dir, `short-${id}`);
  mkdirSync(bundleDir);
  writeFileSync(join(bundleDir, 'ca.pem'), root.certPem);
  writeFileSync(join(bundleDir, 'cert.pem'), issued.certPem);
  writeFileSync(join(bundleDir, 'key.pem'), issued.keyPem, { mode: 0o600 });
  return bundleMaterial(bundleDir);
}

function check(client: HealthClient): Promise<grpc.ServiceError | null> {
  return new Promise((resolve) => client.check(HealthCheckRequest.fromPartial({}), new grpc.Metadata(),
    { deadline: Date.now() + 10_000 }, (err) => resolve(err)));
}

/** presentedSerial is the serial of the certificate the server at `port` presents now. */
function presentedSerial(port: number, material: TlsMaterial): Promise<string> {
  const b = material.current();
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'scheduler', ca: b.caPem,
      cert: b.certPem, key: b.keyPem, ALPNProtocols: ['h2'] }, () => {
      resolve(socket.getPeerCertificate().serialNumber);
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

const normal = (serial: string): string => serial.toLowerCase().replace(/^0+/, '');

it('renews a server and its client with 2-minute certificates under load, no RPC failed', async () => {
  const server = await shortLived('scheduler', 'scheduler');
  const client = await shortLived('orchestrator', 'orchestrator');
  const callers: string[] = [];
  const security = serverSecurity(server);
  const grpcServer = createGrpcServer({ credentials: security.credentials, interceptors: security.interceptors });
  grpcServer.addService(HealthService, {
    check: (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      callers.push(peerIdentity(call).serial);
      cb(null, HealthCheckResponse.fromPartial({ status: 1 }));
    },
  } as unknown as grpc.UntypedServiceImplementation);
  const port = await bindServer(grpcServer, '127.0.0.1:0', security.credentials);
  const sec = channelCredentials(client, 'scheduler');
  const caller = new HealthClient(`127.0.0.1:${port}`, sec.credentials, sec.options);
  const old = { server: server.identity().serial, client: client.identity().serial };

  const timers = new ManualClock(Date.now());
  // A renewal call that fails (a loaded CI machine can miss its deadline) is retried after
  // 1 s of the manual clock, which the wait below keeps moving.
  const renewals = [server, client].map((m) => startCertRenewal(m, { logger, clock: systemClock,
    timers, caEndpoints: [`127.0.0.1:${ca.grpcPort}`], retryBaseMs: 1_000 }));
  let ok = 0;
  let running = true;
  const failed: grpc.ServiceError[] = [];
  const loops = [1, 2, 3, 4].map(async () => {
    while (running) {
      const err = await check(caller);
      if (err === null) ok++;
      else failed.push(err);
    }
  });
  await eventually(async () => { if (ok < 50) throw new Error('warming up'); });
  timers.advance(120_000); // both renewal points (60-96 s) are due: renew now, for real
  await eventually(async () => {
    timers.advance(2_000); // retries, if any, come due; a new certificate renews only 60 s on
    if (server.identity().serial === old.server || client.identity().serial === old.client) {
      throw new Error('not renewed yet');
    }
  });
  const afterRenewal = ok;
  await eventually(async () => { if (ok < afterRenewal + 50) throw new Error('calling on'); });

  const fresh = new HealthClient(`127.0.0.1:${port}`, sec.credentials,
    { ...sec.options, 'grpc.use_local_subchannel_pool': 1 });
  expect(await check(fresh)).toBeNull();
  expect(callers[callers.length - 1]).toBe(client.identity().serial);
  expect(normal(await presentedSerial(port, client))).toBe(normal(server.identity().serial));
  expect(readFileSync(server.files.certFile, 'utf8')).toBe(server.current().certPem);
  expect(readFileSync(client.files.keyFile, 'utf8')).toBe(client.current().keyPem);

  running = false;
  await Promise.all(loops);
  expect(failed).toEqual([]);
  expect(callers.slice(0, 10)).toEqual(Array(10).fill(old.client));
  await Promise.all(renewals.map((r) => r.stop()));
  caller.close();
  fresh.close();
  grpcServer.forceShutdown();
});
