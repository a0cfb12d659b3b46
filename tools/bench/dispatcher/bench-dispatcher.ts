/**
 * bench:dispatcher — many simulated agents against ONE dispatcher process.
 *
 *   npm run bench:dispatcher -- [--agents 5000] [--duration 600] [--ramp 250] [--connections 100] [--workers 4]
 *
 * Starts one raft-store member and one dispatcher (built apps, test identity), creates
 * `--agents` nodes, then opens one agent per node in this process (each its own node
 * identity, named by the `x-shoal-test-node` header rather than a per-agent certificate, and
 * its own session: the node-agent's AgentSession with a no-op task sink) in `--workers` forked
 * processes (agents.ts), `--ramp` new agents a second in all, sharing `--connections` gRPC
 * clients (one HTTP/2 connection each). Once all are in session it measures
 * for `--duration` seconds at the default heartbeat (5 s, unless `--period-ms` sets the
 * Cluster object's): the dispatcher's CPU and RSS, the agents' heartbeat round trips (p50, p99,
 * max), nodes the dispatcher marked DOWN and sessions that ended. Prints one JSON object.
 */
import { Cluster, durationFromMs, Node, NodeRole, NodeSpec_Availability, NodeSpec_Membership, NodeStatus_State } from '@shoal/proto';
import { connectStore, type StoreClient } from '@shoal/store-client';
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cpuSecondsOfPid, summarize } from '../lib/stats';
import type { AgentsJob, AgentsProgress, AgentsResult } from './agents';
import { freePort, mainOf, metricValue, rssBytesOfPid, startApp, stopApp } from './processes';

interface Options {
  agents: number;
  durationS: number;
  ramp: number;
  connections: number;
  workers: number;
  periodMs: number | undefined;
}

function parseOptions(argv: string[]): Options {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (flag: string, def: number): number => Number(get(flag) ?? def);
  const period = get('--period-ms');
  return { agents: num('--agents', 5000), durationS: num('--duration', 600), ramp: num('--ramp', 250),
    connections: num('--connections', 100), workers: num('--workers', 4), periodMs: period === undefined ? undefined : Number(period) };
}

const nodeId = (i: number): string => '0b' + i.toString(36).padStart(23, '0');

async function waitForStore(endpoint: string): Promise<void> {
  const client = connectStore({ endpoints: [endpoint], identityForTests: 'store', deadlineMs: 1_000 });
  const deadline = Date.now() + 60_000;
  try {
    while (Date.now() < deadline) {
      try {
        if ((await client.listMembers({ signal: AbortSignal.timeout(1_000) })).leader !== 0) return;
      } catch {
        // electing
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    client.close();
  }
  throw new Error('the raft-store elected no leader');
}

async function createNodes(client: StoreClient, n: number, periodMs: number | undefined): Promise<void> {
  for (let i = 0; i < n; i += 200) {
    const nodes = [];
    for (let j = i; j < Math.min(n, i + 200); j++) {
      nodes.push({ action: 'create' as const, kind: 'node' as const, object: Node.fromPartial({ id: nodeId(j),
        spec: { annotations: { name: `sim-${j}`, labels: {} }, desiredRole: NodeRole.WORKER,
          membership: NodeSpec_Membership.ACCEPTED, availability: NodeSpec_Availability.ACTIVE },
        role: NodeRole.WORKER }) });
    }
    await client.transaction(nodes, { writer: 'ca' });
  }
  if (periodMs !== undefined) {
    await client.transaction([{ action: 'create', kind: 'cluster', object: Cluster.fromPartial({ id: '0c' + '1'.padStart(23, '0'),
      spec: { annotations: { name: 'default', labels: {} }, dispatcher: { heartbeatPeriod: durationFromMs(periodMs) } } }) }],
    { writer: 'ca' });
  }
}

/** AGENT_WORKER_NICE is the scheduling niceness of the agent workers. */
const AGENT_WORKER_NICE = 10;

/** Worker is one forked agents process. */
interface Worker {
  readonly child: ChildProcess;
  progress: AgentsProgress;
  readonly result: Promise<AgentsResult>;
}

function startWorker(job: AgentsJob): Worker {
  const child = fork(path.join(__dirname, 'agents.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, TSX_TSCONFIG_PATH: path.resolve(__dirname, '../../../tsconfig.base.json') },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // The agents are the load, not the subject: they yield the CPU to the dispatcher first.
  if (child.pid !== undefined) os.setPriority(child.pid, AGENT_WORKER_NICE);
  const w: { child: ChildProcess; progress: AgentsProgress; result: Promise<AgentsResult> } = {
    child, progress: { connected: 0, sessionEnds: 0, endReasons: {} }, result: Promise.resolve(undefined as never) };
  w.result = new Promise<AgentsResult>((resolve, reject) => {
    child.on('message', (m: { ready?: boolean; progress?: AgentsProgress; result?: AgentsResult }) => {
      if (m.ready === true) child.send(job);
      if (m.progress !== undefined) w.progress = m.progress;
      if (m.result !== undefined) resolve(m.result);
    });
    child.once('exit', (code) => reject(new Error(`agents worker exited ${code}`)));
  });
  return w;
}

function sumReasons(rs: readonly Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rs) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v;
  return out;
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-bench-dispatcher-'));
  const storePort = await freePort();
  const store = await startApp('raft-store', mainOf('raft-store', false), ['--node-id', '1', '--members', `1=127.0.0.1:${storePort}`,
    '--grpc-port', String(storePort), '--http-port', '0', '--state-dir', path.join(dir, 'store'), '--allow-test-identity'], dir);
  const children = [store];
  const cleanup = (): void => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  };
  process.once('exit', cleanup);
  await waitForStore(`127.0.0.1:${storePort}`);
  const client = connectStore({ endpoints: [`127.0.0.1:${storePort}`], identityForTests: 'ca', deadlineMs: 10_000 });
  await createNodes(client, o.agents, o.periodMs);
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const dispatcher = await startApp('dispatcher', mainOf('dispatcher', true), ['--store-endpoints', `127.0.0.1:${storePort}`,
    '--grpc-port', String(grpcPort), '--http-port', String(httpPort), '--allow-test-identity', '--dispatcher-id', 'bench'], dir);
  children.push(dispatcher);
  const ids = Array.from({ length: o.agents }, (_, i) => nodeId(i));
  const per = Math.ceil(o.agents / o.workers);
  const workers: Worker[] = [];
  for (let w = 0; w < o.workers; w++) {
    const slice = ids.slice(w * per, (w + 1) * per);
    if (slice.length > 0) workers.push(startWorker({ address: `127.0.0.1:${grpcPort}`, ids: slice,
      ramp: o.ramp / o.workers, connections: Math.max(1, Math.round(o.connections / o.workers)) }));
  }
  for (const w of workers) children.push(w.child);
  const connected = (): number => workers.reduce((n, w) => n + w.progress.connected, 0);
  const rampStart = Date.now();
  const rampDeadline = Date.now() + (o.agents / o.ramp) * 1000 + 120_000;
  let lastReport = 0;
  while (connected() < o.agents && Date.now() < rampDeadline) {
    await new Promise((r) => setTimeout(r, 500));
    if (Date.now() - lastReport < 5_000) continue;
    lastReport = Date.now();
    process.stderr.write(`bench: ${connected()}/${o.agents} agents in session; ends ${
      JSON.stringify(sumReasons(workers.map((w) => w.progress.endReasons)))}\n`);
  }
  const rampS = (Date.now() - rampStart) / 1000;
  const result = await measure(o, dispatcher.pid ?? 0, httpPort, client, workers, connected);
  await stopApp(dispatcher);
  client.close();
  await stopApp(store);
  if (process.env['SHOAL_BENCH_KEEP_DIR'] === '1') process.stderr.write(`bench: kept ${dir}\n`);
  else fs.rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify({ ...result, rampSeconds: Math.round(rampS) })}\n`);
}

async function measure(o: Options, pid: number, httpPort: number, client: StoreClient, workers: Worker[],
  connected: () => number): Promise<Record<string, unknown>> {
  const downBefore = await metricValue(httpPort, 'shoal_dispatcher_nodes_down_total');
  for (const w of workers) w.child.send({ measure: true });
  const cpu0 = cpuSecondsOfPid(pid);
  const t0 = Date.now();
  let rssMax = 0;
  let minConnected = connected();
  while (Date.now() - t0 < o.durationS * 1000) {
    await new Promise((r) => setTimeout(r, Math.min(5_000, o.durationS * 1000)));
    rssMax = Math.max(rssMax, rssBytesOfPid(pid));
    minConnected = Math.min(minConnected, connected());
  }
  const wallS = (Date.now() - t0) / 1000;
  const cpuS = cpuSecondsOfPid(pid) - cpu0;
  const downAfter = await metricValue(httpPort, 'shoal_dispatcher_nodes_down_total');
  const lagP99 = await metricValue(httpPort, 'nodejs_eventloop_lag_p99_seconds');
  for (const w of workers) w.child.send({ stop: true });
  const results = await Promise.all(workers.map((w) => w.result));
  const nodes = await client.list(['node']);
  const downNow = nodes.objects.filter((n) => n.kind === 'node' && n.object.status?.state === NodeStatus_State.DOWN).length;
  const hb = summarize(results.flatMap((r) => r.rtts));
  return {
    bench: 'dispatcher', agents: o.agents, minAgentsInSession: minConnected, agentWorkers: workers.length,
    connections: o.connections, heartbeatPeriodMs: o.periodMs ?? 5000, durationSeconds: Math.round(wallS),
    identity: 'x-shoal-test-node header per agent (no per-agent mTLS)',
    dispatcher: { cpuPercent: Math.round((cpuS / wallS) * 1000) / 10, cpuSeconds: Math.round(cpuS * 10) / 10,
      rssMaxMiB: Math.round(rssMax / 2 ** 20), rssEndMiB: Math.round(rssBytesOfPid(pid) / 2 ** 20),
      eventLoopLagP99Ms: Math.round(lagP99 * 1000) },
    heartbeatRtt: { count: hb.count, p50Ms: hb.p50Ms, p99Ms: hb.p99Ms, maxMs: hb.maxMs },
    // The RTT is measured in the agent workers, so it includes their own event-loop delay.
    agentWorkersSummary: { cpuPercent: Math.round((results.reduce((n, r) => n + r.cpuSeconds, 0) / wallS) * 1000) / 10,
      eventLoopDelayP99MsMax: Math.round(Math.max(...results.map((r) => r.eventLoopDelayP99Ms))),
      rssMiB: results.reduce((n, r) => n + r.rssMiB, 0) },
    nodesMarkedDown: downAfter - downBefore, nodesDownAtEnd: downNow,
    sessionEndsDuringMeasurement: results.reduce((n, r) => n + r.sessionEndsMeasured, 0),
    sessionEndsTotal: results.reduce((n, r) => n + r.sessionEnds, 0),
    sessionEndReasons: sumReasons(results.map((r) => r.endReasons)),
    machine: { cpus: os.cpus().length, loadavg1m: Math.round(os.loadavg()[0] * 100) / 100 },
  };
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:dispatcher failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
