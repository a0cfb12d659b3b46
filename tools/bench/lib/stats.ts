/**
 * Latency statistics for benchmarks: exact percentiles over recorded samples (benchmarks
 * record at most a few hundred thousand samples, so sorting once is fine).
 */
export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/** summarize returns count, p50, p99, max and mean of `samplesMs` (zeros when empty). */
export function summarize(samplesMs: readonly number[]): LatencySummary {
  if (samplesMs.length === 0) return { count: 0, p50Ms: 0, p99Ms: 0, maxMs: 0, meanMs: 0 };
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const round = (x: number) => Math.round(x * 1000) / 1000;
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
    maxMs: round(sorted[sorted.length - 1]),
    meanMs: round(sum / sorted.length),
  };
}

/** nowMs is a wall-clock timestamp with sub-millisecond precision, comparable across processes. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** cpuSecondsOfPid reads a process's user+system CPU seconds from /proc (Linux). */
export function cpuSecondsOfPid(pid: number): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require('node:fs') as typeof import('node:fs');
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100;
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}
