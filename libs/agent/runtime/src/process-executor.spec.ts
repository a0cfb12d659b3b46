// Goal: the process executor runs a task's command + args as a plain child process, reports
// its exit code (0 → COMPLETE, N → FAILED "task: non-zero exit (N)", killed → 128 + signal),
// rejects tasks whose executable is missing, stops a task within its grace period, and does
// not pretend to reattach after a restart.
// Method: a Worker with the process executor on a temporary state directory, real /bin tools.
import { systemClock, systemTimers } from '@shoal/runtime';
import { durationFromMs, TaskState } from '@shoal/proto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitCodeOf, ProcessExecutor } from './process-executor';
import { LocalTaskStore } from './task-store';
import { makeTask, StatusLog, waitFor } from './testing/fixtures';
import { Worker } from './worker';

const LIMITS = { retryInitialMs: 20, retryMaxMs: 100, healthPollMs: 50 };
let dir: string;
const workers: Worker[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-agent-process-'));
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
  await rm(dir, { recursive: true, force: true });
});

async function agent(): Promise<{ worker: Worker; log: StatusLog }> {
  const store = await LocalTaskStore.open(dir);
  const log = new StatusLog();
  const executor = new ProcessExecutor({ workRoot: join(dir, 'work') });
  const worker = new Worker({ executor, store, report: log.report, clock: systemClock, timers: systemTimers, limits: LIMITS });
  await worker.init();
  workers.push(worker);
  return { worker, log };
}

describe('process executor', () => {
  it('runs command + args and reports COMPLETE on exit 0', async () => {
    const { worker, log } = await agent();
    const task = makeTask({ command: ['sh', '-c'], args: ['test "$GREETING" = hello'], env: ['GREETING=hello'] });
    await worker.assign([task]);
    const done = await log.until(task.id, TaskState.COMPLETE);
    expect(done.state).toBe(TaskState.COMPLETE);
    expect(done.containerStatus?.pid).toBeGreaterThan(0);
    expect(log.states(task.id)).toEqual([
      TaskState.ACCEPTED, TaskState.PREPARING, TaskState.READY, TaskState.STARTING, TaskState.RUNNING, TaskState.COMPLETE,
    ]);
  });

  it('reports a non-zero exit as FAILED with its code', async () => {
    const { worker, log } = await agent();
    const task = makeTask({ command: ['sh', '-c', 'exit 7'] });
    await worker.assign([task]);
    const failed = await log.until(task.id, TaskState.FAILED);
    expect(failed.err).toBe('task: non-zero exit (7)');
    expect(failed.containerStatus?.exitCode).toBe(7);
  });

  it('rejects a task whose executable does not exist, or that has no command', async () => {
    const { worker, log } = await agent();
    const missing = makeTask({ command: ['/nonexistent/shoal-binary'] });
    const empty = makeTask({});
    await worker.assign([missing, empty]);
    expect((await log.until(missing.id, TaskState.REJECTED)).err).toBe('process executor: executable not found: /nonexistent/shoal-binary');
    expect((await log.until(empty.id, TaskState.REJECTED)).err).toMatch(/no command/);
  });

  it('stops a running task on desired SHUTDOWN, escalating to SIGKILL after the grace period', async () => {
    const { worker, log } = await agent();
    // The shell ignores SIGTERM, so only the SIGKILL after the 300 ms grace period stops it.
    const task = makeTask({ command: ['sh', '-c', "trap '' TERM; while true; do sleep 0.05; done"], stopGracePeriod: durationFromMs(300) });
    await worker.assign([task]);
    await log.until(task.id, TaskState.RUNNING);
    const started = Date.now();
    await worker.update([{ ...task, desiredState: TaskState.SHUTDOWN }], []);
    await log.until(task.id, TaskState.SHUTDOWN);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await worker.assign([]);
    await waitFor(() => worker.manager(task.id) === undefined, 5_000, () => 'the task to be removed');
  });

  it('fails a reattached RUNNING task whose process it no longer knows', async () => {
    const first = await agent();
    const task = makeTask({ command: ['sleep', '30'] });
    await first.worker.assign([task]);
    await first.log.until(task.id, TaskState.RUNNING);
    await first.worker.close();
    const second = await agent();
    const failed = await second.log.until(task.id, TaskState.FAILED);
    expect(failed.err).toMatch(/not reattached/);
    // Clean up the orphan the first agent left behind.
    process.kill(failed.containerStatus?.pid ?? 0, 'SIGKILL');
  });

  it('maps a signal to 128 + its number', () => {
    expect(exitCodeOf({ code: null, signal: 'SIGKILL' })).toBe(137);
    expect(exitCodeOf({ code: 3, signal: null })).toBe(3);
  });
});
