// EngineGate bounds how many container creates and starts one agent has in flight on its engine.
// On two cores the engine starts the most containers per second with four to eight in flight;
// more only lengthens every start (AGENT_RUNTIME_LIMITS.engineConcurrency). Starts are served before
// creates, so a container already created runs before another one is made.
import { assert } from '@shoal/assert';

/** GateWork names the engine operations the gate orders: a start goes before a create. */
export type GateWork = 'start' | 'create';

interface Waiter {
  readonly grant: () => void;
}

/** EngineGate is a counting semaphore with two priorities and abortable waits. */
export class EngineGate {
  private active = 0;
  private readonly queues: Record<GateWork, Waiter[]> = { start: [], create: [] };

  constructor(readonly slots: number) {
    assert(Number.isInteger(slots) && slots >= 1, 'the engine gate has at least one slot');
  }

  /** inFlight is the number of operations holding a slot. */
  get inFlight(): number {
    return this.active;
  }

  /** waiting is the number of operations queued for a slot. */
  get waiting(): number {
    return this.queues.start.length + this.queues.create.length;
  }

  /**
   * run performs `work` once a slot is free and releases the slot when it settles. An abort
   * while queued rejects with the signal's reason and never runs `work`.
   */
  async run<T>(kind: GateWork, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    await this.acquire(kind, signal);
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private acquire(kind: GateWork, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.active < this.slots) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const queue = this.queues[kind];
      const onAbort = (): void => {
        const at = queue.indexOf(waiter);
        if (at >= 0) queue.splice(at, 1);
        reject(signal.reason as Error);
      };
      const waiter: Waiter = {
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      queue.push(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private release(): void {
    const next = this.queues.start.shift() ?? this.queues.create.shift();
    // The slot passes straight to the next waiter; otherwise it is free.
    if (next !== undefined) next.grant();
    else this.active--;
  }
}
