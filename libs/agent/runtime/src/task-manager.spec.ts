// Goal: the task manager drives the core's step function faithfully: temporary errors are
// retried with backoff until they succeed, a lower desired state is ignored, a raised one
// cancels the operation in flight (a blocked wait) and shuts the task down, every new status
// is persisted before it is reported, and close leaves the task alone.
// Method: a scripted fake controller (queued outcomes per operation, a wait that blocks until
// aborted), real timers with short limits, a temporary task store.
import type { Operation, OperationOutcome } from '@shoal/agent-core';
import { systemClock, systemTimers } from '@shoal/runtime';
import { TaskState } from '@shoal/proto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskController } from './executor';
import { TaskManager } from './task-manager';
import { LocalTaskStore } from './task-store';
import { makeTask, StatusLog, waitFor } from './testing/fixtures';

const LIMITS = { retryInitialMs: 10, retryMaxMs: 40, healthPollMs: 10 };

/** ScriptedController answers each operation from a queue (default done); wait blocks until aborted. */
class ScriptedController implements TaskController {
  readonly calls: Operation[] = [];
  constructor(private readonly script: Partial<Record<Operation, OperationOutcome[]>> = {}) {}
  private answer(op: Operation): OperationOutcome {
    this.calls.push(op);
    return this.script[op]?.shift() ?? { kind: 'done' };
  }
  async prepare() { return this.answer('prepare'); }
  async start() { return this.answer('start'); }
  async wait(signal: AbortSignal): Promise<OperationOutcome> {
    const scripted = this.script.wait?.shift();
    this.calls.push('wait');
    if (scripted !== undefined) return scripted;
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    return { kind: 'exited', exitCode: 143, oomKilled: false };
  }
  async shutdown() { return this.answer('shutdown'); }
  async terminate() { return this.answer('terminate'); }
  async remove() { return this.answer('remove'); }
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-agent-tm-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function manager(controller: TaskController, task = makeTask({})) {
  const store = await LocalTaskStore.open(dir);
  const log = new StatusLog();
  const persistedAtReport: TaskState[] = [];
  const report = (id: string, status: Parameters<typeof log.report>[1]): void => {
    persistedAtReport.push(store.get(id)?.status.state ?? -1);
    log.report(id, status);
  };
  const tm = new TaskManager({
    record: { task, status: { state: TaskState.ASSIGNED, message: '', err: '', appliedBy: '' }, removed: false },
    controller, store, report, clock: systemClock, timers: systemTimers, limits: LIMITS,
  });
  void tm.start();
  return { tm, log, task, store, persistedAtReport };
}

describe('TaskManager', () => {
  it('retries temporary errors until the operation succeeds', async () => {
    const ctl = new ScriptedController({
      prepare: [{ kind: 'temporary', error: 'engine down' }, { kind: 'temporary', error: 'engine down' }],
      wait: [{ kind: 'exited', exitCode: 0, oomKilled: false }],
    });
    const { log, task, tm } = await manager(ctl);
    await log.until(task.id, TaskState.COMPLETE);
    expect(ctl.calls).toEqual(['prepare', 'prepare', 'prepare', 'start', 'wait']);
    await tm.close();
  });

  it('persists each status before reporting it', async () => {
    const ctl = new ScriptedController({ wait: [{ kind: 'exited', exitCode: 1, oomKilled: false }] });
    const { log, task, persistedAtReport, tm } = await manager(ctl);
    await log.until(task.id, TaskState.FAILED);
    expect(persistedAtReport).toEqual(log.states(task.id));
    await tm.close();
  });

  it('ignores a lower desired state, and a raised one cancels the blocked wait and shuts down', async () => {
    const ctl = new ScriptedController();
    const { tm, log, task, store } = await manager(ctl);
    await log.until(task.id, TaskState.RUNNING);
    await waitFor(() => ctl.calls.includes('wait'), 2_000);
    tm.update({ ...task, desiredState: TaskState.READY });
    await new Promise((r) => setTimeout(r, 50));
    expect(log.last(task.id)?.state).toBe(TaskState.RUNNING);
    tm.update({ ...task, desiredState: TaskState.SHUTDOWN });
    await log.until(task.id, TaskState.SHUTDOWN);
    // The aborted wait's exit (143) was not taken for a failure.
    expect(log.states(task.id)).not.toContain(TaskState.FAILED);
    expect(store.get(task.id)?.status.state).toBe(TaskState.SHUTDOWN);
    tm.unassign();
    await tm.done;
    expect(tm.removed).toBe(true);
    expect(ctl.calls.slice(-2)).toEqual(['shutdown', 'remove']);
  });

  it('close stops driving the task without shutting it down', async () => {
    const ctl = new ScriptedController();
    const { tm, log, task } = await manager(ctl);
    await log.until(task.id, TaskState.RUNNING);
    await tm.close();
    expect(ctl.calls).not.toContain('shutdown');
    expect(log.last(task.id)?.state).toBe(TaskState.RUNNING);
  });
});
