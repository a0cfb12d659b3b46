/**
 * The engine's own floor: N containers created and started straight through the Engine API
 * (same image, command, default network and label shape as a task), at several concurrencies.
 */
import { performance } from 'node:perf_hooks';
import { waitNone } from './converge';
import { engine, expectStatus, pool, removeContainers } from './engine';

/** FloorRun is one concurrency's time to N running containers. */
export interface FloorRun {
  readonly concurrency: number;
  readonly ms: number;
}

/** FloorResult is every run and the best one. */
export interface FloorResult {
  readonly runs: FloorRun[];
  readonly best: FloorRun;
}

async function createAndStart(image: string, label: string, runId: string, i: number): Promise<void> {
  const created = expectStatus(await engine('POST', `/containers/create?name=shoal-floor-${runId}-${i}`, {
    Image: image, Cmd: ['sleep', '100000'], Labels: { [label]: runId, 'com.shoal.bench.slot': String(i) },
    StopTimeout: 0, HostConfig: {},
  }), [201], 'create container');
  const id = (created.body as { Id: string }).Id;
  expectStatus(await engine('POST', `/containers/${id}/start`), [204, 304], 'start container');
}

/** measureFloor runs one round per concurrency (containers removed between rounds). */
export async function measureFloor(opts: {
  replicas: number; image: string; concurrencies: readonly number[]; label: string; log: (m: string) => void;
}): Promise<FloorResult> {
  const runs: FloorRun[] = [];
  for (const concurrency of opts.concurrencies) {
    const runId = `${process.pid}-${concurrency}`;
    const t0 = performance.now();
    await pool(Array.from({ length: opts.replicas }, (_, i) => () => createAndStart(opts.image, opts.label, runId, i)), concurrency);
    const ms = Math.round(performance.now() - t0);
    runs.push({ concurrency, ms });
    opts.log(`floor: ${opts.replicas} containers at concurrency ${concurrency}: ${ms} ms`);
    await removeContainers(opts.label);
    await waitNone(opts.label, 60_000);
  }
  const best = runs.reduce((a, b) => (b.ms < a.ms ? b : a));
  return { runs, best };
}
