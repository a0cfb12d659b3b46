/**
 * `npm run bench:e2e`: a 100-replica service from `docker service create` to 100 running
 * containers on one node, and a rolling `--force` update of it with parallelism 10, for
 *   (a) Shoal: the local topology started by this script, driven with the docker CLI;
 *   (b) Docker Swarm on the same dockerd (`swarm init` / `swarm leave --force` done here; the
 *       image named by ID so the swarm agent never tries a registry pull);
 *   (c) the engine's floor: the containers created and started straight through the Engine
 *       API at several concurrencies (the best one counts).
 * Every time is measured the same way: from the command until the engine lists the containers
 * running (polled every 100 ms). Prints one JSON object on stdout; progress goes to stderr.
 * Goal: Shoal within 1.15x of the floor and at most 0.75x of Swarm.
 *
 *   npm run bench:e2e -- [--replicas 100] [--parallelism 10] [--systems floor,swarm,shoal]
 *                        [--concurrency 2,4,8,16]
 * Needs dockerd on /var/run/docker.sock with DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 and the
 * image shoal-test/busybox:1 (`bash tools/scripts/ensure-dockerd.sh` provides both).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import topology = require('../../topology/topology.cjs');
import { imageId, removeContainers } from './engine';
import { measureFloor, type FloorResult } from './floor';
import { measureShoal } from './shoal';
import { measureSwarm, type BenchShape, type SystemResult } from './swarm';

const IMAGE = 'shoal-test/busybox:1';
const FLOOR_LABEL = 'com.shoal.bench.floor';
const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const log = (m: string): void => { process.stderr.write(`bench:e2e ${m}\n`); };
const shape: BenchShape = {
  replicas: Number(flag('replicas', '100')),
  parallelism: Number(flag('parallelism', '10')),
  timeoutMs: Number(flag('timeout-s', '300')) * 1000,
  log,
};
const systems = flag('systems', 'floor,swarm,shoal').split(',');
const concurrencies = flag('concurrency', '2,4,8,16').split(',').map(Number);

/** dockerdPrefersOfflineImages reads dockerd's environment (needs to be root or its owner). */
function dockerdPrefersOfflineImages(): boolean | 'unknown' {
  try {
    const pid = execFileSync('pidof', ['dockerd']).toString().trim().split(/\s+/)[0];
    return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes('DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1');
  } catch {
    return 'unknown';
  }
}

const ratio = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a === undefined || b === undefined || a === null || b === null ? null : Math.round((a / b) * 1000) / 1000;

async function main(): Promise<void> {
  if (!(await topology.engineAnswers())) throw new Error('no Docker engine answers on /var/run/docker.sock: run bash tools/scripts/ensure-dockerd.sh');
  const offline = dockerdPrefersOfflineImages();
  if (offline !== true) log(`WARNING: dockerd DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 is ${offline === false ? 'NOT set' : 'unknown'}`);
  const id = await imageId(IMAGE);
  const errors: Record<string, string> = {};
  const attempt = async <T>(system: string, run: () => Promise<T>): Promise<T | undefined> => {
    if (!systems.includes(system)) return undefined;
    try { return await run(); } catch (err) { errors[system] = (err as Error).message; log(`${system} FAILED: ${(err as Error).message}`); return undefined; }
  };
  const floor: FloorResult | undefined = await attempt('floor', () => measureFloor({ replicas: shape.replicas, image: IMAGE, concurrencies, label: FLOOR_LABEL, log }));
  const swarm: SystemResult | undefined = await attempt('swarm', () => measureSwarm(id, shape));
  if (systems.includes('shoal')) topology.build({ log, stdio: 'ignore' });
  const shoal: SystemResult | undefined = await attempt('shoal', () => measureShoal(IMAGE, shape));
  const floorMs = floor?.best.ms;
  for (const [system, result] of [['swarm', swarm], ['shoal', shoal]] as const) {
    if (result?.error !== undefined) errors[system] = result.error;
  }
  console.log(JSON.stringify({
    bench: 'e2e', replicas: shape.replicas, updateParallelism: shape.parallelism, image: IMAGE, imageId: id,
    machine: { cpus: os.cpus().length, loadAverage1m: os.loadavg()[0] }, dockerdPreferOfflineImage: offline,
    floor, swarm, shoal,
    ratios: {
      shoalToFloor: ratio(shoal?.createToRunningMs, floorMs), shoalToSwarm: ratio(shoal?.createToRunningMs, swarm?.createToRunningMs),
      shoalToSwarmForceUpdate: ratio(shoal?.forceUpdateMs, swarm?.forceUpdateMs), swarmToFloor: ratio(swarm?.createToRunningMs, floorMs),
    },
    goals: { shoalToFloorMax: 1.15, shoalToSwarmMax: 0.75 },
    errors,
  }, null, 2));
  if (Object.keys(errors).length > 0) process.exitCode = 1;
}

main().catch(async (err: Error) => {
  log(`FAILED: ${err.message}`);
  await removeContainers(FLOOR_LABEL).catch(() => 0);
  process.exitCode = 1;
});
