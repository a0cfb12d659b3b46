// Goal: a raft-store cluster served over mutual TLS authenticates every caller by certificate:
// a worker certificate may not read or write the Store (PERMISSION_DENIED naming role and
// method), a component may not write a field it does not own (the scheduler writing
// Task.desired_state), writes sent to a follower reach the leader over mTLS with the member's
// own `store` certificate, and a client without a certificate cannot connect at all.
// Method: three members started in-process with the shared bootstrap on free loopback ports,
// each with its own `store-N` certificate from a real root (@shoal/pki), driven by
// @shoal/store-client with @shoal/tls channel credentials.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { bootstrapApp, type RunningApp } from '@shoal/bootstrap';
import { isShoalError, type ShoalError } from '@shoal/errors';
import { createRootCa, issueCertificate, type RootCa, type Role } from '@shoal/pki';
import { Task, TaskState } from '@shoal/proto';
import { connectStore, type StoreClient } from '@shoal/store-client';
import { channelCredentials, loadTlsMaterial } from '@shoal/tls';
import { createAppSpec } from './app';
import { freePort } from './testdata/cluster';

jest.setTimeout(120_000);

const CLUSTER = 'testcluster';
const silent = new Writable({ write: (_c, _e, done) => done() });
let root: RootCa;
let dir: string;
const apps: RunningApp[] = [];
const addresses: string[] = [];
const clients: StoreClient[] = [];

async function bundle(name: string, id: string, role: Role): Promise<string[]> {
  const issued = await issueCertificate({ ca: root, clusterId: CLUSTER, id, role, now: Date.now(),
    loopback: role === 'store' });
  const files = ['ca', 'cert', 'key'].map((f) => join(dir, `${name}-${f}.pem`));
  writeFileSync(files[0] as string, root.certPem);
  writeFileSync(files[1] as string, issued.certPem);
  writeFileSync(files[2] as string, issued.keyPem, { mode: 0o600 });
  return files;
}

async function client(id: string, role: Role, endpoints = addresses): Promise<StoreClient> {
  const [tlsCaFile, tlsCertFile, tlsKeyFile] = await bundle(`${id}-client`, id, role);
  const material = loadTlsMaterial({ tlsCaFile, tlsCertFile, tlsKeyFile });
  if (material === undefined) throw new Error('no material');
  const c = connectStore({ endpoints, credentials: channelCredentials(material, 'store') });
  clients.push(c);
  return c;
}

async function failure(promise: Promise<unknown>): Promise<ShoalError> {
  try {
    await promise;
  } catch (err) {
    if (isShoalError(err)) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

function id(n: number): string {
  return `0${n.toString(36).padStart(24, '0')}`;
}

function task(n: number): Task {
  return Task.fromPartial({ id: id(n + 100), serviceId: id(9),
    slot: n, desiredState: TaskState.RUNNING, serviceAnnotations: { name: 'svc', labels: {} } });
}

/** firstWrite creates task 0, retrying while the members elect a leader. */
async function firstWrite(): Promise<void> {
  const orchestrator = await client('orchestrator', 'orchestrator');
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await orchestrator.transaction([{ action: 'create', kind: 'task', object: task(0) }],
        { writer: 'orchestrator' });
      return;
    } catch (err) {
      if (Date.now() > deadline || !isShoalError(err) || err.code === 'INVALID_ARGUMENT') throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

beforeAll(async () => {
  root = await createRootCa({ clusterId: CLUSTER, now: Date.now() });
  dir = mkdtempSync(join(tmpdir(), 'shoal-store-tls-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  ports.forEach((p) => addresses.push(`127.0.0.1:${p}`));
  const members = addresses.map((a, i) => `${i + 1}=${a}`).join(',');
  const started = await Promise.all(ports.map(async (port, i) => {
    const [ca, cert, key] = await bundle(`store-${i + 1}`, `store-${i + 1}`, 'store');
    const argv = ['--node-id', String(i + 1), '--members', members, '--grpc-port', String(port),
      '--http-port', '0', '--state-dir', join(dir, `state-${i + 1}`), '--log-level', 'warn',
      '--tls-ca-file', ca as string, '--tls-cert-file', cert as string, '--tls-key-file', key as string];
    return bootstrapApp(createAppSpec(), { argv, env: {}, logDestination: silent });
  }));
  apps.push(...started);
  await firstWrite();
}, 180_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(apps.map((a) => a.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('raft-store over mutual TLS', () => {
  it('refuses a worker certificate on Store reads and writes, naming role and method', async () => {
    const worker = await client('k3v9worker', 'worker');
    const read = await failure(worker.get('task', task(0).id));
    expect(read.code).toBe('PERMISSION_DENIED');
    expect(read.message).toContain('role "worker" may not call /shoal.v1.Store/Get');
    const write = await failure(worker.transaction(
      [{ action: 'create', kind: 'task', object: task(1) }], { writer: 'dispatcher' }));
    expect(write.code).toBe('PERMISSION_DENIED');
    expect(write.message).toContain('/shoal.v1.Store/Transaction');
  });

  it('refuses a field the certificate role does not own, and the writer it is not', async () => {
    const scheduler = await client('scheduler', 'scheduler');
    const err = await failure(scheduler.update('task', task(0).id,
      (t) => ({ ...t, desiredState: TaskState.SHUTDOWN }), { writer: 'scheduler' }));
    expect(err.code).toBe('PERMISSION_DENIED');
    expect(err.details?.['field']).toBe('desired_state');
    const posing = await failure(scheduler.transaction(
      [{ action: 'create', kind: 'task', object: task(2) }], { writer: 'orchestrator' }));
    expect(posing.code).toBe('PERMISSION_DENIED');
    expect(posing.details?.['field']).toBe('writer');
    const ok = await scheduler.update('task', task(0).id, (t) => ({ ...t, nodeId: id(5) }),
      { writer: 'scheduler' });
    expect(ok.nodeId).toBe(id(5));
  });

  it('forwards writes sent to every member (followers included) over mTLS', async () => {
    for (const [i, address] of addresses.entries()) {
      const orchestrator = await client(`orchestrator`, 'orchestrator', [address]);
      const result = await orchestrator.transaction(
        [{ action: 'create', kind: 'task', object: task(10 + i) }], { writer: 'orchestrator' });
      expect(result.version).toBeGreaterThan(0);
    }
  });

  it('refuses clients without a certificate, and the test identity header from any client', async () => {
    const header = connectStore({ endpoints: addresses, identityForTests: 'orchestrator',
      deadlineMs: 2_000 });
    clients.push(header);
    const err = await failure(header.get('task', task(0).id));
    expect(['UNAVAILABLE', 'DEADLINE_EXCEEDED']).toContain(err.code);
    const [tlsCaFile, tlsCertFile, tlsKeyFile] = await bundle('claims', 'scheduler', 'scheduler');
    const material = loadTlsMaterial({ tlsCaFile, tlsCertFile, tlsKeyFile });
    if (material === undefined) throw new Error('no material');
    const claiming = connectStore({ endpoints: addresses, identityForTests: 'gateway',
      credentials: channelCredentials(material, 'store') });
    clients.push(claiming);
    const refused = await failure(claiming.get('task', task(0).id));
    expect(refused.code).toBe('UNAUTHENTICATED');
    expect(refused.message).toContain('x-shoal-test-identity is refused');
  });
});
