// Goal: the whole system works end to end as a platform engineer uses it: the local topology
// (three raft-store members, the loops, the ca, the gateway, node-agents with the docker
// executor), driven by the REAL docker CLI against the gateway's socket, runs real containers on
// a real dockerd, survives faults, and answers bad input like dockerd.
// Method: one topology for the whole file (tools/topology, free ports, temporary state dir);
// each step runs CLI commands and checks the real engine (`docker ps` with our labels). Steps
// build on each other in order. Clean-up removes every process and container, even on failure;
// the processes' logs are copied to tmp/e2e-logs.
import { api, docker, engineContainers, runDocker } from './support/docker';
import { IMAGE, IMAGE_2, NODE_LABEL, serviceContainers, startCluster, stopCluster, topology, type Cluster } from './support/cluster';
import { until } from './support/wait';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CONVERGE_MS = 60_000;
let cluster: Cluster | undefined;
let web = '';

function c(): Cluster {
  if (cluster === undefined) throw new Error('the topology did not start (see beforeAll)');
  return cluster;
}
const cli = (args: readonly string[]): Promise<string> => docker(c().host, args);

/** waitContainers waits until `count` containers of `service` run and `accept` holds for them. */
async function waitContainers(service: string, count: number,
  accept: (ids: Awaited<ReturnType<typeof serviceContainers>>) => boolean = () => true, timeoutMs = CONVERGE_MS) {
  let seen = '';
  return until(`${count} running containers of ${service}`, async () => {
    const list = await serviceContainers(service);
    seen = `${list.length} running: ${list.map((x) => `${x.id.slice(0, 12)}(${x.image})`).join(' ')}`;
    return list.length === count && accept(list) ? list : undefined;
  }, timeoutMs, () => seen);
}

async function nodeId(hostname: string): Promise<string> {
  return (await cli(['node', 'inspect', hostname, '--format', '{{.ID}}'])).trim();
}

beforeAll(async () => {
  cluster = await startCluster();
  web = `${cluster.prefix}web`;
}, 600_000);

afterAll(async () => {
  await stopCluster(cluster);
}, 120_000);

describe('the docker CLI against a Shoal topology', () => {
  it('docker node ls lists the node-agent as Ready', async () => {
    const out = await until('the node in docker node ls', async () => {
      const ls = await cli(['node', 'ls', '--format', '{{.Hostname}} {{.Status}} {{.Availability}}']);
      return ls.includes(`${c().hostname} Ready Active`) ? ls : undefined;
    }, CONVERGE_MS);
    expect(out).toContain(c().hostname);
  });

  it('service create --replicas 3 runs 3 containers with our labels', async () => {
    await cli(['service', 'create', '--name', web, '--replicas', '3', '--stop-grace-period', '0s',
      '--update-parallelism', '2', '--update-delay', '0s', IMAGE, 'sleep', '100000']);
    const list = await waitContainers(web, 3);
    const serviceId = (await cli(['service', 'inspect', web, '--format', '{{.ID}}'])).trim();
    for (const container of list) {
      expect(container.labels).toMatchObject({ 'com.shoal.service.name': web, 'com.shoal.service.id': serviceId });
      expect(container.labels['com.shoal.task.id']).toMatch(/^[a-z0-9]{25}$/);
    }
    expect(list.map((x) => x.labels['com.shoal.slot']).sort()).toEqual(['1', '2', '3']);
  });

  it('service ls shows 3/3', async () => {
    const line = await until('3/3 in service ls', async () => {
      const out = await cli(['service', 'ls', '--format', '{{.Name}} {{.Mode}} {{.Replicas}} {{.Image}}']);
      return out.split('\n').find((l) => l.startsWith(`${web} replicated 3/3`));
    }, CONVERGE_MS);
    expect(line).toContain(IMAGE);
  });

  it('service ps names the tasks <service>.<slot>, all Running', async () => {
    const out = await cli(['service', 'ps', web, '--format', '{{.Name}}|{{.CurrentState}}|{{.Node}}']);
    const rows = out.trim().split('\n').map((l) => l.split('|'));
    expect(rows.map((r) => r[0]).sort()).toEqual([`${web}.1`, `${web}.2`, `${web}.3`]);
    for (const row of rows) {
      expect(row[1]).toMatch(/^Running/);
      expect(row[2]).toBe(c().hostname);
    }
  });

  it('service scale =5 runs 5', async () => {
    await cli(['service', 'scale', '-d', `${web}=5`]);
    const list = await waitContainers(web, 5);
    expect(new Set(list.map((x) => x.labels['com.shoal.slot'])).size).toBe(5);
  });

  it('a container killed out of band is replaced', async () => {
    const [victim] = await serviceContainers(web);
    await docker('unix:///var/run/docker.sock', ['kill', (victim as { id: string }).id]);
    const list = await waitContainers(web, 5, (l) => l.every((x) => x.id !== victim?.id));
    expect(list).toHaveLength(5);
  });

  it('service update --image replaces the tasks rolling, never below 5 - parallelism running', async () => {
    let lowest = 5;
    const sampling = setInterval(() => {
      void serviceContainers(web).then((l) => { lowest = Math.min(lowest, l.length); }, () => undefined);
    }, 200);
    try {
      await cli(['service', 'update', '-d', '--image', IMAGE_2, web]);
      await waitContainers(web, 5, (l) => l.every((x) => x.image === IMAGE_2));
    } finally {
      clearInterval(sampling);
    }
    expect(lowest).toBeGreaterThanOrEqual(3);
    expect((await cli(['service', 'inspect', web, '--format', '{{.Spec.TaskTemplate.ContainerSpec.Image}}'])).trim())
      .toContain(IMAGE_2);
  });

  it('service update --force replaces every container', async () => {
    const before = new Set((await serviceContainers(web)).map((x) => x.id));
    await cli(['service', 'update', '-d', '--force', web]);
    await waitContainers(web, 5, (l) => l.every((x) => !before.has(x.id)));
  });

  it('a second node-agent joins, and draining the first moves the tasks to it', async () => {
    await topology.startOne(c().plan, 'agent-2');
    const second = `${c().hostname}-2`;
    await until('two Ready nodes', async () => {
      const ls = await cli(['node', 'ls', '--format', '{{.Hostname}} {{.Status}}']);
      return ls.includes(`${second} Ready`) && ls.includes(`${c().hostname} Ready`) ? ls : undefined;
    }, CONVERGE_MS);
    const secondId = await nodeId(second);
    await cli(['node', 'update', '--availability', 'drain', c().hostname]);
    await waitContainers(web, 5, (l) => l.every((x) => x.labels[NODE_LABEL] === secondId));
    expect((await cli(['node', 'inspect', c().hostname, '--format', '{{.Spec.Availability}}'])).trim()).toBe('drain');
  });

  it('killing the raft-store leader and the active scheduler mid-scale still ends at the asked count', async () => {
    const plan = c().plan;
    const leader = await topology.waitFor('a store leader', () => topology.leaderOf(plan), 30_000);
    const scheduler = await topology.waitFor('an active scheduler', () => topology.activeOf(plan, 'scheduler'), 30_000);
    await cli(['service', 'scale', '-d', `${web}=8`]);
    await Promise.all([topology.procs.killProc(leader), topology.procs.killProc(scheduler)]);
    await waitContainers(web, 8, () => true, 90_000);
    await topology.startOne(plan, leader.name);
    await topology.startOne(plan, scheduler.name);
    const newLeader = await topology.waitFor('a store leader', () => topology.leaderOf(plan), 30_000);
    expect(newLeader.name).toBeDefined();
  });

  it('a secret, a config and a tmpfs mount reach the container (it checks them itself)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-files-'));
    const [secret, config, files] = [`${c().prefix}pw`, `${c().prefix}conf`, `${c().prefix}files`];
    writeFileSync(join(dir, 'pw'), 'hunter2');
    writeFileSync(join(dir, 'conf'), 'k=v');
    await cli(['secret', 'create', secret, join(dir, 'pw')]);
    await cli(['config', 'create', config, join(dir, 'conf')]);
    await cli(['service', 'create', '-d', '--name', files, '--stop-grace-period', '0s', '--secret', secret,
      '--config', `source=${config},target=/etc/app.conf`, '--mount', 'type=tmpfs,target=/scratch', IMAGE,
      'sh', '-c', `grep -qx hunter2 /run/secrets/${secret} && grep -qx k=v /etc/app.conf && ` +
        'grep -q " /scratch tmpfs" /proc/mounts && sleep 100000']);
    const [first] = await waitContainers(files, 1);
    // A failed check would have ended the container at once: it still runs, the same one.
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await serviceContainers(files)).map((x) => x.id)).toEqual([first?.id]);
    await cli(['service', 'rm', files]);
    await until('the service gone', async () => ((await engineContainers(`com.shoal.service.name=${files}`, true)).length === 0 ? true : undefined), CONVERGE_MS);
    await cli(['secret', 'rm', secret]);
    await cli(['config', 'rm', config]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('service rm leaves no container behind', async () => {
    await cli(['service', 'rm', web]);
    await until('no containers of the service, in any state', async () => {
      const all = await engineContainers(`com.shoal.service.name=${web}`, true);
      return all.length === 0 ? true : undefined;
    }, CONVERGE_MS);
    expect((await cli(['service', 'ls', '--format', '{{.Name}}'])).split('\n')).not.toContain(web);
  });
});

describe('bad input gets dockerd-like errors', () => {
  const bad = (suffix: string) => `${c().prefix}bad-${suffix}`;

  it('an invalid image reference is refused', async () => {
    const res = await runDocker(c().host, ['service', 'create', '-d', '--no-resolve-image', '--name', bad('image'),
      'Shoal-Test/BUSYBOX::1', 'sleep', '1']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/Error response from daemon: .*(invalid reference format|not a valid repository\/tag)/);
  });

  it('replicas -1 is refused by the CLI, and by the gateway when sent raw', async () => {
    const res = await runDocker(c().host, ['service', 'create', '-d', '--replicas', '-1', '--name', bad('neg'), IMAGE]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('--replicas');
    const raw = await api(c().host, 'POST', '/v1.41/services/create', {
      Name: bad('neg'), TaskTemplate: { ContainerSpec: { Image: IMAGE } }, Mode: { Replicated: { Replicas: -1 } },
    });
    expect(raw.status).toBe(400);
    expect((raw.body as { message: string }).message).toMatch(/replicas|Replicas|uint64/);
  });

  it('a constraint with a bad operator is refused', async () => {
    const res = await runDocker(c().host, ['service', 'create', '-d', '--name', bad('constraint'),
      '--constraint', 'node.role~manager', IMAGE, 'sleep', '1']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/Error response from daemon: .*constraint/i);
  });

  it('an update with a stale version fails "update out of sequence"', async () => {
    const name = bad('stale');
    await cli(['service', 'create', '-d', '--name', name, '--replicas', '0', IMAGE, 'sleep', '100000']);
    const first = await api(c().host, 'GET', `/v1.41/services/${name}`);
    const service = first.body as { ID: string; Version: { Index: number }; Spec: Record<string, unknown> };
    await cli(['service', 'update', '-d', '--label-add', 'step=2', name]);
    const stale = await api(c().host, 'POST', `/v1.41/services/${service.ID}/update?version=${service.Version.Index}`, service.Spec);
    expect(stale.status).toBeGreaterThanOrEqual(400);
    expect((stale.body as { message: string }).message).toContain('update out of sequence');
    await cli(['service', 'rm', name]);
  });

  it('errors are JSON {"message"} with dockerd status codes (unknown service: 404)', async () => {
    const res = await api(c().host, 'GET', `/v1.41/services/${bad('missing')}`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ message: expect.stringContaining(bad('missing')) });
  });
});
