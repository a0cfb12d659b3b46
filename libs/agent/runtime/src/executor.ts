// The executor port: how a node-agent's task manager performs the controller's operations.
import type { Operation, OperationOutcome } from '@shoal/agent-core';
import type { Task } from '@shoal/proto';

/** ExecutorKind names an executor implementation (`--executor`). */
export type ExecutorKind = 'docker' | 'process' | 'sim';

/** EXECUTOR_KINDS lists every {@link ExecutorKind}. */
export const EXECUTOR_KINDS: readonly ExecutorKind[] = Object.freeze(['docker', 'process', 'sim']);

/**
 * TaskController runs one task on one runtime (SwarmKit's `exec.Controller`). Each method
 * performs one operation and reports its outcome; it never throws for runtime failures (it
 * returns `fatal` or `temporary`), and it honours `signal` by giving up as soon as it can (the
 * caller then ignores the outcome).
 *
 * Contract: every method is idempotent and safe after an agent restart: `prepare` of a task
 * whose container exists, `start` of a started one, `shutdown` of a stopped one and `remove` of
 * a removed one all succeed; `wait` reattaches to a running task.
 */
export interface TaskController {
  /** Create the task's runtime resources (pull the image if missing, create the container). */
  prepare(signal: AbortSignal): Promise<OperationOutcome>;
  /** Start the task; `starting` while its healthcheck has not passed, `unhealthy` (after stopping it) when it failed. */
  start(signal: AbortSignal): Promise<OperationOutcome>;
  /** Wait for the task to exit (`exited`), or to become unhealthy (stopping it). */
  wait(signal: AbortSignal): Promise<OperationOutcome>;
  /** Stop the task gracefully: its stop signal, then SIGKILL after its grace period. */
  shutdown(signal: AbortSignal): Promise<OperationOutcome>;
  /** Kill the task at once. */
  terminate(signal: AbortSignal): Promise<OperationOutcome>;
  /** Delete the task's runtime resources. */
  remove(signal: AbortSignal): Promise<OperationOutcome>;
}

/** Executor makes task controllers for one runtime (SwarmKit's `exec.Executor`). */
export interface Executor {
  readonly kind: ExecutorKind;
  /** controller returns the controller of `task` (it may hold state, e.g. the container id). */
  controller(task: Task): TaskController;
}

/**
 * runOperation performs `operation` on `controller`, turning an unexpected exception into a
 * `fatal` outcome so that one broken call cannot stall the task's manager.
 */
export async function runOperation(
  controller: TaskController,
  operation: Operation,
  signal: AbortSignal,
): Promise<OperationOutcome> {
  try {
    return await controller[operation](signal);
  } catch (err) {
    return { kind: 'fatal', error: `${operation}: ${errorMessage(err)}` };
  }
}

/** errorMessage renders an unknown thrown value. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * abortableDelay resolves after `ms`, or rejects with the signal's reason once `signal` aborts.
 * Adapter-only helper (real timers).
 */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** abortError is the error operations reject with when their signal aborts. */
export function abortError(): Error {
  const err = new Error('operation aborted');
  err.name = 'AbortError';
  return err;
}
