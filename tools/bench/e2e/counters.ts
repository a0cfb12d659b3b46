/**
 * Counters scraped from the topology's /metrics endpoints around a bench:e2e phase: how many
 * raft proposals the store committed, how many passes and writes each control loop made and
 * how many task statuses the dispatcher wrote. They explain where the control plane's CPU goes.
 */
import http from 'node:http';

/** Scrape is one endpoint to read: a label for the output and its /metrics URL. */
export interface Scrape {
  readonly name: string;
  readonly port: number;
}

const WANTED = [
  'shoal_raft_proposals_committed_total', 'shoal_raft_wal_fsync_duration_seconds_count',
  'shoal_loop_passes_total', 'shoal_loop_writes_total', 'shoal_dispatcher_status_writes_total',
];
const SCRAPE_TIMEOUT_MS = 2_000;

function get(port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/metrics', timeout: SCRAPE_TIMEOUT_MS }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve(text));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve('')); // a process that does not answer contributes nothing
  });
}

/** readCounters sums each wanted counter (over its labels) per endpoint: `<name>.<metric>`. */
export async function readCounters(scrapes: readonly Scrape[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of scrapes) {
    for (const line of (await get(s.port)).split('\n')) {
      const metric = WANTED.find((w) => line.startsWith(`${w} `) || line.startsWith(`${w}{`));
      if (metric === undefined) continue;
      const key = `${s.name}.${metric.replace(/^shoal_/, '').replace(/_total$/, '')}`;
      out[key] = (out[key] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return out;
}

/** counterDelta is `after - before` per key, keys that did not move left out. */
export function counterDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) !== 0) out[k] = v - (before[k] ?? 0);
  return out;
}
