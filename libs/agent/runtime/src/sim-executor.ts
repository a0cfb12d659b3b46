// The sim executor: no real work. Each operation takes a configurable latency and prepare and
// start fail with a configurable probability, so clusters of many simulated nodes can exercise
// the managers' loops (scheduling, restarts, rolling updates) on one machine.
import type { OperationOutcome } from '@shoal/agent-core';
import { assert } from '@shoal/assert';
import type { Random } from '@shoal/random';
import type { Task } from '@shoal/proto';
import { abortableDelay, type Executor, type TaskController } from './executor';

/** SimExecutorOptions configure the {@link SimExecutor}. */
export interface SimExecutorOptions {
  /** Ms that prepare and start each take. */
  readonly startLatencyMs: number;
  /** Probability in [0, 1] that prepare (REJECTED) or start (FAILED) fails. */
  readonly failureRate: number;
  /** Ms a started task runs before exiting with `exitCode`; undefined = until shut down. */
  readonly runMs?: number | undefined;
  /** Exit code after `runMs`; default 0. */
  readonly exitCode?: number;
  /** Randomness for the failures. */
  readonly random: Random;
}

/** SIM_FAILURE is the error of an injected failure. */
export const SIM_FAILURE = 'sim: injected failure';
/** The exit code a simulated task reports when it is stopped (SIGTERM). */
const STOPPED_EXIT_CODE = 143;

interface SimTask {
  running: boolean;
  exitCode: number | undefined;
  readonly waiters: Array<() => void>;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** SimExecutor pretends to run tasks. */
export class SimExecutor implements Executor {
  readonly kind = 'sim' as const;
  private readonly tasks = new Map<string, SimTask>();

  constructor(private readonly options: SimExecutorOptions) {
    assert(options.startLatencyMs >= 0, 'latency is not negative');
    assert(options.failureRate >= 0 && options.failureRate <= 1, 'failure rate is a probability');
  }

  /** running returns how many simulated tasks run now. */
  running(): number {
    return [...this.tasks.values()].filter((t) => t.running).length;
  }

  controller(task: Task): TaskController {
    return new SimController(task.id, this.options, this.tasks);
  }
}

class SimController implements TaskController {
  constructor(
    private readonly taskId: string,
    private readonly options: SimExecutorOptions,
    private readonly tasks: Map<string, SimTask>,
  ) {}

  private get container() {
    return { containerId: `sim-${this.taskId}`, pid: 0, exitCode: 0 };
  }

  private fails(): boolean {
    return this.options.failureRate > 0 && this.options.random.float() < this.options.failureRate;
  }

  private finish(sim: SimTask, exitCode: number): void {
    if (sim.timer !== undefined) clearTimeout(sim.timer);
    sim.timer = undefined;
    sim.running = false;
    sim.exitCode ??= exitCode;
    for (const waiter of sim.waiters.splice(0)) waiter();
  }

  async prepare(signal: AbortSignal): Promise<OperationOutcome> {
    await abortableDelay(this.options.startLatencyMs, signal);
    if (this.tasks.has(this.taskId)) return { kind: 'done', container: this.container };
    if (this.fails()) return { kind: 'fatal', error: SIM_FAILURE };
    this.tasks.set(this.taskId, { running: false, exitCode: undefined, waiters: [], timer: undefined });
    return { kind: 'done', container: this.container };
  }

  async start(signal: AbortSignal): Promise<OperationOutcome> {
    const sim = this.tasks.get(this.taskId);
    if (sim === undefined) return { kind: 'fatal', error: 'sim: the task was not prepared' };
    if (sim.exitCode !== undefined) return { kind: 'exited', exitCode: sim.exitCode, oomKilled: false, container: this.container };
    if (sim.running) return { kind: 'done', container: this.container };
    await abortableDelay(this.options.startLatencyMs, signal);
    if (this.fails()) return { kind: 'fatal', error: SIM_FAILURE };
    sim.running = true;
    if (this.options.runMs !== undefined) {
      sim.timer = setTimeout(() => this.finish(sim, this.options.exitCode ?? 0), this.options.runMs);
    }
    return { kind: 'done', container: this.container };
  }

  async wait(signal: AbortSignal): Promise<OperationOutcome> {
    const sim = this.tasks.get(this.taskId);
    if (sim === undefined) return { kind: 'fatal', error: 'sim: the task is unknown (simulated tasks do not survive an agent restart)' };
    if (sim.running) {
      await new Promise<void>((resolve) => {
        sim.waiters.push(resolve);
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      if (signal.aborted) return { kind: 'temporary', error: 'wait cancelled' };
    }
    const exitCode = sim.exitCode ?? 0;
    return { kind: 'exited', exitCode, oomKilled: false, container: { ...this.container, exitCode } };
  }

  async shutdown(): Promise<OperationOutcome> {
    const sim = this.tasks.get(this.taskId);
    if (sim?.running === true) this.finish(sim, STOPPED_EXIT_CODE);
    return { kind: 'done' };
  }

  async terminate(): Promise<OperationOutcome> {
    return this.shutdown();
  }

  async remove(): Promise<OperationOutcome> {
    const sim = this.tasks.get(this.taskId);
    if (sim !== undefined) this.finish(sim, STOPPED_EXIT_CODE);
    this.tasks.delete(this.taskId);
    return { kind: 'done' };
  }
}
