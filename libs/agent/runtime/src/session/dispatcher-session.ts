// One agent session with one dispatcher (SwarmKit agent/session.go): register with the node's
// description, heartbeat at the period the dispatcher gives, apply the assignments stream
// (COMPLETE, then INCREMENTAL chained by sequence numbers) and report task statuses, until
// any of it fails or the agent stops.
import type { DependencyChange } from '../dependencies';
import type { ClientReadableStream, Metadata, ServiceError } from '@grpc/grpc-js';
import type { TimerHandle, Timers } from '@shoal/clock';
import { isShoalError, ShoalError } from '@shoal/errors';
import { createClient, fromGrpcError } from '@shoal/grpc';
import { AGENT_SESSION_LIMITS } from '@shoal/limits';
import type { Logger } from '@shoal/logging';
import {
  AssignmentAction,
  AssignmentsType,
  durationToMs,
  type AssignmentsResponse,
  type NodeDescription,
  type SessionResponse,
  type Task,
  type TaskStatusUpdate,
} from '@shoal/proto';
import { DispatcherClient } from '@shoal/proto-grpc';
import type { SessionStatusReporter } from './status-reporter';

/** DISPATCHER_CHANNEL_OPTIONS are the agent's channel options toward a dispatcher (keepalive). */
export const DISPATCHER_CHANNEL_OPTIONS = Object.freeze({
  'grpc.keepalive_time_ms': AGENT_SESSION_LIMITS.keepaliveTimeMs,
  'grpc.keepalive_timeout_ms': AGENT_SESSION_LIMITS.keepaliveTimeoutMs,
});

/** AssignmentSink is where assignments go (the Worker). */
export interface AssignmentSink {
  assign(tasks: readonly Task[]): Promise<void>;
  update(upserts: readonly Task[], removals: readonly string[]): Promise<void>;
  /** The message's secrets and configs, before its tasks (COMPLETE: replace all held). */
  dependencies?(complete: boolean, changes: readonly DependencyChange[]): void;
}

/** ChannelSecurityLike is a channel's credentials and options (pki ChannelSecurity). */
export interface ChannelSecurityLike {
  readonly credentials: import('@grpc/grpc-js').ChannelCredentials;
  readonly options: import('@grpc/grpc-js').ChannelOptions;
}

/** SessionHooks observe a session (metrics, the node object, the manager list). */
export interface SessionHooks {
  onMessage?(message: SessionResponse): void;
  onHeartbeat?(rttMs: number, periodMs: number): void;
}

/** DispatcherSessionOptions configure {@link runDispatcherSession}. */
export interface DispatcherSessionOptions {
  readonly address: string;
  readonly security: ChannelSecurityLike;
  /** Metadata sent with every call (the test node header in tests; empty with mTLS). */
  readonly metadata: () => Metadata;
  readonly description: NodeDescription;
  readonly sink: AssignmentSink;
  readonly reporter: SessionStatusReporter;
  readonly timers: Timers;
  readonly signal: AbortSignal;
  readonly logger?: Logger | undefined;
  readonly hooks?: SessionHooks | undefined;
  /** Ms per unary call (default AGENT_SESSION_LIMITS.rpcTimeoutMs). */
  readonly rpcTimeoutMs?: number;
  /**
   * A client to use instead of a new one per session (simulations: many agents sharing a few
   * channels); it is not closed when the session ends.
   */
  readonly client?: DispatcherClient | undefined;
}

/**
 * runDispatcherSession runs one session against `address`. Contract: resolves when `signal`
 * aborts (streams cancelled, client closed); rejects with the ShoalError that ended the
 * session otherwise: the session stream ended or failed, a heartbeat failed (NOT_FOUND:
 * the dispatcher forgot the session), an assignments message was out of sequence, or a
 * status report was refused as NOT_FOUND. The reporter sends through this session while it
 * lasts and is detached when it ends.
 */
export async function runDispatcherSession(o: DispatcherSessionOptions): Promise<void> {
  const run = new SessionRun(o);
  try {
    await run.done;
  } finally {
    run.close();
  }
}

class SessionRun {
  readonly done: Promise<void>;
  private readonly client: DispatcherClient;
  private readonly streams: ClientReadableStream<unknown>[] = [];
  private heartbeatTimer: TimerHandle | undefined;
  private openTimer: TimerHandle | undefined;
  private sessionId = '';
  private lastResultsIn = -1;
  private applying: Promise<void> = Promise.resolve();
  private finish!: (err: ShoalError | undefined) => void;
  private ended = false;
  private readonly rpcTimeoutMs: number;
  private readonly onAbort = (): void => this.end(undefined);

  constructor(private readonly o: DispatcherSessionOptions) {
    this.rpcTimeoutMs = o.rpcTimeoutMs ?? AGENT_SESSION_LIMITS.rpcTimeoutMs;
    this.client = o.client ?? createClient(DispatcherClient, o.address, o.security.credentials, { options: {
      ...o.security.options, ...DISPATCHER_CHANNEL_OPTIONS } });
    this.done = new Promise<void>((resolve, reject) => {
      this.finish = (err) => (err === undefined ? resolve() : reject(err));
    });
    if (o.signal.aborted) this.end(undefined);
    else {
      o.signal.addEventListener('abort', this.onAbort, { once: true });
      this.open();
    }
  }

  close(): void {
    this.o.signal.removeEventListener('abort', this.onAbort);
    this.end(undefined);
    for (const s of this.streams) s.cancel();
    if (this.heartbeatTimer !== undefined) this.o.timers.clearTimeout(this.heartbeatTimer);
    this.clearOpenTimer();
    this.o.reporter.attach(undefined);
    if (this.o.client === undefined) this.client.close();
  }

  private end(err: ShoalError | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.o.reporter.attach(undefined);
    this.finish(err);
  }

  private fail(err: unknown, what: string): void {
    if (this.ended) return;
    const e = isShoalError(err) ? err : fromGrpcError(err);
    this.end(new ShoalError(e.code, `${what}: ${e.message}`));
  }

  private open(): void {
    const stream = this.client.session({ description: this.o.description, sessionId: '' }, this.o.metadata());
    this.streams.push(stream);
    this.openTimer = this.o.timers.setTimeout(() =>
      this.fail(ShoalError.deadlineExceeded(`no first message in ${AGENT_SESSION_LIMITS.sessionOpenTimeoutMs} ms`),
        'session'), AGENT_SESSION_LIMITS.sessionOpenTimeoutMs);
    stream.on('data', (m: SessionResponse) => {
      if (this.sessionId === '') {
        this.clearOpenTimer();
        this.started(m);
      }
      this.o.hooks?.onMessage?.(m);
    });
    stream.on('error', (err: ServiceError) => {
      this.clearOpenTimer();
      this.fail(err, 'session stream');
    });
    stream.on('end', () => this.fail(ShoalError.unavailable('the dispatcher ended the session'), 'session stream'));
  }

  private clearOpenTimer(): void {
    if (this.openTimer !== undefined) this.o.timers.clearTimeout(this.openTimer);
    this.openTimer = undefined;
  }

  private started(first: SessionResponse): void {
    this.sessionId = first.sessionId;
    this.o.logger?.info({ dispatcher: this.o.address, sessionId: this.sessionId }, 'dispatcher session open');
    this.heartbeat();
    this.watchAssignments();
    this.o.reporter.attach((updates) => this.sendStatuses(updates));
  }

  private heartbeat(): void {
    if (this.ended) return;
    const sent = Date.now();
    this.client.heartbeat({ sessionId: this.sessionId }, this.o.metadata(), { deadline: sent + this.rpcTimeoutMs },
      (err, res) => {
        if (err !== null) {
          this.fail(err, 'heartbeat');
          return;
        }
        const periodMs = res.period === undefined ? AGENT_SESSION_LIMITS.rpcTimeoutMs : durationToMs(res.period);
        this.o.hooks?.onHeartbeat?.(Date.now() - sent, periodMs);
        if (!this.ended) this.heartbeatTimer = this.o.timers.setTimeout(() => this.heartbeat(), periodMs);
      });
  }

  private watchAssignments(): void {
    const stream = this.client.assignments({ sessionId: this.sessionId }, this.o.metadata());
    this.streams.push(stream);
    stream.on('data', (m: AssignmentsResponse) => {
      this.applying = this.applying.then(() => this.apply(m)).catch((err: unknown) => this.fail(err, 'assignments'));
    });
    stream.on('error', (err: ServiceError) => this.fail(err, 'assignments stream'));
    stream.on('end', () => this.fail(ShoalError.unavailable('the dispatcher ended the assignments stream'), 'assignments'));
  }

  private async apply(m: AssignmentsResponse): Promise<void> {
    if (this.ended) return;
    const complete = m.type === AssignmentsType.COMPLETE;
    if (!complete && m.appliesTo !== this.lastResultsIn) {
      throw ShoalError.unavailable(`assignments out of sequence (applies to ${m.appliesTo}, have ${this.lastResultsIn})`);
    }
    this.lastResultsIn = m.resultsIn;
    const upserts: Task[] = [];
    const removals: string[] = [];
    const dependencies: DependencyChange[] = [];
    for (const change of m.changes) {
      const item = change.assignment?.item;
      const remove = change.action === AssignmentAction.REMOVE;
      if (item?.$case === 'task') {
        if (remove) removals.push(item.task.id);
        else upserts.push(item.task);
      } else if (item?.$case === 'secret') {
        dependencies.push(remove ? { kind: 'secret', action: 'remove', id: item.secret.id } : { kind: 'secret', action: 'upsert', secret: item.secret });
      } else if (item?.$case === 'config') {
        dependencies.push(remove ? { kind: 'config', action: 'remove', id: item.config.id } : { kind: 'config', action: 'upsert', config: item.config });
      }
    }
    this.o.sink.dependencies?.(complete, dependencies);
    if (complete) await this.o.sink.assign(upserts);
    else await this.o.sink.update(upserts, removals);
  }

  private sendStatuses(updates: TaskStatusUpdate[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.updateTaskStatus({ sessionId: this.sessionId, updates }, this.o.metadata(),
        { deadline: Date.now() + this.rpcTimeoutMs }, (err) => {
          if (err === null) return resolve();
          const e = fromGrpcError(err);
          if (e.code === 'PERMISSION_DENIED') {
            // A task no longer ours: resending cannot help, so the batch is dropped.
            this.o.logger?.warn({ err: e }, 'task statuses refused; dropped');
            return resolve();
          }
          if (e.code === 'NOT_FOUND') this.fail(e, 'status report');
          reject(e);
        });
    });
  }
}
