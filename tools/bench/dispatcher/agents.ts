/**
 * A worker process of bench:dispatcher: runs the simulated agents of one slice of the nodes
 * (each its own node ID by the test header, and its own AgentSession), and reports to the
 * parent over IPC: every 2 s `{ progress }` (agents in session, session ends and why), and on
 * `{ stop }` the heartbeat round trips measured since `{ measure }`, then exits.
 */
import { credentials, Metadata } from '@grpc/grpc-js';
import { AgentSession, DISPATCHER_CHANNEL_OPTIONS, SessionStatusReporter } from '@shoal/agent-runtime';
import { createClient } from '@shoal/grpc';
import type { NodeDescription } from '@shoal/proto';
import { DispatcherClient } from '@shoal/proto-grpc';
import { cryptoRandom, systemClock, systemTimers } from '@shoal/runtime';
import { setMaxListeners } from 'node:events';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** AgentsJob is the slice a worker runs. */
export interface AgentsJob {
  readonly address: string;
  readonly ids: readonly string[];
  /** New agents per second in this worker. */
  readonly ramp: number;
  readonly connections: number;
}

/** AgentsProgress is what a worker reports every 2 s. */
export interface AgentsProgress {
  readonly connected: number;
  readonly sessionEnds: number;
  readonly endReasons: Record<string, number>;
}

/** AgentsResult is what a worker reports when stopped. */
export interface AgentsResult extends AgentsProgress {
  readonly rtts: number[];
  readonly sessionEndsMeasured: number;
  readonly cpuSeconds: number;
  readonly eventLoopDelayP99Ms: number;
  readonly rssMiB: number;
}

const description = (i: number): NodeDescription => ({ hostname: `sim-${i}`, platform: { architecture: 'x86_64', os: 'linux' },
  resources: { nanoCpus: 4e9, memoryBytes: 8 * 2 ** 30, generic: [] },
  engine: { engineVersion: 'sim', labels: {}, plugins: [] }, tlsInfo: undefined, fips: false });

function run(job: AgentsJob): void {
  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  const insecure = credentials.createInsecure();
  const clients = Array.from({ length: Math.max(1, job.connections) }, (_, i) =>
    createClient(DispatcherClient, job.address, insecure, { options: { ...DISPATCHER_CHANNEL_OPTIONS, 'grpc.shoal_bench_connection': i } }));
  const state = { measuring: false, rtts: [] as number[], ends: 0, endsMeasured: 0, reasons: new Map<string, number>() };
  const sessions: AgentSession[] = [];
  const runs: Promise<void>[] = [];
  job.ids.forEach((id, i) => {
    const md = new Metadata();
    md.set('x-shoal-test-node', id);
    const client = clients[i % clients.length];
    if (client === undefined) throw new Error('no client');
    const session = new AgentSession({
      dispatchers: [job.address], security: () => ({ credentials: insecure, options: {} }), metadata: () => md,
      describe: () => Promise.resolve(description(i)), sink: { assign: () => Promise.resolve(), update: () => Promise.resolve() },
      reporter: new SessionStatusReporter({ timers: systemTimers }), clock: systemClock, timers: systemTimers,
      random: cryptoRandom(), clientFor: () => client,
      hooks: {
        onHeartbeat: (rtt) => {
          if (state.measuring) state.rtts.push(rtt);
        },
        onSessionEnd: (err) => {
          // Grouped by message without numbers and grpc-js's timing details.
          const why = (err instanceof Error ? err.message : String(err)).split(',')[0]?.replace(/[\d.]+/g, 'N').slice(0, 80) ?? '';
          state.reasons.set(why, (state.reasons.get(why) ?? 0) + 1);
          state.ends++;
          if (state.measuring) state.endsMeasured++;
        },
      },
    });
    sessions.push(session);
    runs.push(new Promise((r) => setTimeout(r, (i / job.ramp) * 1000)).then(() => session.run(abort.signal)));
  });
  const progress = (): AgentsProgress => ({ connected: sessions.filter((s) => s.connectedTo !== undefined).length,
    sessionEnds: state.ends, endReasons: Object.fromEntries(state.reasons) });
  const timer = setInterval(() => process.send?.({ progress: progress() }), 2_000);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  let cpu0 = process.cpuUsage();
  process.on('message', (m: { measure?: boolean; stop?: boolean }) => {
    if (m.measure === true) {
      state.measuring = true;
      loop.enable();
      cpu0 = process.cpuUsage();
    }
    if (m.stop !== true) return;
    state.measuring = false;
    loop.disable();
    const cpu = process.cpuUsage(cpu0);
    const result: AgentsResult = { ...progress(), rtts: state.rtts, sessionEndsMeasured: state.endsMeasured,
      cpuSeconds: (cpu.user + cpu.system) / 1e6, eventLoopDelayP99Ms: loop.percentile(99) / 1e6,
      rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20) };
    clearInterval(timer);
    abort.abort();
    void Promise.allSettled(runs).then(() => process.send?.({ result }, () => process.exit(0)));
  });
}

process.once('message', (job: AgentsJob) => run(job));
process.send?.({ ready: true });
