/**
 * Shoal on the same engine: the local topology (three raft-store members, the loops, the ca,
 * the gateway, one node-agent with the docker executor) started in a temporary state directory
 * on free ports, the same service created with the docker CLI against the gateway's socket,
 * then `service rm` and the topology stopped.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import topology = require('../../topology/topology.cjs');
import { dockerCli, waitNone } from './converge';
import { removeContainers } from './engine';
import { timeService, type BenchShape, type SystemResult } from './swarm';

const NODE_READY_TIMEOUT_MS = 60_000;

/** measureShoal brings the topology up, times the service, and tears everything down. */
export async function measureShoal(image: string, shape: BenchShape): Promise<SystemResult> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-bench-'));
  const name = `shoal-bench-${process.pid}`;
  const label = `com.shoal.service.name=${name}`;
  let host: string | undefined;
  try {
    const basePort = await topology.freeBasePort();
    const plan = await topology.up({ stateDir, basePort, executor: 'docker', stdio: 'pipe', snapshotApps: true,
      log: (line) => shape.log(line) });
    host = topology.dockerHostOf(plan);
    await topology.waitFor('the node-agent to be Ready in `docker node ls`', async () =>
      (await dockerCli(['node', 'ls', '--format', '{{.Status}}'], host).catch(() => '')).includes('Ready'),
    NODE_READY_TIMEOUT_MS);
    const pids: Record<string, number> = {};
    for (const proc of plan.processes) {
      const pid = topology.procs.readPid(proc);
      if (pid !== null) pids[proc.name] = pid;
    }
    const scrapes = plan.processes.filter((p) => p.app !== 'node-agent').map((p) => ({ name: p.name, port: p.httpPort }));
    return await timeService(name, image, label, shape, host, pids, scrapes);
  } finally {
    if (host !== undefined) await dockerCli(['service', 'rm', name], host).catch((e: Error) => shape.log(`shoal: ${e.message}`));
    await waitNone(label, 30_000).catch((e: Error) => shape.log(`shoal: ${e.message}`));
    await topology.down(stateDir, { log: () => undefined });
    // Clean-up never replaces the measurement: a slow engine is logged, not thrown.
    await removeContainers(label).catch((e: Error) => shape.log(`shoal: clean-up: ${e.message}`));
    if (process.env['SHOAL_BENCH_KEEP_DIR'] === undefined) fs.rmSync(stateDir, { recursive: true, force: true });
    else shape.log(`shoal: state and logs kept in ${stateDir}`);
  }
}
