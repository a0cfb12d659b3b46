/**
 * `npm run bench:store`: the store workload against Shoal's raft-store and, in the same run,
 * against a three-member etcd on loopback, with the ratio of each figure. Load comes from
 * several forked client processes (one Node client saturates near 4k writes/s here), whose
 * CPU is reported. Prints one JSON object on stdout; progress goes to stderr.
 *
 *   npm run bench:store -- [--seconds 5] [--systems etcd,shoal] [--writer-procs 4]
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { cpuSecondsOfPid, nowMs, summarize, type LatencySummary } from '../lib/stats';
import { clientFor } from './clients';
import { startEtcd } from './etcd-target';
import { startShoal } from './shoal-target';
import type { BenchTarget } from './target';
import type { WorkerJob, WorkerResult } from './worker';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const SECONDS = Number(flag('seconds', '5'));
const SYSTEMS = flag('systems', 'shoal,etcd').split(',') as Array<'etcd' | 'shoal'>;
const WRITER_PROCS = Number(flag('writer-procs', '4'));
const VALUE_BYTES = 256;
const DEADLINE_MS = 2000;
const FAILOVER_DEADLINE_MS = 250;
const FAILOVER_ROUNDS = 3;
const log = (msg: string) => process.stderr.write(`bench:store ${msg}\n`);

interface PhaseResult extends LatencySummary {
  opsPerSecond: number;
  errors: number;
  clientProcs: number;
  clientCpuSeconds: number;
  memberCpuSeconds: number;
}

function startWorker(job: WorkerJob): { child: ChildProcess; done: Promise<WorkerResult>; ready: Promise<void> } {
  const child = fork(path.join(__dirname, 'worker.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, TSX_TSCONFIG_PATH: path.resolve(__dirname, '../../../tsconfig.base.json') },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let onReady = () => {};
  const ready = new Promise<void>((r) => (onReady = r));
  const done = new Promise<WorkerResult>((resolve, reject) => {
    child.on('message', (m: { ready?: boolean; result?: WorkerResult; error?: string }) => {
      if (m.ready) onReady();
      if (m.result) resolve(m.result);
      if (m.error) reject(new Error(m.error));
    });
    child.once('exit', (code) => code !== 0 && reject(new Error(`worker exited ${code}`)));
  });
  child.send(job);
  return { child, done, ready };
}

async function runPhase(target: BenchTarget, mode: 'put' | 'get', procs: number, inflight: number, name: string) {
  log(`${target.info.system}: ${name} (${procs} procs × ${inflight} in flight, ${SECONDS} s)`);
  const memberCpu0 = target.memberPids().map(cpuSecondsOfPid);
  const t0 = nowMs();
  const workers = Array.from({ length: procs }, (_, p) =>
    startWorker({ info: target.info, mode, inflight, seconds: SECONDS, keyPrefix: `/bench/${name}/${p}/`,
      valueBytes: VALUE_BYTES, deadlineMs: DEADLINE_MS }));
  const results = await Promise.all(workers.map((w) => w.done));
  const elapsedS = (nowMs() - t0) / 1000;
  const memberCpu = target.memberPids().map(cpuSecondsOfPid).reduce((a, b, i) => a + b - (memberCpu0[i] ?? 0), 0);
  const ops = results.reduce((a, r) => a + r.ops, 0);
  const phase: PhaseResult = {
    ...summarize(results.flatMap((r) => r.latenciesMs)),
    opsPerSecond: Math.round(ops / Math.min(elapsedS, SECONDS)),
    errors: results.reduce((a, r) => a + r.errors, 0),
    clientProcs: procs,
    clientCpuSeconds: Math.round(results.reduce((a, r) => a + r.cpuSeconds, 0) * 100) / 100,
    memberCpuSeconds: Math.round(memberCpu * 100) / 100,
  };
  return phase;
}

async function runWatchPhase(target: BenchTarget): Promise<LatencySummary> {
  log(`${target.info.system}: watch delivery (${SECONDS} s)`);
  const base = { info: target.info, inflight: 1, seconds: SECONDS, keyPrefix: '/bench/watch/',
    valueBytes: VALUE_BYTES, deadlineMs: DEADLINE_MS };
  const watcher = startWorker({ ...base, mode: 'watch' });
  await watcher.ready;
  const writer = startWorker({ ...base, mode: 'stamp', gapMs: 5 });
  await writer.done;
  return summarize((await watcher.done).latenciesMs);
}

async function runFailover(target: BenchTarget): Promise<{ samplesMs: number[]; maxMs: number; medianMs: number }> {
  // One client per endpoint, tried in turn with a tight deadline: what a client that knows
  // every member does when its leader vanishes (etcd3's own client backs off a dead host).
  const clients = target.info.endpoints.map((ep) => clientFor({ ...target.info, endpoints: [ep] }));
  const client = clientFor(target.info);
  const samplesMs: number[] = [];
  for (let round = 0; round < FAILOVER_ROUNDS; round++) {
    log(`${target.info.system}: failover round ${round + 1}/${FAILOVER_ROUNDS}`);
    await client.put('/bench/failover', Buffer.from('warm'), DEADLINE_MS);
    const killedAt = nowMs();
    const killed = await target.killLeader();
    for (let attempt = 0; ; attempt++) {
      try {
        const via = clients[attempt % clients.length];
        await via.put('/bench/failover', Buffer.from(String(round)), FAILOVER_DEADLINE_MS);
        break;
      } catch {
        // Not yet: the next attempt goes out at once, to the next member.
      }
    }
    samplesMs.push(Math.round(nowMs() - killedAt));
    await target.restartMember(killed);
  }
  await Promise.all([client, ...clients].map((c) => c.close()));
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { samplesMs, maxMs: sorted[sorted.length - 1], medianMs: sorted[Math.floor(sorted.length / 2)] };
}

async function benchSystem(system: 'etcd' | 'shoal') {
  const target = system === 'etcd' ? await startEtcd() : await startShoal();
  try {
    return {
      writeSequential: await runPhase(target, 'put', 1, 1, 'seq'),
      write64: await runPhase(target, 'put', WRITER_PROCS, 64 / WRITER_PROCS, 'w64'),
      readLinearizable: await runPhase(target, 'get', 1, 1, 'read'),
      watchDelivery: await runWatchPhase(target),
      failover: await runFailover(target),
    };
  } finally {
    await target.stop();
  }
}

async function main(): Promise<void> {
  const out: Record<string, unknown> = {
    bench: 'store', seconds: SECONDS, valueBytes: VALUE_BYTES, writerProcs: WRITER_PROCS,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
  };
  const results: Record<string, Awaited<ReturnType<typeof benchSystem>> | { error: string }> = {};
  for (const system of SYSTEMS) {
    try {
      results[system] = await benchSystem(system);
    } catch (err) {
      log(`${system}: ${(err as Error).message}`);
      results[system] = { error: (err as Error).message };
    }
  }
  out['results'] = results;
  out['ratios'] = ratios(results);
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

/** ratios divides Shoal's figure by etcd's (throughput: >1 is better; latency: <1 is better). */
function ratios(results: Record<string, unknown>): Record<string, number> | string {
  const s = results['shoal'] as Awaited<ReturnType<typeof benchSystem>> | { error: string } | undefined;
  const e = results['etcd'] as Awaited<ReturnType<typeof benchSystem>> | { error: string } | undefined;
  if (!s || !e || 'error' in s || 'error' in e) return 'needs both systems';
  const r = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  return {
    writeSequentialP50: r(s.writeSequential.p50Ms, e.writeSequential.p50Ms),
    write64Throughput: r(s.write64.opsPerSecond, e.write64.opsPerSecond),
    readLinearizableP50: r(s.readLinearizable.p50Ms, e.readLinearizable.p50Ms),
    watchDeliveryP99: r(s.watchDelivery.p99Ms, e.watchDelivery.p99Ms),
    failoverMax: r(s.failover.maxMs, e.failover.maxMs),
  };
}

main().catch((err: Error) => {
  process.stderr.write(`bench:store failed: ${err.message}\n`);
  process.exit(1);
});
