/**
 * bench:dispatcher — many simulated agents against ONE dispatcher process.
 *
 *   npm run bench:dispatcher -- [--agents 5000] [--duration 600] [--ramp 250] [--connections 100]
 *
 * Starts one raft-store member and one dispatcher (built apps, test identity), creates
 * `--agents` nodes, then opens one agent per node in this process (each its own node
 * identity, named by the `x-shoal-test-node` header rather than a per-agent certificate, and
 * its own session: the node-agent's AgentSession with a no-op task sink), `--ramp` new agents
 * a second, sharing `--connections` gRPC clients (one HTTP/2 connection each). Once all are in session it measures
 * for `--duration` seconds at the default heartbeat (5 s, unless `--period-ms` sets the
 * Cluster object's): the dispatcher's CPU and RSS, the agents' heartbeat round trips (p50, p99,
 * max), nodes the dispatcher marked DOWN and sessions that ended. Prints one JSON object.
 */
import { credentials, Metadata } from '@grpc/grpc-js';
import { AgentSession, SessionStatusReporter } from '@shoal/agent-runtime';
import { createClient } from '@shoal/grpc';
import { DispatcherClient } from '@shoal/proto-grpc';
import { Cluster, durationFromMs, Node, NodeRole, NodeSpec_Availability, NodeSpec_Membership, NodeStatus_State, type NodeDescription } from '@shoal/proto';
import { cryptoRandom, systemClock, systemTimers } from '@shoal/runtime';
import { connectStore, type StoreClient } from '@shoal/store-client';
import { setMaxListeners } from 'node:events';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cpuSecondsOfPid, summarize } from '../lib/stats';
import { freePort, mainOf, metricValue, rssBytesOfPid, startApp, stopApp } from './processes';

interface Options {
  agents: number;
  durationS: number;
  ramp: number;
  connections: number;
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
    connections: num('--connections', 100), periodMs: period === undefined ? undefined : Number(period) };
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

/** Sim is the agents' shared bookkeeping. */
interface Sim {
  measuring: boolean;
  readonly rtts: number[];
  sessionEnds: number;
  sessionEndsMeasured: number;
  readonly sessions: AgentSession[];
  /** Why sessions ended: message → count. */
  readonly endReasons: Map<string, number>;
}

function startAgents(o: Options, address: string, sim: Sim, signal: AbortSignal): Promise<void>[] {
  const runs: Promise<void>[] = [];
  const insecure = credentials.createInsecure();
  const clients = Array.from({ length: Math.max(1, o.connections) }, (_, i) =>
    createClient(DispatcherClient, address, insecure, { options: { 'grpc.shoal_bench_connection': i } }));
  for (let i = 0; i < o.agents; i++) {
    const id = nodeId(i);
    const md = new Metadata();
    md.set('x-shoal-test-node', id);
    const description: NodeDescription = { hostname: `sim-${i}`, platform: { architecture: 'x86_64', os: 'linux' },
      resources: { nanoCpus: 4e9, memoryBytes: 8 * 2 ** 30, generic: [] },
      engine: { engineVersion: 'sim', labels: {}, plugins: [] }, tlsInfo: undefined, fips: false };
    const client = clients[i % clients.length];
    if (client === undefined) throw new Error('no client');
    const security = { credentials: insecure, options: {} };
    const session = new AgentSession({
      dispatchers: [address], security: () => security, metadata: () => md, describe: () => Promise.resolve(description),
      sink: { assign: () => Promise.resolve(), update: () => Promise.resolve() },
      reporter: new SessionStatusReporter({ timers: systemTimers }),
      clock: systemClock, timers: systemTimers, random: cryptoRandom(), clientFor: () => client,
      hooks: {
        onHeartbeat: (rtt) => {
          if (sim.measuring) sim.rtts.push(rtt);
        },
        onSessionEnd: (err) => {
          // Grouped by message without numbers and grpc-js's timing details.
          const why = (err instanceof Error ? err.message : String(err)).split(',')[0]?.replace(/[\d.]+/g, 'N').slice(0, 80) ?? '';
          sim.endReasons.set(why, (sim.endReasons.get(why) ?? 0) + 1);
          sim.sessionEnds++;
          if (sim.measuring) sim.sessionEndsMeasured++;
        },
      },
    });
    sim.sessions.push(session);
    const delay = (i / o.ramp) * 1000;
    runs.push(new Promise((r) => setTimeout(r, delay)).then(() => session.run(signal)));
  }
  return runs;
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
  const abort = new AbortController();
  setMaxListeners(0, abort.signal); // one listener per agent
  const sim: Sim = { measuring: false, rtts: [], sessionEnds: 0, sessionEndsMeasured: 0, sessions: [], endReasons: new Map() };
  const rampStart = Date.now();
  const runs = startAgents(o, `127.0.0.1:${grpcPort}`, sim, abort.signal);
  const connected = (): number => sim.sessions.filter((s) => s.connectedTo !== undefined).length;
  const rampDeadline = Date.now() + (o.agents / o.ramp) * 1000 + 120_000;
  let lastReport = 0;
  while (connected() < o.agents && Date.now() < rampDeadline) {
    await new Promise((r) => setTimeout(r, 500));
    if (Date.now() - lastReport < 5_000) continue;
    lastReport = Date.now();
    process.stderr.write(`bench: ${connected()}/${o.agents} agents in session; ends ${JSON.stringify([...sim.endReasons])}\n`);
  }
  const rampS = (Date.now() - rampStart) / 1000;
  const result = await measure(o, dispatcher.pid ?? 0, httpPort, client, sim, connected);
  abort.abort();
  await Promise.allSettled(runs);
  await stopApp(dispatcher);
  client.close();
  await stopApp(store);
  if (process.env['SHOAL_BENCH_KEEP_DIR'] === '1') process.stderr.write(`bench: kept ${dir}\n`);
  else fs.rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify({ ...result, rampSeconds: rampS })}\n`);
}

async function measure(o: Options, pid: number, httpPort: number, client: StoreClient, sim: Sim, connected: () => number):
  Promise<Record<string, unknown>> {
  const downBefore = await metricValue(httpPort, 'shoal_dispatcher_nodes_down_total');
  sim.measuring = true;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const driverCpu0 = process.cpuUsage();
  const cpu0 = cpuSecondsOfPid(pid);
  const t0 = Date.now();
  let rssMax = 0;
  let minConnected = connected();
  while (Date.now() - t0 < o.durationS * 1000) {
    await new Promise((r) => setTimeout(r, Math.min(5_000, o.durationS * 1000)));
    rssMax = Math.max(rssMax, rssBytesOfPid(pid));
    minConnected = Math.min(minConnected, connected());
  }
  sim.measuring = false;
  loop.disable();
  const driverCpu = process.cpuUsage(driverCpu0);
  const wallS = (Date.now() - t0) / 1000;
  const cpuS = cpuSecondsOfPid(pid) - cpu0;
  const downAfter = await metricValue(httpPort, 'shoal_dispatcher_nodes_down_total');
  const nodes = await client.list(['node']);
  const downNow = nodes.objects.filter((n) => n.kind === 'node' && n.object.status?.state === NodeStatus_State.DOWN).length;
  const hb = summarize(sim.rtts);
  return {
    bench: 'dispatcher', agents: o.agents, connectedAtStart: minConnected, connections: o.connections,
    heartbeatPeriodMs: o.periodMs ?? 5000, durationSeconds: Math.round(wallS),
    identity: 'x-shoal-test-node header per agent (no per-agent mTLS)',
    dispatcher: { cpuPercent: Math.round((cpuS / wallS) * 1000) / 10, cpuSeconds: Math.round(cpuS * 10) / 10,
      rssMaxMiB: Math.round(rssMax / 2 ** 20), rssEndMiB: Math.round(rssBytesOfPid(pid) / 2 ** 20) },
    heartbeatRtt: { count: hb.count, p50Ms: hb.p50Ms, p99Ms: hb.p99Ms, maxMs: hb.maxMs },
    // The RTT is measured in the driver, so it includes the driver's own event-loop delay.
    driver: { cpuPercent: Math.round(((driverCpu.user + driverCpu.system) / 1e6 / wallS) * 1000) / 10,
      eventLoopDelayP99Ms: Math.round(loop.percentile(99) / 1e4) / 100, rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20) },
    nodesMarkedDown: downAfter - downBefore, nodesDownAtEnd: downNow,
    sessionEndsDuringMeasurement: sim.sessionEndsMeasured, sessionEndsTotal: sim.sessionEnds,
    sessionEndReasons: Object.fromEntries(sim.endReasons),
    machine: { cpus: os.cpus().length, loadavg1m: Math.round(os.loadavg()[0] * 100) / 100 },
  };
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:dispatcher failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
