// The topology under test: built apps started by tools/topology in a temporary state directory
// on free ports, a real dockerd (ensure-dockerd.sh), and a clean-up that removes every process
// and container the suite made, whatever happened.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import topology = require('../../../tools/topology/topology.cjs');
import { docker, engineContainers, ENGINE_HOST } from './docker';

/** SERVICE_LABEL is the container label naming a Shoal task's service (set by the node-agent). */
export const SERVICE_LABEL = 'com.shoal.service.name';
/** NODE_LABEL is the container label naming the node whose agent runs it. */
export const NODE_LABEL = 'com.shoal.node.id';
/** IMAGE is the test image ensure-dockerd.sh imports (no registry is ever reached). */
export const IMAGE = 'shoal-test/busybox:1';
/** IMAGE_2 is a second local tag of the same image for `service update --image`, one per run (a concurrent run removes only its own). */
export const IMAGE_2 = `shoal-test/busybox:e2e-${process.pid}`;

/** Cluster is a started topology and the DOCKER_HOST of its gateway. */
export interface Cluster {
  readonly plan: topology.Plan;
  readonly host: string;
  readonly stateDir: string;
  /** Prefix of every service name this run creates (clean-up removes their containers). */
  readonly prefix: string;
  readonly hostname: string;
}

const root = topology.ROOT;
const logsOut = path.join(root, 'tmp', 'e2e-logs');

/** startCluster ensures dockerd and the image, builds the apps, and starts the topology. */
export async function startCluster(): Promise<Cluster> {
  execFileSync('bash', [path.join(root, 'tools/scripts/ensure-dockerd.sh')], { stdio: 'pipe' });
  execFileSync('docker', ['-H', ENGINE_HOST, 'tag', IMAGE, IMAGE_2]);
  topology.build({ log: () => undefined, stdio: 'pipe' });
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-e2e-'));
  const hostname = `shoal-e2e-${process.pid}`;
  try {
    const plan = await topology.up({
      stateDir, basePort: await topology.freeBasePort(), executor: 'docker', hostname, stdio: 'pipe', snapshotApps: true,
      counts: { stores: 3, schedulers: 2, agents: 2 }, skip: ['agent-2'], log: () => undefined,
    });
    return { plan, host: topology.dockerHostOf(plan), stateDir, prefix: `e2e${process.pid}-`, hostname };
  } catch (err) {
    await topology.down(stateDir, { graceMs: 5_000, log: () => undefined });
    keepLogs(stateDir);
    throw err;
  }
}

/** keepLogs copies the processes' logs to tmp/e2e-logs and deletes the state directory. */
function keepLogs(stateDir: string): void {
  fs.rmSync(logsOut, { recursive: true, force: true });
  if (fs.existsSync(path.join(stateDir, 'logs'))) fs.cpSync(path.join(stateDir, 'logs'), logsOut, { recursive: true });
  fs.rmSync(stateDir, { recursive: true, force: true });
}

/** serviceContainers lists the running containers of service `name` on the real engine. */
export function serviceContainers(name: string): ReturnType<typeof engineContainers> {
  return engineContainers(`${SERVICE_LABEL}=${name}`);
}

async function removeOurContainers(prefix: string): Promise<void> {
  const ours = (await engineContainers(SERVICE_LABEL, true)).filter((c) => (c.labels[SERVICE_LABEL] ?? '').startsWith(prefix));
  if (ours.length > 0) await docker(ENGINE_HOST, ['rm', '-f', ...ours.map((c) => c.id)]).catch(() => '');
}

/**
 * stopCluster removes this run's services (best effort), stops every process, removes the
 * containers left behind, copies the logs to tmp/e2e-logs and deletes the state directory.
 */
export async function stopCluster(cluster: Cluster | undefined): Promise<void> {
  if (cluster === undefined) return;
  const services = await docker(cluster.host, ['service', 'ls', '--format', '{{.Name}}'], 15_000).catch(() => '');
  const ours = services.split('\n').filter((n) => n.startsWith(cluster.prefix));
  if (ours.length > 0) await docker(cluster.host, ['service', 'rm', ...ours], 15_000).catch(() => '');
  await topology.down(cluster.stateDir, { graceMs: 10_000, log: () => undefined });
  await removeOurContainers(cluster.prefix);
  keepLogs(cluster.stateDir);
  await docker(ENGINE_HOST, ['rmi', IMAGE_2]).catch(() => '');
}

/** logTail is the end of one process's log, for failure messages. */
export function logTail(cluster: Cluster, name: string, lines = 10): string {
  const proc = cluster.plan.processes.find((p) => p.name === name);
  return proc === undefined ? '' : topology.procs.tail(proc.log, lines);
}

export { topology };
