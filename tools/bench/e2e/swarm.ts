/**
 * Docker Swarm on the same engine: `swarm init`, a replicated service created with the docker
 * CLI (image named by ID, so the swarm agent never reaches for a registry), the time to N
 * running containers and to a completed rolling `--force` update; then `service rm` and
 * `swarm leave --force`. Refuses to touch an engine that is already part of a swarm.
 */
import { performance } from 'node:perf_hooks';
import { dockerCli, runningIds, waitNone, waitRunning } from './converge';
import { counterDelta, readCounters, type Scrape } from './counters';
import { cpuDelta, readCpu, type CpuReading } from './cpu';
import { engine, removeContainers } from './engine';

/** SystemResult is the two timings every system reports (null: that phase failed, see error). */
export interface SystemResult {
  readonly createToRunningMs: number;
  readonly forceUpdateMs: number | null;
  /** CPU seconds used during each phase, per process and for the whole machine. */
  readonly cpuSeconds: { create: CpuReading; forceUpdate?: CpuReading };
  /** Shoal only: store proposals, loop passes and writes, dispatcher status writes per phase. */
  readonly counters?: { create: Record<string, number>; forceUpdate?: Record<string, number> };
  readonly error?: string;
}

/** BenchShape is the service both orchestrators run. */
export interface BenchShape {
  readonly replicas: number;
  readonly parallelism: number;
  readonly timeoutMs: number;
  readonly log: (m: string) => void;
}

/** serviceFlags are the `docker service create` flags shared by Swarm and Shoal. */
export function serviceFlags(name: string, shape: BenchShape): string[] {
  return ['service', 'create', '-d', '--name', name, '--replicas', String(shape.replicas),
    '--stop-grace-period', '0s', '--update-parallelism', String(shape.parallelism), '--update-delay', '0s',
    '--no-resolve-image'];
}

/**
 * timeService creates the service through `host` (undefined = the local engine), waits for N
 * running containers with `label`, then forces a rolling update and waits until N new ones run.
 */
export async function timeService(name: string, image: string, label: string, shape: BenchShape,
  host?: string, pids: Readonly<Record<string, number>> = {}, scrapes: readonly Scrape[] = []): Promise<SystemResult> {
  const n0 = await readCounters(scrapes);
  const cpu0 = readCpu(pids);
  const t0 = performance.now();
  shape.log(`${name}: service create at ${new Date().toISOString()}`);
  await dockerCli([...serviceFlags(name, shape), image, 'sleep', '100000'], host);
  const createToRunningMs = await waitRunning(label, shape.replicas, t0, { timeoutMs: shape.timeoutMs });
  const cpu1 = readCpu(pids);
  const n1 = await readCounters(scrapes);
  const cpuSeconds: SystemResult['cpuSeconds'] = { create: cpuDelta(cpu0, cpu1) };
  const counters = scrapes.length === 0 ? undefined : { create: counterDelta(n0, n1) };
  shape.log(`${name}: ${shape.replicas} running after ${createToRunningMs} ms; CPU s ${JSON.stringify(cpuSeconds.create)}`);
  if (counters !== undefined) shape.log(`${name}: counters ${JSON.stringify(counters.create)}`);
  try {
    const before = new Set(await runningIds(label));
    const t1 = performance.now();
    shape.log(`${name}: service update --force at ${new Date().toISOString()}`);
    await dockerCli(['service', 'update', '-d', '--force', name], host);
    const forceUpdateMs = await waitRunning(label, shape.replicas, t1, { replacing: before, timeoutMs: shape.timeoutMs });
    const forceUpdate = cpuDelta(cpu1, readCpu(pids));
    const updateCounters = counters === undefined ? undefined : { ...counters, forceUpdate: counterDelta(n1, await readCounters(scrapes)) };
    shape.log(`${name}: rolling --force update (parallelism ${shape.parallelism}) done after ${forceUpdateMs} ms; CPU s ${JSON.stringify(forceUpdate)}`);
    if (updateCounters !== undefined) shape.log(`${name}: counters ${JSON.stringify(updateCounters.forceUpdate)}`);
    return { createToRunningMs, forceUpdateMs, cpuSeconds: { ...cpuSeconds, forceUpdate }, counters: updateCounters };
  } catch (err) {
    shape.log(`${name}: rolling --force update FAILED: ${(err as Error).message}`);
    return { createToRunningMs, forceUpdateMs: null, cpuSeconds, counters, error: `force update: ${(err as Error).message}` };
  }
}

/** measureSwarm runs the service on a single-node swarm of the local engine and leaves it. */
export async function measureSwarm(image: string, shape: BenchShape): Promise<SystemResult> {
  const state = (await dockerCli(['info', '--format', '{{.Swarm.LocalNodeState}}'])).trim();
  if (state !== 'inactive') throw new Error(`the engine's swarm state is "${state}": refusing to init or leave it`);
  const name = `shoal-bench-swarm-${process.pid}`;
  const label = `com.docker.swarm.service.name=${name}`;
  await dockerCli(['swarm', 'init', '--advertise-addr', '127.0.0.1']);
  try {
    return await timeService(name, image, label, shape);
  } finally {
    await dockerCli(['service', 'rm', name]).catch((e: Error) => shape.log(`swarm: ${e.message}`));
    await waitNone(label, 60_000).catch((e: Error) => shape.log(`swarm: ${e.message}`));
    await dockerCli(['swarm', 'leave', '--force']).catch((e: Error) => shape.log(`swarm: ${e.message}`));
    await removeContainers(label);
    await engine('DELETE', '/networks/docker_gwbridge');
  }
}
