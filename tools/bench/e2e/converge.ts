/**
 * Convergence measured the same way for every system: poll the engine's container list every
 * POLL_MS and stop when `count` containers with the label are running (and, for a rolling
 * update, none of them is one of the containers that ran before).
 */
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { containersWithLabel } from './engine';

const POLL_MS = 100;

/** WaitOptions: the containers that must be gone (rolling update) and a time limit. */
export interface WaitOptions {
  readonly replacing?: ReadonlySet<string>;
  readonly timeoutMs: number;
}

/** runningIds lists the IDs of running containers with `label`. */
export async function runningIds(label: string): Promise<string[]> {
  return (await containersWithLabel(label)).filter((c) => c.State === 'running').map((c) => c.Id);
}

/**
 * waitRunning resolves the ms from `t0` (performance.now()) until exactly `count` containers
 * with `label` run and none is in `replacing`. Throws, with the last count, after timeoutMs.
 */
export async function waitRunning(label: string, count: number, t0: number, opts: WaitOptions): Promise<number> {
  let last = 0;
  for (;;) {
    const ids = await runningIds(label);
    const fresh = opts.replacing === undefined ? ids.length : ids.filter((id) => !opts.replacing?.has(id)).length;
    if (fresh === count && ids.length === count) return Math.round(performance.now() - t0);
    last = fresh;
    if (performance.now() - t0 > opts.timeoutMs) {
      throw new Error(`${label}: ${last}/${count} running after ${opts.timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** waitNone resolves once no container with `label` exists at all (all states). */
export async function waitNone(label: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while ((await containersWithLabel(label)).length > 0) {
    if (performance.now() > deadline) throw new Error(`${label}: containers left after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** dockerCli runs the real docker CLI (optionally against `host`); resolves stdout, rejects with stderr. */
export function dockerCli(args: readonly string[], host?: string): Promise<string> {
  const env = { ...process.env };
  if (host !== undefined) env['DOCKER_HOST'] = host;
  else delete env['DOCKER_HOST'];
  return new Promise((resolve, reject) => {
    execFile('docker', [...args], { env, timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`docker ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}
