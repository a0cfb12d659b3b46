// The agent's status reporter (SwarmKit agent/reporter.go): the latest status of each task
// waits here until the current dispatcher session has accepted it.
import type { TimerHandle, Timers } from '@shoal/clock';
import { AGENT_SESSION_LIMITS } from '@shoal/limits';
import type { Logger } from '@shoal/logging';
import type { TaskStatus, TaskStatusUpdate } from '@shoal/proto';

/** StatusSender delivers one batch of updates over the current session (rejects on failure). */
export type StatusSender = (updates: TaskStatusUpdate[]) => Promise<void>;

/** StatusReporterOptions configure a {@link SessionStatusReporter}. */
export interface StatusReporterOptions {
  readonly timers: Timers;
  readonly logger?: Logger | undefined;
  /** Statuses per call (default AGENT_SESSION_LIMITS.statusBatchMax). */
  readonly batchMax?: number;
  /** Ms before a failed batch is sent again (default AGENT_SESSION_LIMITS.statusRetryMs). */
  readonly retryMs?: number;
}

/**
 * SessionStatusReporter keeps the latest status per task and sends them over whatever session
 * is attached. Contract: a status lower than the one waiting for the same task is dropped
 * (states never go back); a status leaves the queue only once a send that carried it
 * succeeded and nothing newer arrived meanwhile; with no session attached statuses wait; a
 * failed send is retried after `retryMs` (the session loop replaces the sender when the
 * session itself broke). One send is in flight at a time.
 */
export class SessionStatusReporter {
  private readonly pending = new Map<string, TaskStatus>();
  private sender: StatusSender | undefined;
  private sending = false;
  private timer: TimerHandle | undefined;
  private readonly batchMax: number;
  private readonly retryMs: number;

  constructor(private readonly options: StatusReporterOptions) {
    this.batchMax = options.batchMax ?? AGENT_SESSION_LIMITS.statusBatchMax;
    this.retryMs = options.retryMs ?? AGENT_SESSION_LIMITS.statusRetryMs;
  }

  /** size is the number of statuses waiting to be accepted. */
  get size(): number {
    return this.pending.size;
  }

  /** report queues the newest status of `taskId` and sends it as soon as possible. */
  report(taskId: string, status: TaskStatus): void {
    const waiting = this.pending.get(taskId);
    if (waiting !== undefined && waiting.state > status.state) return;
    this.pending.set(taskId, status);
    this.kick(0);
  }

  /** attach sends through `sender` from now on (undefined: no session; statuses wait). */
  attach(sender: StatusSender | undefined): void {
    this.sender = sender;
    if (sender !== undefined) this.kick(0);
  }

  /** close drops the timer; waiting statuses are forgotten. */
  close(): void {
    this.sender = undefined;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private kick(ms: number): void {
    if (this.timer !== undefined || this.sender === undefined) return;
    this.timer = this.options.timers.setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
  }

  private async flush(): Promise<void> {
    const sender = this.sender;
    if (this.sending || sender === undefined || this.pending.size === 0) return;
    this.sending = true;
    const batch = [...this.pending].slice(0, this.batchMax);
    let ok = false;
    try {
      await sender(batch.map(([taskId, status]) => ({ taskId, status })));
      ok = true;
      for (const [taskId, status] of batch) if (this.pending.get(taskId) === status) this.pending.delete(taskId);
    } catch (err) {
      this.options.logger?.debug({ err, statuses: batch.length }, 'task status report failed; will retry');
    } finally {
      this.sending = false;
    }
    if (this.pending.size > 0) this.kick(ok ? 0 : this.retryMs);
  }
}
