// Goal: `docker swarm join-token --rotate` and `docker swarm update` work over the real Control
// API (its validation, versions and token rotation), not only over the fake.
// Method: an in-process store (LocalReplica behind gRPC) with a cluster written as the ca
// would, createControlApi as the gateway, the Docker API on a temp unix socket, the real CLI.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@shoal/clock';
import { createControlApi, fullTokens, type ControlApi } from '@shoal/gateway-control';
import { silentLogger } from '@shoal/logging';
import { Cluster } from '@shoal/proto';
import { SeededRandom } from '@shoal/random';
// The in-process store is scope:store/type:testing, which a gateway lib may not import; only
// this spec does, to run the Docker API against a real store.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createNodes, fixtureId, readyNode, startStoreFixture, type StoreFixture } from '@shoal/testing-store-fixture';
import { localEngineFacts } from './engine-facts';
import { startDockerApi, type DockerApiServer } from './server';
import { dockerCli, type CliResult } from './testing/docker-cli';

let fixture: StoreFixture;
let api: ControlApi;
let server: DockerApiServer;
let docker: (...args: string[]) => Promise<CliResult>;

async function workerToken(): Promise<string> {
  const cluster = (await api.listClusters({})).clusters[0];
  return (cluster === undefined ? undefined : fullTokens(cluster)?.worker) ?? '';
}

beforeAll(async () => {
  fixture = await startStoreFixture();
  await createNodes(fixture, [readyNode(fixtureId('n', 1))]);
  const cluster = Cluster.fromPartial({ id: fixtureId('c', 1), spec: { annotations: { name: 'default' } },
    rootCa: { caCertHash: `sha256:${'ab'.repeat(32)}`, caKey: Buffer.from('secret key') },
    joinTokens: { worker: '1'.repeat(25), manager: '2'.repeat(25) } });
  await fixture.client('ca').transaction([{ action: 'create', kind: 'cluster', object: cluster }], { writer: 'ca' });
  api = createControlApi({ store: fixture.client('gateway'), clock: new ManualClock(1_700_000_000_000),
    random: new SeededRandom(7), logger: silentLogger() });
  const socketPath = join(mkdtempSync(join(tmpdir(), 'shoal-docker-real-')), 'docker.sock');
  server = await startDockerApi({ control: api, facts: localEngineFacts('0.0.0-test'), logger: silentLogger(), socketPath });
  docker = dockerCli(`unix://${socketPath}`);
});

afterAll(async () => {
  await server.close();
  await fixture.stop();
});

describe('docker swarm over the real Control API', () => {
  it('join-token --rotate worker prints a new token at the default join address', async () => {
    const before = await workerToken();
    expect(before).toMatch(/^SHLTKN-1-[0-9a-z]{50}-1{25}$/);
    const r = await docker('swarm', 'join-token', '--rotate', 'worker');
    expect(r.code).toBe(0);
    const after = await workerToken();
    expect(after).not.toBe(before);
    expect(r.stdout).toContain(`docker swarm join --token ${after} 127.0.0.1:4246`);
  });

  it('update --task-history-limit 3 is stored; a too short --cert-expiry is refused', async () => {
    expect(await docker('swarm', 'update', '--task-history-limit', '3')).toMatchObject({ code: 0, stdout: 'Swarm updated.\n' });
    const info = await docker('info', '--format', '{{.Swarm.Cluster.Spec.Orchestration.TaskHistoryRetentionLimit}}');
    expect(info.stdout).toBe('3\n');
    const short = await docker('swarm', 'update', '--cert-expiry', '30m');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('Error response from daemon: minimum certificate expiry time is: 1h0m0s');
  });
});
