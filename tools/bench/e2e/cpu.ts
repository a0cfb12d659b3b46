/**
 * CPU accounting for bench:e2e: the CPU seconds each process of interest used during a phase,
 * and the whole machine's busy CPU seconds, read from /proc. On two cores every CPU second the
 * control plane burns is taken from the engine, so the figures explain the timings.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { cpuSecondsOfPid } from '../lib/stats';

/** CpuReading maps a name to CPU seconds used so far ("machine": every core's busy time). */
export type CpuReading = Record<string, number>;

const TICKS_PER_SECOND = 100;

/** machineBusySeconds is the busy (non-idle, non-iowait) CPU time of all cores since boot. */
function machineBusySeconds(): number {
  const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}

/** pidsOf returns the pids of processes named `name` (none when pidof finds none). */
function pidsOf(name: string): number[] {
  try {
    return execFileSync('pidof', [name]).toString().trim().split(/\s+/).map(Number).filter((p) => p > 0);
  } catch {
    return [];
  }
}

function safeCpu(pid: number): number {
  try {
    return cpuSecondsOfPid(pid);
  } catch {
    return 0; // the process ended: its time is lost from this reading, not an error
  }
}

/** readCpu reads the named pids, the engine (dockerd, containerd) and the machine. */
export function readCpu(pids: Readonly<Record<string, number>>): CpuReading {
  const reading: CpuReading = { machine: machineBusySeconds() };
  for (const [name, pid] of Object.entries(pids)) reading[name] = safeCpu(pid);
  for (const name of ['dockerd', 'containerd']) {
    reading[name] = pidsOf(name).reduce((sum, pid) => sum + safeCpu(pid), 0);
  }
  return reading;
}

/** cpuDelta is `after - before` per name, rounded to 10 ms. */
export function cpuDelta(before: CpuReading, after: CpuReading): CpuReading {
  const out: CpuReading = {};
  for (const [name, value] of Object.entries(after)) out[name] = Math.round((value - (before[name] ?? 0)) * 100) / 100;
  return out;
}
