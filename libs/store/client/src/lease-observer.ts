// Observing a lease across disconnects: the client side of Leases.Observe.
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { TimerHandle, Timers } from '@shoal/clock';
import { isTransientCode, type ShoalError } from '@shoal/errors';
import { fromGrpcError } from '@shoal/grpc';
import { durationToMs, type ObserveResponse } from '@shoal/proto';
import { STORE_CLIENT_LIMITS } from '@shoal/limits';
import { backoffDelayMs } from './retry';
import type { LeaseInfo } from './store-client';

/** LeaseObserverDeps are what a {@link LeaseObserver} needs from its client. */
export interface LeaseObserverDeps {
  open(name: string): ClientReadableStream<ObserveResponse>;
  failed(error: ShoalError): void;
  readonly timers: Timers;
  readonly random: () => number;
}

/**
 * LeaseObserver calls `onChange` with the lease's state (undefined = vacant) as the store
 * sends it: at once, then on every change of holder, term or expiry. After a transient
 * failure it re-opens the stream with backoff (the first message after it is the current
 * state again, so no change is missed for good); any other failure ends it via `onEnd`.
 */
export class LeaseObserver {
  private stream: ClientReadableStream<ObserveResponse> | undefined;
  private timer: TimerHandle | undefined;
  private failures = 0;
  private closed = false;

  /** The constructor opens the stream at once. */
  constructor(
    private readonly name: string,
    private readonly onChange: (lease: LeaseInfo | undefined) => void,
    private readonly deps: LeaseObserverDeps,
    private readonly onEnd?: (error: ShoalError | undefined) => void,
  ) {
    this.open();
  }

  /** close stops observing; `onEnd(undefined)` follows. */
  close(): void {
    this.end(undefined);
  }

  private open(): void {
    const stream = this.deps.open(this.name);
    this.stream = stream;
    stream.on('data', (m: ObserveResponse) => {
      if (this.stream !== stream || this.closed) return;
      this.failures = 0;
      const l = m.lease;
      this.onChange(l === undefined ? undefined : {
        name: l.name, holder: l.holder, term: l.term,
        ttlMs: l.ttl === undefined ? 0 : durationToMs(l.ttl),
        expiresAtMs: l.expiresAt?.getTime() ?? 0,
      });
    });
    stream.on('error', (raw: unknown) => {
      if (this.stream === stream) this.failed(fromGrpcError(raw));
    });
  }

  private failed(error: ShoalError): void {
    this.stream = undefined;
    if (this.closed) return;
    if (!isTransientCode(error.code) && error.code !== 'CANCELLED') {
      this.end(error);
      return;
    }
    this.failures++;
    this.deps.failed(error);
    const { watchRetryBaseDelayMs, watchRetryMaxDelayMs } = STORE_CLIENT_LIMITS;
    const delayMs = backoffDelayMs(this.failures, this.deps.random, watchRetryBaseDelayMs,
      watchRetryMaxDelayMs);
    this.timer = this.deps.timers.setTimeout(() => {
      this.timer = undefined;
      if (!this.closed) this.open();
    }, delayMs);
  }

  private end(error: ShoalError | undefined): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) this.deps.timers.clearTimeout(this.timer);
    const stream = this.stream;
    this.stream = undefined;
    stream?.cancel();
    this.onEnd?.(error);
  }
}
