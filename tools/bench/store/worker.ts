/**
 * One load-generating process of bench:store. The coordinator forks several so that the
 * client is not the bottleneck; each runs `inflight` concurrent loops for `seconds` and sends
 * back its latencies, op and error counts, and its own CPU time.
 */
import { clientFor } from './clients';
import { nowMs } from '../lib/stats';
import type { TargetInfo } from './target';

/** WorkerJob is the coordinator's order to one worker. */
export interface WorkerJob {
  info: TargetInfo;
  mode: 'put' | 'get' | 'watch' | 'stamp';
  /** Pause between operations of one lane (the watch writer paces itself). */
  gapMs?: number;
  inflight: number;
  seconds: number;
  keyPrefix: string;
  valueBytes: number;
  deadlineMs: number;
}

/** WorkerResult is what a worker reports when its time is up. */
export interface WorkerResult {
  latenciesMs: number[];
  ops: number;
  errors: number;
  cpuSeconds: number;
}

async function runLoad(job: WorkerJob): Promise<WorkerResult> {
  const client = clientFor(job.info);
  const latenciesMs: number[] = [];
  let ops = 0;
  let errors = 0;
  const end = nowMs() + job.seconds * 1000;
  const value = Buffer.alloc(job.valueBytes, 'x');
  if (job.mode === 'get') await client.put(`${job.keyPrefix}0`, value, job.deadlineMs);
  const loop = async (lane: number) => {
    let i = 0;
    while (nowMs() < end) {
      const key = `${job.keyPrefix}${lane}-${i++ % 1000}`;
      const t0 = nowMs();
      try {
        if (job.mode === 'put') await client.put(key, value, job.deadlineMs);
        else if (job.mode === 'stamp') await client.put(key, Buffer.from(String(t0)), job.deadlineMs);
        else await client.get(`${job.keyPrefix}0`, job.deadlineMs);
        latenciesMs.push(nowMs() - t0);
        ops++;
      } catch {
        errors++;
      }
      if (job.gapMs) await new Promise((r) => setTimeout(r, job.gapMs));
    }
  };
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: job.inflight }, (_, lane) => loop(lane)));
  const cpu = process.cpuUsage(cpu0);
  await client.close();
  return { latenciesMs, ops, errors, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/** runWatch measures put→event delivery: values carry their send time. */
async function runWatch(job: WorkerJob): Promise<WorkerResult> {
  const client = clientFor(job.info);
  const latenciesMs: number[] = [];
  const cancel = await client.watch(job.keyPrefix, (_key, value) => {
    latenciesMs.push(nowMs() - Number(value.toString()));
  });
  process.send?.({ ready: true });
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, job.seconds * 1000 + 500));
  const cpu = process.cpuUsage(cpu0);
  await cancel();
  await client.close();
  return { latenciesMs, ops: latenciesMs.length, errors: 0, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

process.once('message', (job: WorkerJob) => {
  const run = job.mode === 'watch' ? runWatch(job) : runLoad(job);
  run.then(
    (result) => process.send?.({ result }, () => process.exit(0)),
    (err: Error) => process.send?.({ error: err.message }, () => process.exit(1)),
  );
});
