/**
 * probe-store: a diagnostic companion of bench:store. It starts the three Shoal members (as
 * bench:store does) and runs, one phase after the other, from this process:
 *
 * - `unary`: ListMembers on the leader (the bare cost of one unary call);
 * - `readStale` / `readLinearizable`: Get on the leader, without and with the ReadIndex round;
 * - `writeLeader`: sequential writes through a client bound to the leader;
 * - `write64Leader`: 64 writes in flight to the leader.
 *
 * Each phase reports latency percentiles, ops/s, and the CPU ms per op of every member (leader
 * marked) and of this client, read from /proc: on a shared box the CPU per op, not the wall
 * time, tells where the work is. The load average is printed with the figures.
 *
 * `SHOAL_TRACE=/tmp/t` makes this process append `put-start`/`put-end` stamps to `/tmp/t.client`
 * (sequential phases), to merge with stamps added to a member build by hand. `SHOAL_BENCH_MEMBER_ARGS`
 * (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) is passed to the members (see shoal-target.ts).
 *
 *   npx tsx --tsconfig tsconfig.base.json tools/bench/store/probe-store.ts [--ops 300]
 */
import fs from 'node:fs';
import os from 'node:os';
import { connectStore } from '@shoal/store-client';
import { cpuSecondsOfPid, nowMs, summarize } from '../lib/stats';
import { shoalClient, startShoal } from './shoal-target';
import type { BenchTarget } from './target';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const OPS = Number(flag('ops', '300'));
/** Ops left out of each phase's latency figures while connections and JIT warm up. */
const WARMUP_OPS = Math.min(20, OPS >> 2);
const DEADLINE_MS = 2000;
const CONCURRENT_LANES = 64;
const VALUE = Buffer.alloc(256, 'x');
const TRACE = process.env['SHOAL_TRACE'];
const traceFd = TRACE === undefined ? undefined : fs.openSync(`${TRACE}.client`, 'a');

/** trace appends a timestamped line to `$SHOAL_TRACE.client` when tracing. */
function trace(tag: string): void {
  if (traceFd !== undefined) fs.writeSync(traceFd, `${nowMs().toFixed(3)} ${tag}\n`);
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * phase runs `op(i)` for i in [0, OPS) on `lanes` concurrent lanes and returns its latency
 * summary, ops/s and CPU ms per op of each member and of this process.
 */
async function phase(target: BenchTarget, lanes: number, op: (i: number) => Promise<unknown>) {
  const pids = target.memberPids();
  const cpu0 = pids.map(cpuSecondsOfPid);
  const own0 = process.cpuUsage();
  const samples: number[] = [];
  const lane = async (l: number): Promise<void> => {
    for (let i = l; i < OPS; i += lanes) {
      const t0 = nowMs();
      if (lanes === 1) trace(`put-start ${t0.toFixed(3)}`);
      await op(i);
      if (lanes === 1) trace('put-end');
      samples.push(nowMs() - t0);
    }
  };
  const t0 = nowMs();
  await Promise.all(Array.from({ length: lanes }, (_, l) => lane(l)));
  const elapsedS = (nowMs() - t0) / 1000;
  const own = process.cpuUsage(own0);
  return {
    ...summarize(samples.slice(WARMUP_OPS)),
    opsPerSecond: Math.round(OPS / elapsedS),
    memberCpuMsPerOp: pids.map((pid, i) => round2(((cpuSecondsOfPid(pid) - cpu0[i]) * 1000) / OPS)),
    clientCpuMsPerOp: round2((own.user + own.system) / 1000 / OPS),
  };
}

async function probe(target: BenchTarget): Promise<Record<string, unknown>> {
  const { endpoints } = target.info;
  const admin = connectStore({ endpoints, identityForTests: 'gateway' });
  const leader = (await admin.listMembers()).leader - 1;
  admin.close();
  const reader = connectStore({ endpoints: [endpoints[leader]], identityForTests: 'gateway' });
  const toLeader = shoalClient({ system: 'shoal', endpoints: [endpoints[leader]] });
  await toLeader.put('/probe/read', VALUE, DEADLINE_MS);
  const id = '0'.repeat(25);
  const out = {
    leaderMember: leader,
    unary: await phase(target, 1, () => reader.listMembers()),
    readStale: await phase(target, 1, () => reader.get('config', id, { stale: true })),
    readLinearizable: await phase(target, 1, () => reader.get('config', id)),
    writeLeader: await phase(target, 1, (i) => toLeader.put(`/probe/l/${i}`, VALUE, DEADLINE_MS)),
    write64Leader: await phase(target, CONCURRENT_LANES,
      (i) => toLeader.put(`/probe/c/${i}`, VALUE, DEADLINE_MS)),
  };
  reader.close();
  await toLeader.close();
  return out;
}

async function main(): Promise<void> {
  const loadBefore = os.loadavg()[0];
  const target = await startShoal();
  try {
    const phases = await probe(target);
    const out = { probe: 'store', ops: OPS, loadBefore, ...phases, loadAfter: os.loadavg()[0] };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    await target.stop();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`probe-store failed: ${err.message}\n`);
  process.exit(1);
});
