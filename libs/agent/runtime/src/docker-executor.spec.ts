// Goal: the docker executor, driven by the worker's task managers, runs a task as a labelled
// container on a real dockerd, maps exits, out-of-band kills, missing images and healthchecks
// to the right task states, stops and removes containers, and an agent restarted on the same
// state directory reattaches to the same container instead of starting a new one.
// Method: a real engine (started by ensureDockerd when /_ping fails: this suite FAILS, never
// skips, without one), the busybox test image, containers labelled com.shoal.test=1 and removed
// in afterAll; states observed through the reported statuses and `docker inspect`.
import { systemClock, systemTimers } from '@shoal/runtime';
import { durationFromMs, Mount_Type, PortConfig_Protocol, PortConfig_PublishMode, TaskState } from '@shoal/proto';
import type Docker from 'dockerode';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DependencyStore } from './dependencies';
import { DockerExecutor } from './docker-executor';
import { TaskFiles } from './task-files';
import { TASK_LABELS } from './labels';
import { LocalTaskStore } from './task-store';
import { ensureDockerd, removeTestContainers, TEST_IMAGE, TEST_LABEL } from './testing/dockerd';
import { makeTask, StatusLog, waitFor } from './testing/fixtures';
import { Worker } from './worker';

jest.setTimeout(60_000);

const LIMITS = { retryInitialMs: 50, retryMaxMs: 200, healthPollMs: 100 };
let docker: Docker;
const dirs: string[] = [];
const workers: Worker[] = [];

beforeAll(async () => {
  docker = await ensureDockerd();
}, 300_000);

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
});

afterAll(async () => {
  if (docker !== undefined) await removeTestContainers(docker);
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function agent(stateDir?: string): Promise<{ worker: Worker; log: StatusLog; executor: DockerExecutor; stateDir: string }> {
  const dir = stateDir ?? (await mkdtemp(join(tmpdir(), 'shoal-agent-docker-')));
  if (stateDir === undefined) dirs.push(dir);
  const store = await LocalTaskStore.open(dir);
  const log = new StatusLog();
  const executor = new DockerExecutor({ docker, extraLabels: { [TEST_LABEL.key]: TEST_LABEL.value }, healthPollMs: 100 });
  const worker = new Worker({ executor, store, report: log.report, clock: systemClock, timers: systemTimers, limits: LIMITS });
  await worker.init();
  workers.push(worker);
  return { worker, log, executor, stateDir: dir };
}

function sleeper(extra: Parameters<typeof makeTask>[0] = {}) {
  return makeTask({ image: TEST_IMAGE, command: ['sleep', '300'], ...extra });
}

describe('docker executor against a real dockerd', () => {
  it('runs a task as a container carrying the task labels', async () => {
    const { worker, log } = await agent();
    const task = sleeper();
    await worker.assign([task]);
    const running = await log.until(task.id, TaskState.RUNNING);
    expect(running.state).toBe(TaskState.RUNNING);
    expect(log.states(task.id)).toEqual([
      TaskState.ACCEPTED, TaskState.PREPARING, TaskState.READY, TaskState.STARTING, TaskState.RUNNING,
    ]);
    const id = running.containerStatus?.containerId ?? '';
    expect(id).not.toBe('');
    const info = await docker.getContainer(id).inspect();
    expect(info.State.Running).toBe(true);
    expect(running.containerStatus?.pid).toBe(info.State.Pid);
    expect(info.Config.Labels).toMatchObject({
      [TASK_LABELS.taskId]: task.id,
      [TASK_LABELS.serviceId]: 'svc1',
      [TASK_LABELS.serviceName]: 'web',
      [TASK_LABELS.slot]: '1',
      [TASK_LABELS.nodeId]: 'node1',
      [TEST_LABEL.key]: TEST_LABEL.value,
    });
    expect(info.Name).toBe(`/web.1.${task.id}`);
  });

  it('reports COMPLETE for exit 0 and FAILED with the exit code otherwise', async () => {
    const { worker, log } = await agent();
    const ok = makeTask({ image: TEST_IMAGE, command: ['true'] });
    const bad = makeTask({ image: TEST_IMAGE, command: ['sh', '-c', 'exit 3'] });
    await worker.assign([ok, bad]);
    const done = await log.until(ok.id, TaskState.COMPLETE);
    expect(done.state).toBe(TaskState.COMPLETE);
    expect(done.containerStatus?.exitCode).toBe(0);
    const failed = await log.until(bad.id, TaskState.FAILED);
    expect(failed.state).toBe(TaskState.FAILED);
    expect(failed.err).toBe('task: non-zero exit (3)');
    expect(failed.containerStatus?.exitCode).toBe(3);
  });

  it('observes a container killed out of band as FAILED', async () => {
    const { worker, log } = await agent();
    const task = sleeper();
    await worker.assign([task]);
    const running = await log.until(task.id, TaskState.RUNNING);
    await docker.getContainer(running.containerStatus?.containerId ?? '').kill();
    const failed = await log.until(task.id, TaskState.FAILED);
    expect(failed.state).toBe(TaskState.FAILED);
    expect(failed.err).toBe('task: non-zero exit (137)');
  });

  it('rejects a task whose image is missing and cannot be pulled', async () => {
    // The engine really finds no such image; the pull itself is answered by a stand-in, so
    // no test makes dockerd reach for a registry (there is none here, and tests must not try).
    const pulls: string[] = [];
    const noRegistry = Object.create(docker) as Docker;
    noRegistry.pull = ((image: string) => {
      pulls.push(image);
      return Promise.reject(Object.assign(new Error('no registry in tests'), { statusCode: 404 }));
    }) as Docker['pull'];
    const dir = await mkdtemp(join(tmpdir(), 'shoal-agent-docker-'));
    dirs.push(dir);
    const log = new StatusLog();
    const executor = new DockerExecutor({ docker: noRegistry, extraLabels: { [TEST_LABEL.key]: TEST_LABEL.value } });
    const worker = new Worker({ executor, store: await LocalTaskStore.open(dir), report: log.report,
      clock: systemClock, timers: systemTimers, limits: LIMITS });
    await worker.init();
    workers.push(worker);
    const task = makeTask({ image: 'shoal-test/does-not-exist:1', command: ['true'] });
    await worker.assign([task]);
    const rejected = await log.until(task.id, TaskState.REJECTED, 30_000);
    expect(rejected.state).toBe(TaskState.REJECTED);
    expect(rejected.err).toMatch(/^pull shoal-test\/does-not-exist:1: /);
    expect(pulls).toEqual(['shoal-test/does-not-exist:1']);
  });

  it('shuts a task down on desired SHUTDOWN and removes its container when unassigned', async () => {
    const { worker, log, executor } = await agent();
    const task = sleeper({ stopGracePeriod: durationFromMs(1_000) });
    await worker.assign([task]);
    const running = await log.until(task.id, TaskState.RUNNING);
    const id = running.containerStatus?.containerId ?? '';
    await worker.update([{ ...task, desiredState: TaskState.SHUTDOWN }], []);
    const stopped = await log.until(task.id, TaskState.SHUTDOWN);
    expect(stopped.state).toBe(TaskState.SHUTDOWN);
    expect((await docker.getContainer(id).inspect()).State.Running).toBe(false);
    await worker.assign([]);
    await waitFor(async () => (await executor.findContainers(task.id)).length === 0, 10_000, () => 'the container to be removed');
    await waitFor(() => worker.manager(task.id) === undefined, 5_000, () => 'the manager to forget the task');
  });

  it('reattaches to the same container after an agent restart', async () => {
    const first = await agent();
    const task = sleeper();
    await first.worker.assign([task]);
    const running = await first.log.until(task.id, TaskState.RUNNING);
    const id = running.containerStatus?.containerId ?? '';
    await first.worker.close();

    // A new agent on the same state directory: new store, executor, worker and task manager.
    const second = await agent(first.stateDir);
    expect(second.worker.statuses().get(task.id)?.state).toBe(TaskState.RUNNING);
    // It waits on the existing container: still one container, the same one, still running.
    await new Promise((r) => setTimeout(r, 300));
    expect(await second.executor.findContainers(task.id)).toEqual([id]);
    expect((await docker.getContainer(id).inspect()).State.Running).toBe(true);
    expect(second.log.states(task.id)).toEqual([]);
    // And it is attached: killing the container is observed by the new agent.
    await docker.getContainer(id).kill();
    const failed = await second.log.until(task.id, TaskState.FAILED);
    expect(failed.containerStatus?.containerId).toBe(id);
    expect(failed.err).toBe('task: non-zero exit (137)');
  });

  it('gives the container the task mounts (bind, tmpfs and volume) and its DNS settings', async () => {
    const { worker, log } = await agent();
    const hostDir = await mkdtemp(join(tmpdir(), 'shoal-agent-bind-'));
    dirs.push(hostDir);
    await writeFile(join(hostDir, 'hello'), 'from the host\n');
    const volume = `shoal-test-${process.pid}-${Date.now().toString(36)}`;
    const task = makeTask({
      image: TEST_IMAGE,
      // The container checks its own mounts: it runs only if all three are there as asked.
      command: ['sh', '-c', 'grep -q "from the host" /host/hello && ! touch /host/x 2>/dev/null && ' +
        'grep -q " /scratch tmpfs" /proc/mounts && touch /data/ok && grep -q "nameserver 10.9.8.7" /etc/resolv.conf && sleep 300'],
      mounts: [
        { type: Mount_Type.BIND, source: hostDir, target: '/host', readonly: true },
        { type: Mount_Type.TMPFS, source: '', target: '/scratch', readonly: false, tmpfsOptions: { sizeBytes: 1 << 20, mode: 0o1777, options: '' } },
        { type: Mount_Type.VOLUME, source: volume, target: '/data', readonly: false },
      ],
      dnsConfig: { nameservers: ['10.9.8.7'], search: ['shoal.test'], options: ['ndots:2'] },
    });
    try {
      await worker.assign([task]);
      const running = await log.until(task.id, TaskState.RUNNING);
      await new Promise((r) => setTimeout(r, 500));
      const info = await docker.getContainer(running.containerStatus?.containerId ?? '').inspect();
      expect(info.State.Running).toBe(true);
      expect(info.HostConfig.Dns).toEqual(['10.9.8.7']);
      expect(info.HostConfig.DnsSearch).toEqual(['shoal.test']);
      expect(info.HostConfig.DnsOptions).toEqual(['ndots:2']);
      expect(info.Mounts.map((m) => [m.Type, m.Destination, m.RW]).sort()).toEqual([
        ['bind', '/host', false], ['tmpfs', '/scratch', true], ['volume', '/data', true]].sort());
    } finally {
      await worker.assign([]);
      await waitFor(() => worker.manager(task.id) === undefined, 20_000, () => 'the task to be removed');
      await docker.getVolume(volume).remove().catch(() => undefined);
    }
  });

  it('mounts the task secrets and configs read-only with their mode, and removes the files with the task', async () => {
    const filesRoot = await mkdtemp(join(tmpdir(), 'shoal-agent-files-'));
    dirs.push(filesRoot);
    const deps = new DependencyStore();
    const annotations = (name: string) => ({ name, labels: {} });
    deps.apply(true, [
      { kind: 'secret', action: 'upsert', secret: { id: 's1', spec: { annotations: annotations('db_pass'), data: Buffer.from('hunter2') } } as never },
      { kind: 'config', action: 'upsert', config: { id: 'c1', spec: { annotations: annotations('app.conf'), data: Buffer.from('mode=fast') } } as never },
    ]);
    const log = new StatusLog();
    const executor = new DockerExecutor({ docker, extraLabels: { [TEST_LABEL.key]: TEST_LABEL.value }, files: new TaskFiles(filesRoot, deps) });
    const dir = await mkdtemp(join(tmpdir(), 'shoal-agent-docker-'));
    dirs.push(dir);
    const worker = new Worker({ executor, store: await LocalTaskStore.open(dir), report: log.report, clock: systemClock,
      timers: systemTimers, limits: LIMITS, dependencies: deps });
    await worker.init();
    workers.push(worker);
    const task = makeTask({
      image: TEST_IMAGE,
      command: ['sh', '-c', 'grep -qx hunter2 /run/secrets/db_pass && [ "$(stat -c %a /run/secrets/db_pass)" = 400 ] && ' +
        '! sh -c "echo x > /run/secrets/db_pass" 2>/dev/null && grep -qx mode=fast /etc/app.conf && sleep 300'],
      secrets: [{ secretId: 's1', secretName: 'db_pass', target: { $case: 'file', file: { name: 'db_pass', uid: '0', gid: '0', mode: 0o400 } } }],
      configs: [{ configId: 'c1', configName: 'app.conf', target: { $case: 'file', file: { name: '/etc/app.conf', uid: '', gid: '', mode: 0 } } }],
    });
    await worker.assign([task]);
    const running = await log.until(task.id, TaskState.RUNNING);
    await new Promise((r) => setTimeout(r, 500));
    expect((await docker.getContainer(running.containerStatus?.containerId ?? '').inspect()).State.Running).toBe(true);
    expect(await readdir(filesRoot)).toEqual([task.id]);
    await worker.assign([]);
    await waitFor(() => worker.manager(task.id) === undefined, 20_000, () => 'the task to be removed');
    expect(await readdir(filesRoot)).toEqual([]);
  });

  it('publishes a host-mode port on this node (the engine picks the port when none is asked)', async () => {
    const { worker, log } = await agent();
    const task = makeTask({
      image: TEST_IMAGE,
      command: ['sh', '-c', 'mkdir -p /w && echo served-by-shoal > /w/index.html && httpd -f -p 8080 -h /w'],
    }, { endpoint: { ports: [{ name: 'web', protocol: PortConfig_Protocol.TCP, targetPort: 8080, publishedPort: 0,
      publishMode: PortConfig_PublishMode.HOST }], virtualIps: [] } });
    await worker.assign([task]);
    const running = await log.until(task.id, TaskState.RUNNING);
    const info = await docker.getContainer(running.containerStatus?.containerId ?? '').inspect();
    const hostPort = info.NetworkSettings.Ports['8080/tcp']?.[0]?.HostPort ?? '';
    expect(hostPort).toMatch(/^\d+$/);
    let body = '';
    await waitFor(async () => {
      try {
        const res = await fetch(`http://127.0.0.1:${hostPort}/`);
        body = res.ok ? await res.text() : '';
      } catch {
        body = ''; // httpd not listening yet
      }
      return body !== '';
    }, 10_000, () => `an answer on host port ${hostPort}`);
    expect(body.trim()).toBe('served-by-shoal');
  });

  it('keeps a task STARTING until its healthcheck passes', async () => {
    const { worker, log } = await agent();
    const task = makeTask({
      image: TEST_IMAGE,
      command: ['sh', '-c', 'sleep 1; echo ok > /tmp/ok; sleep 300'],
      healthcheck: {
        test: ['CMD-SHELL', '[ -f /tmp/ok ]'],
        interval: durationFromMs(200),
        timeout: durationFromMs(1_000),
        retries: 20,
      },
    });
    await worker.assign([task]);
    await log.until(task.id, TaskState.STARTING);
    const running = await log.until(task.id, TaskState.RUNNING);
    expect(running.state).toBe(TaskState.RUNNING);
    const info = await docker.getContainer(running.containerStatus?.containerId ?? '').inspect();
    expect(info.State.Health?.Status).toBe('healthy');
  });

  it('fails a task whose healthcheck fails, and stops its container', async () => {
    const { worker, log } = await agent();
    const task = sleeper({
      healthcheck: { test: ['CMD', 'false'], interval: durationFromMs(200), timeout: durationFromMs(1_000), retries: 1 },
    });
    await worker.assign([task]);
    const failed = await log.until(task.id, TaskState.FAILED);
    expect(failed.err).toBe('unhealthy container');
    const info = await docker.getContainer(failed.containerStatus?.containerId ?? '').inspect();
    expect(info.State.Running).toBe(false);
  });
});
