// Goal: the cluster commands do what an operator expects: `join-token` shows the whole token
// and the join command (`--quiet` the token only, `--rotate` a new one); `cluster update`
// changes only the flags given and reports the gateway's refusal as one line; `store members`
// and `status` print the raft group, nodes and services; `node join` checks the token and
// prints the node-agent command; over real mTLS with `shoal init`'s bundles, `join-token`
// reaches the gateway and an unreachable gateway exits 69 with "cannot reach". Method: runCli
// in-process against the Control API over an in-process store (and, for TLS, the Control
// gRPC binding served with the gateway bundle).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server, UntypedServiceImplementation } from '@grpc/grpc-js';
import { ManualClock } from '@shoal/clock';
import { ShoalError } from '@shoal/errors';
import { controlGrpcBinding, createControlApi, type ControlApi } from '@shoal/gateway-control';
import { bindServer, createGrpcServer, shutdownServer } from '@shoal/grpc';
import { silentLogger } from '@shoal/logging';
import { createMetrics } from '@shoal/metrics';
import { readCertBundle, serverCredentials } from '@shoal/pki';
import { Cluster, RaftMemberStatus_Reachability, ServiceSpec } from '@shoal/proto';
import { SeededRandom } from '@shoal/random';
import type { StoreClient } from '@shoal/store-client';
// The in-process store is scope:store/type:testing; only this spec imports it.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createNodes, fixtureId, readyNode, startStoreFixture, type StoreFixture } from '@shoal/testing-store-fixture';
import { runCli, type CliIo } from './cli';
import type { ClusterLink } from './link';

jest.setTimeout(120_000);

let fixture: StoreFixture;
let api: ControlApi;
let out: string[];
let err: string[];

const changes: string[] = [];
const members = {
  addMember: async (r: { nodeId: string; addr: string; learner: boolean }) => {
    changes.push(`add ${r.nodeId} ${r.addr} ${r.learner}`);
    return { raftId: 7, members: [] };
  },
  removeMember: async (raftId: number) => {
    changes.push(`remove ${raftId}`);
  },
  listMembers: async () => ({ leader: 2, removedMembers: [4], members: [
    { raftId: 1, nodeId: 'store-1', addr: '127.0.0.1:4240', status: { leader: false,
      reachability: RaftMemberStatus_Reachability.REACHABLE, message: '' } },
    { raftId: 2, nodeId: 'store-2', addr: '127.0.0.1:4248', status: { leader: true,
      reachability: RaftMemberStatus_Reachability.REACHABLE, message: '' } },
  ] }),
} as unknown as StoreClient;

function io(): CliIo {
  const link = async (): Promise<ClusterLink> => ({ control: api, store: async () => members, close: () => undefined });
  return { now: () => Date.now(), random: new SeededRandom(5), print: (l) => out.push(l), err: (l) => err.push(l),
    env: {}, link };
}

beforeEach(async () => {
  out = [];
  err = [];
  fixture = await startStoreFixture();
  api = createControlApi({ store: fixture.client('gateway'), clock: new ManualClock(0), random: new SeededRandom(9),
    logger: silentLogger() });
  const cluster = Cluster.fromPartial({ id: fixtureId('c', 1), spec: { annotations: { name: 'default' } },
    rootCa: { caCertHash: `sha256:${'cd'.repeat(32)}` }, joinTokens: { worker: '3'.repeat(25), manager: '4'.repeat(25) } });
  await fixture.client('ca').transaction([{ action: 'create', kind: 'cluster', object: cluster }], { writer: 'ca' });
});
afterEach(() => fixture.stop());

describe('join-token', () => {
  it('prints the whole token and the join command; --quiet the token only', async () => {
    expect(await runCli(['join-token', 'worker'], io())).toBe(0);
    const token = out.join('\n').match(/SHLTKN-1-[0-9a-z]{50}-3{25}/)?.[0];
    expect(token).toBeDefined();
    expect(out.join('\n')).toContain('shoal node join --join-token');
    out = [];
    expect(await runCli(['join-token', 'manager', '--quiet'], io())).toBe(0);
    expect(out).toEqual([expect.stringMatching(/^SHLTKN-1-[0-9a-z]{50}-4{25}$/)]);
  });

  it('--rotate replaces only that token', async () => {
    await runCli(['join-token', 'worker', '--quiet'], io());
    await runCli(['join-token', 'manager', '--quiet'], io());
    const [worker, manager] = out;
    out = [];
    expect(await runCli(['join-token', 'worker', '--rotate', '--quiet'], io())).toBe(0);
    expect(out[0]).not.toBe(worker);
    out = [];
    await runCli(['join-token', 'manager', '--quiet'], io());
    expect(out[0]).toBe(manager);
  });
});

describe('cluster', () => {
  it('updates only the settings given', async () => {
    expect(await runCli(['cluster', 'update', '--heartbeat-period', '10s', '--task-history-limit', '3'], io())).toBe(0);
    out = [];
    expect(await runCli(['cluster', 'inspect'], io())).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/heartbeat period: +10s/);
    expect(text).toMatch(/task history limit: +3\n/);
    expect(text).toMatch(/node cert expiry: +2160h0m0s \(default\)/);
  });

  it("reports the gateway's refusal as one line, and no flags as a usage error", async () => {
    expect(await runCli(['cluster', 'update', '--cert-expiry', '30m'], io())).toBe(1);
    expect(err).toEqual(['shoal cluster update: minimum certificate expiry time is: 1h0m0s']);
    expect(await runCli(['cluster', 'update'], io())).toBe(64);
  });
});

describe('store members and status', () => {
  it('lists the raft group with its leader', async () => {
    expect(await runCli(['store', 'members', 'list'], io())).toBe(0);
    expect(out[0]).toMatch(/^RAFT ID +NODE +ADDRESS +STATUS$/);
    expect(out[2]).toMatch(/^2 +store-2 +127\.0\.0\.1:4248 +leader, reachable$/);
    expect(out[3]).toBe('removed raft IDs: 4');
  });

  it('adds and removes members', async () => {
    expect(await runCli(['store', 'members', 'add', '--node-id', 'store-4', '--addr', '10.0.0.4:4240', '--learner'],
      io())).toBe(0);
    expect(out).toEqual(['added store-4 at 10.0.0.4:4240 as raft ID 7 (learner)']);
    expect(await runCli(['store', 'members', 'remove', '--raft-id', '3'], io())).toBe(0);
    expect(changes).toEqual(['add store-4 10.0.0.4:4240 true', 'remove 3']);
    expect(await runCli(['store', 'members', 'remove'], io())).toBe(64);
  });

  it('summarises store, nodes and services', async () => {
    await createNodes(fixture, [readyNode(fixtureId('n', 1))]);
    await api.createService({ spec: ServiceSpec.fromPartial({ annotations: { name: 'web' },
      task: { runtime: { $case: 'container', container: { image: 'busybox' } } } }) });
    expect(await runCli(['status'], io())).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('store: 2 members, leader 2 (127.0.0.1:4248)');
    expect(text).toContain('nodes: 1 (1 ready)');
    expect(text).toMatch(/web +replicated +0\/1 +busybox/);
  });
});

describe('status with parts down', () => {
  it('reports an unreachable gateway beside the store, and fails when nothing answers', async () => {
    const down = new Proxy({}, { get: () => async () => { throw ShoalError.unavailable('connection refused'); } });
    const storeDown = { listMembers: async () => { throw ShoalError.unavailable('no store'); } } as unknown as StoreClient;
    const base = io();
    const half: CliIo = { ...base, link: async () => ({ control: down as ControlApi, store: async () => members,
      close: () => undefined }) };
    expect(await runCli(['status'], half)).toBe(0);
    expect(out.at(-1)).toBe('gateway: unreachable at 127.0.0.1:4241: connection refused');
    const none: CliIo = { ...base, link: async () => ({ control: down as ControlApi, store: async () => storeDown,
      close: () => undefined }) };
    expect(await runCli(['status'], none)).toBe(1);
    expect(err.at(-1)).toBe('shoal status: the cluster does not answer');
  });
});

describe('node join', () => {
  const token = `SHLTKN-1-${'1'.repeat(50)}-${'2'.repeat(25)}`;
  it('prints the node-agent command with the token in its environment', async () => {
    expect(await runCli(['node', 'join', '--join-token', token, '--state-dir', '/var/lib/shoal-node',
      '--executor', 'process'], io())).toBe(0);
    expect(out.join('\n')).toContain(`SHOAL_JOIN_TOKEN=${token} node dist/apps/node-agent/main.js ` +
      '--state-dir=/var/lib/shoal-node --ca-endpoints=127.0.0.1:4246 --dispatcher-endpoints=127.0.0.1:4245 ' +
      '--executor=process');
  });

  it('refuses a malformed token and a missing node-agent', async () => {
    expect(await runCli(['node', 'join', '--join-token', 'nope', '--state-dir', '/x'], io())).toBe(64);
    expect(err[0]).toMatch(/^shoal node join: invalid join token/);
    expect(await runCli(['node', 'join', '--join-token', token, '--state-dir', '/x', '--run',
      '--agent', '/nonexistent/main.js'], io())).toBe(1);
  });
});

describe('over mTLS with the state directory', () => {
  let dir: string;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shoal-cli-'));
    const quiet = { now: () => Date.now(), random: new SeededRandom(2), print: () => undefined,
      err: () => undefined, env: {} };
    expect(await runCli(['init', '--state-dir', dir, '--store-members', '1'], quiet)).toBe(0);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reaches the gateway with the admin bundle, and says so when it cannot', async () => {
    server = createGrpcServer({ metrics: createMetrics({ app: 'cli-test', version: '0', collectDefaults: false }),
      credentials: serverCredentials(await readCertBundle(join(dir, 'gateway'))) });
    const binding = controlGrpcBinding(api);
    server.addService(binding.definition, binding.implementation as UntypedServiceImplementation);
    port = await bindServer(server, '127.0.0.1:0');
    const plain = { ...io(), link: undefined };
    expect(await runCli(['join-token', 'worker', '--quiet', '--state-dir', dir, '--gateway', `127.0.0.1:${port}`],
      plain)).toBe(0);
    expect(out[0]).toMatch(/^SHLTKN-1-/);
    await shutdownServer(server, 200);
    expect(await runCli(['join-token', 'worker', '--state-dir', dir, '--gateway', `127.0.0.1:${port}`,
      '--timeout', '2s'], plain)).toBe(69);
    expect(err.at(-1)).toMatch(/^shoal join-token worker: cannot reach the api-gateway at 127\.0\.0\.1:\d+: /);
  });
});
