// Goal: the real docker CLI (28.x) works against the gateway's Docker API unchanged.
// Method: serve the Docker API over the in-memory FakeControlApi on a temp unix socket and run
// `docker -H unix://...` for each command the issue names, checking output and exit codes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShoalError } from '@shoal/errors';
import { silentLogger } from '@shoal/logging';
import { NodeRole } from '@shoal/proto';
import { localEngineFacts } from './engine-facts';
import { startDockerApi, type DockerApiServer } from './server';
import { dockerCli, type CliResult } from './testing/docker-cli';
import { FakeControlApi } from './testing/fake-control-api';

let fake: FakeControlApi;
let server: DockerApiServer;
let docker: (...args: string[]) => Promise<CliResult>;

beforeAll(async () => {
  fake = new FakeControlApi();
  fake.addCluster();
  fake.addNode({ hostname: hostname(), role: NodeRole.MANAGER });
  fake.addNode({ hostname: 'node-b' });
  const socketPath = join(mkdtempSync(join(tmpdir(), 'shoal-docker-api-')), 'docker.sock');
  server = await startDockerApi({ control: fake.api, facts: localEngineFacts('0.0.0-test'), logger: silentLogger(), socketPath });
  docker = dockerCli(`unix://${socketPath}`);
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  fake.failure = undefined;
});

function lines(r: CliResult): string[] {
  return r.stdout.trim().split('\n');
}

describe('docker CLI against the gateway', () => {
  it('version and info: the CLI negotiates 1.41 and sees a swarm manager', async () => {
    const version = await docker('version', '--format', '{{.Server.APIVersion}} {{.Client.APIVersion}}');
    expect(version).toMatchObject({ code: 0, stdout: '1.41 1.41\n' });
    const info = await docker('info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.Nodes}}');
    expect(info).toMatchObject({ code: 0, stdout: 'active true 2\n' });
  });

  it('service create waits for convergence, then ls shows 3/3 and ps names web.1..3', async () => {
    const created = await docker('service', 'create', '--replicas', '3', '--name', 'web', 'local/busybox:1', 'sleep', '1000');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('converged');
    expect(created.stderr).not.toContain('could not be accessed on a registry');
    const ls = await docker('service', 'ls', '--format', '{{.Name}} {{.Replicas}} {{.Image}}');
    expect(ls.stdout).toBe('web 3/3 local/busybox:1\n');
    const ps = await docker('service', 'ps', 'web', '--format', '{{.Name}} {{.DesiredState}} {{.CurrentState}}');
    expect(lines(ps).map((l) => l.split(' ').slice(0, 3).join(' ')).sort()).toEqual(
      ['web.1 Running Running', 'web.2 Running Running', 'web.3 Running Running']);
  });

  it('scale, update --image and update --force replace tasks; inspect shows the new spec', async () => {
    expect((await docker('service', 'scale', 'web=5', '-d')).code).toBe(0);
    expect((await docker('service', 'ls', '--format', '{{.Replicas}}')).stdout).toBe('5/5\n');
    expect((await docker('service', 'update', '--image', 'local/busybox:2', '-d', 'web')).code).toBe(0);
    const before = fake.tasksOf([...fake.services.values()][0]?.id ?? '').length;
    expect((await docker('service', 'update', '--force', '-d', 'web')).code).toBe(0);
    expect(fake.tasksOf([...fake.services.values()][0]?.id ?? '').length).toBe(before + 5);
    const inspect = await docker('service', 'inspect', 'web', '--format',
      '{{.Spec.TaskTemplate.ContainerSpec.Image}} {{.Spec.TaskTemplate.ForceUpdate}} {{.Spec.Mode.Replicated.Replicas}}');
    expect(inspect.stdout).toBe('local/busybox:2 1 5\n');
    const running = await docker('service', 'ps', 'web', '--filter', 'desired-state=running', '--format', '{{.Image}}');
    expect(lines(running)).toEqual(Array(5).fill('local/busybox:2'));
  });

  it('node ls, inspect self, update --availability drain, rm', async () => {
    const ls = await docker('node', 'ls', '--format', '{{.Hostname}} {{.Status}} {{.Availability}} {{.Self}}');
    expect(lines(ls).sort()).toEqual([`${hostname()} Ready Active true`, 'node-b Ready Active false'].sort());
    expect((await docker('node', 'inspect', 'self', '--format', '{{.Description.Hostname}}')).stdout).toBe(`${hostname()}\n`);
    expect((await docker('node', 'update', '--availability', 'drain', 'node-b')).code).toBe(0);
    expect((await docker('node', 'inspect', 'node-b', '--format', '{{.Spec.Availability}}')).stdout).toBe('drain\n');
    const refused = await docker('node', 'rm', 'node-b');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("is not down and can't be removed");
    expect((await docker('node', 'rm', '--force', 'node-b')).code).toBe(0);
    expect(lines(await docker('node', 'ls', '-q'))).toHaveLength(1);
  });

  it('bad input reads like dockerd: image format, name conflict, constraint operator, replicas -1', async () => {
    const image = await docker('service', 'create', '-d', '--name', 'bad', 'Bad:Image!');
    expect(image.code).toBe(1);
    expect(image.stderr).toContain('Error response from daemon: ContainerSpec: "Bad:Image!" is not a valid repository/tag');
    const conflict = await docker('service', 'create', '-d', '--name', 'web', 'local/busybox:1');
    expect(conflict.stderr).toContain('name conflicts with an existing object: service web already exists');
    const constraint = await docker('service', 'create', '-d', '--name', 'c', '--constraint', 'node.role>manager', 'local/busybox:1');
    expect(constraint.stderr).toContain('constraint expected one operator from ==, !=');
    const replicas = await docker('service', 'create', '-d', '--replicas', '-1', 'local/busybox:1');
    expect(replicas.code).toBe(125);
    const missing = await docker('service', 'inspect', 'nope');
    expect(missing.code).toBe(1);
  });

  it('networks, secrets and configs: create, ls, inspect, rm', async () => {
    expect((await docker('network', 'create', '-d', 'overlay', '--attachable', 'mynet')).code).toBe(0);
    expect((await docker('network', 'ls', '--format', '{{.Name}} {{.Driver}} {{.Scope}}')).stdout).toBe('mynet overlay swarm\n');
    const local = await docker('network', 'create', 'plain');
    expect(local.stderr).toContain('use --driver overlay');
    expect((await docker('network', 'rm', 'mynet')).stdout).toBe('mynet\n');
    const secret = await dockerWithInput(['secret', 'create', 'mysecret', '-'], 's3cr3t');
    expect(secret.code).toBe(0);
    expect((await docker('secret', 'ls', '--format', '{{.Name}}')).stdout).toBe('mysecret\n');
    expect((await docker('secret', 'rm', 'mysecret')).code).toBe(0);
    expect((await dockerWithInput(['config', 'create', 'myconf', '-'], 'a=1')).code).toBe(0);
    expect((await docker('config', 'inspect', 'myconf', '--format', '{{printf "%s" .Spec.Data}}')).stdout).toBe('a=1\n');
    expect((await docker('config', 'rm', 'myconf')).code).toBe(0);
  });

  it('service rm removes by name; logs are refused clearly', async () => {
    const logs = await docker('service', 'logs', 'web');
    expect(logs.code).toBe(1);
    expect(logs.stderr).toContain('service logs are not available through Shoal yet');
    expect((await docker('service', 'rm', 'web')).code).toBe(0);
    expect((await docker('service', 'ls', '-q')).stdout).toBe('');
  });

  it('with the store unreachable: ping and version work, cluster calls fail 503-style', async () => {
    fake.failure = ShoalError.unavailable('no raft-store member answered');
    expect((await docker('version', '--format', '{{.Server.Version}}')).stdout).toBe('0.0.0-test\n');
    const ls = await docker('service', 'ls');
    expect(ls.code).toBe(1);
    expect(ls.stderr).toContain('Error response from daemon: the cluster is unavailable (no raft-store leader reachable): '
      + 'no raft-store member answered');
    const info = await docker('info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.Error}}');
    expect(info.stdout).toContain('error the cluster is unavailable (no raft-store leader reachable): no raft-store member answered');
  });
});

/** dockerWithInput runs `docker ...args <file>` with `input` written to a temp file. */
function dockerWithInput(args: string[], input: string): Promise<CliResult> {
  const file = join(mkdtempSync(join(tmpdir(), 'shoal-docker-input-')), 'data');
  writeFileSync(file, input);
  return docker(...args.slice(0, -1), file);
}
