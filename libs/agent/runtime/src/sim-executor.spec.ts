// Goal: the sim executor walks tasks through the real state machine with no real work: its
// latency delays start, its failure rate rejects tasks, runMs ends them, shutdown and removal
// work. Method: a Worker with the sim executor and a seeded Random.
import { SeededRandom } from '@shoal/random';
import { systemClock, systemTimers } from '@shoal/runtime';
import { TaskState } from '@shoal/proto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIM_FAILURE, SimExecutor, type SimExecutorOptions } from './sim-executor';
import { LocalTaskStore } from './task-store';
import { makeTask, StatusLog, waitFor } from './testing/fixtures';
import { Worker } from './worker';

let dir: string;
const workers: Worker[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-agent-sim-'));
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
  await rm(dir, { recursive: true, force: true });
});

async function agent(options: Partial<SimExecutorOptions>): Promise<{ worker: Worker; log: StatusLog; executor: SimExecutor }> {
  const store = await LocalTaskStore.open(dir);
  const log = new StatusLog();
  const executor = new SimExecutor({ startLatencyMs: 0, failureRate: 0, random: new SeededRandom(7), ...options });
  const worker = new Worker({ executor, store, report: log.report, clock: systemClock, timers: systemTimers });
  await worker.init();
  workers.push(worker);
  return { worker, log, executor };
}

describe('sim executor', () => {
  it('runs tasks after the start latency until shut down, then removes them', async () => {
    const { worker, log, executor } = await agent({ startLatencyMs: 50 });
    const tasks = [makeTask({}), makeTask({}), makeTask({})];
    const started = Date.now();
    await worker.assign(tasks);
    for (const t of tasks) await log.until(t.id, TaskState.RUNNING);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90); // prepare + start latency
    expect(executor.running()).toBe(3);
    await worker.assign([]);
    for (const t of tasks) await log.until(t.id, TaskState.SHUTDOWN);
    await waitFor(() => worker.statuses().size === 0, 5_000, () => 'every task removed');
    expect(executor.running()).toBe(0);
  });

  it('ends tasks after runMs with the configured exit code', async () => {
    const { worker, log } = await agent({ runMs: 20, exitCode: 2 });
    const task = makeTask({});
    await worker.assign([task]);
    const failed = await log.until(task.id, TaskState.FAILED);
    expect(failed.err).toBe('task: non-zero exit (2)');
  });

  it('with failure rate 1 rejects every task', async () => {
    const { worker, log } = await agent({ failureRate: 1 });
    const task = makeTask({});
    await worker.assign([task]);
    const rejected = await log.until(task.id, TaskState.REJECTED);
    expect(rejected.err).toBe(SIM_FAILURE);
  });

  it('with failure rate 0.5 fails some of many tasks, deterministically per seed', async () => {
    const { worker, log } = await agent({ failureRate: 0.5 });
    const tasks = Array.from({ length: 40 }, () => makeTask({}));
    await worker.assign(tasks);
    for (const t of tasks) await waitFor(() => [TaskState.RUNNING, TaskState.FAILED, TaskState.REJECTED].includes(log.last(t.id)?.state ?? -1), 5_000);
    const failed = tasks.filter((t) => log.last(t.id)?.state !== TaskState.RUNNING).length;
    expect(failed).toBeGreaterThan(10);
    expect(failed).toBeLessThan(40);
  });
});
