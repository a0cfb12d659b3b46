// A watch that survives disconnects: it re-opens the stream from the last version it has
// delivered, so the subscriber sees every matching transaction once, in order.
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { Timers, TimerHandle } from '@shoal/clock';
import { ShoalError } from '@shoal/errors';
import { fromGrpcError } from '@shoal/grpc';
import type { Logger } from '@shoal/logging';
import {
  durationFromMs,
  type WatchEvent,
  type WatchFilter,
  type WatchRequest,
  type WatchResponse,
} from '@shoal/proto';
import { STORE_CLIENT_LIMITS } from '@shoal/limits';
import { backoffDelayMs } from './retry';
import { clientActionOf, unwrapOrThrow, type ClientEvent } from './types';

/** WatchOptions say what to watch and from where. */
export interface WatchOptions {
  /** ORed; an event matches when every set field of one filter matches. Empty = everything. */
  readonly filters?: readonly Partial<WatchFilter>[];
  /**
   * Deliver every matching transaction committed after this version (list-then-watch: the
   * list's version). Unset = from the moment the stream is established.
   */
  readonly fromVersion?: number;
  /** Ms between progress events while idle (default STORE_CLIENT_LIMITS). */
  readonly progressIntervalMs?: number;
}

/** WatchTransaction is the matching events of one committed transaction. */
export interface WatchTransaction {
  readonly version: number;
  readonly events: readonly ClientEvent[];
}

/**
 * WatchHandler receives a watch's messages, in order, one call at a time. `onEnd` is called
 * exactly once: with undefined after `close()`, or with the error that ended the watch for
 * good: COMPACTED (the resume point is gone: relist), or a permanent failure
 * (PERMISSION_DENIED, UNAUTHENTICATED, INVALID_ARGUMENT, INTERNAL, UNIMPLEMENTED).
 */
export interface WatchHandler {
  onTransaction(transaction: WatchTransaction): void;
  /** Every matching change up to `version` has been delivered (a bookmark). */
  onProgress?(version: number): void;
  onEnd?(error: ShoalError | undefined): void;
}

/** WatchSubscription is an open watch; `close` ends it, `done` settles after `onEnd`. */
export interface WatchSubscription {
  close(): void;
  readonly done: Promise<ShoalError | undefined>;
  /** The last version delivered (the resume point), if any. */
  readonly version: number | undefined;
}

/** Codes after which a watch is re-opened from its last version, with backoff. */
const RESUMABLE_CODES: ReadonlySet<string> = new Set([
  'UNAVAILABLE', 'NOT_LEADER', 'DEADLINE_EXCEEDED', 'RESOURCE_EXHAUSTED', 'CANCELLED',
]);

function eventOf(event: WatchEvent): ClientEvent {
  const action = clientActionOf(event.action);
  if (action === undefined) throw ShoalError.internal('the store sent an unknown action');
  const { kind, object } = unwrapOrThrow(event.object);
  const oldObject = event.oldObject === undefined ? undefined : unwrapOrThrow(event.oldObject).object;
  return { action, kind, object, oldObject } as ClientEvent;
}

/** ResumingWatchDeps are what a {@link ResumingWatch} needs from its client. */
export interface ResumingWatchDeps {
  open(request: WatchRequest): ClientReadableStream<WatchResponse>;
  /** Called after a failure, before the re-open: move to another member if needed. */
  failed(error: ShoalError): void;
  readonly timers: Timers;
  readonly random: () => number;
  readonly logger: Logger;
}

/**
 * ResumingWatch is the client side of Store.Watch. Contract: transactions are delivered in
 * version order, each once; after a stream failure with a resumable code it re-opens from the
 * last delivered version (transaction or progress) after an exponential backoff
 * (STORE_CLIENT_LIMITS.watchRetry*), reset whenever a message arrives. Streams carry no
 * deadline; the channel's keepalive (GRPC_LIMITS) detects dead connections.
 */
export class ResumingWatch implements WatchSubscription {
  private stream: ClientReadableStream<WatchResponse> | undefined;
  private retryTimer: TimerHandle | undefined;
  private failures = 0;
  private ended = false;
  private lastVersion: number | undefined;
  private resolveDone!: (error: ShoalError | undefined) => void;
  /** done settles with the ending error (undefined after close) once `onEnd` has run. */
  readonly done: Promise<ShoalError | undefined>;

  /** The constructor opens the first stream at once. */
  constructor(
    private readonly options: WatchOptions,
    private readonly handler: WatchHandler,
    private readonly deps: ResumingWatchDeps,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.lastVersion = options.fromVersion;
    this.openStream();
  }

  /** version is the resume point: the last version delivered. */
  get version(): number | undefined {
    return this.lastVersion;
  }

  /** close ends the watch; `onEnd(undefined)` follows. */
  close(): void {
    this.finish(undefined);
  }

  private request(): WatchRequest {
    const intervalMs = this.options.progressIntervalMs ?? STORE_CLIENT_LIMITS.watchProgressIntervalMs;
    return {
      filters: (this.options.filters ?? []).map((f) => ({
        kinds: [], actions: [], id: '', idPrefix: '', name: '', namePrefix: '', labels: {},
        serviceId: '', nodeId: '', ...f,
      })),
      resumeFromVersion: this.lastVersion === undefined ? undefined : { index: this.lastVersion },
      progressInterval: durationFromMs(intervalMs),
    };
  }

  private openStream(): void {
    const stream = this.deps.open(this.request());
    this.stream = stream;
    stream.on('data', (response: WatchResponse) => {
      if (this.stream === stream) this.receive(response);
    });
    stream.on('error', (raw: unknown) => {
      if (this.stream === stream) this.streamFailed(fromGrpcError(raw));
    });
    stream.on('end', () => {
      if (this.stream === stream) this.streamFailed(ShoalError.unavailable('the watch stream ended'));
    });
  }

  private receive(response: WatchResponse): void {
    if (this.ended) return;
    this.failures = 0;
    const event = response.event;
    if (event === undefined) return;
    if (event.$case === 'compacted') {
      const oldest = event.compacted.oldestVersion?.index ?? 0;
      const error = ShoalError.compacted(this.lastVersion ?? 0, oldest);
      this.finish(error);
    } else if (event.$case === 'progress') {
      const version = event.progress.version?.index ?? 0;
      if (this.lastVersion === undefined || version > this.lastVersion) this.lastVersion = version;
      this.handler.onProgress?.(version);
    } else {
      const version = event.transaction.version?.index ?? 0;
      if (this.lastVersion !== undefined && version <= this.lastVersion) return;
      this.lastVersion = version;
      this.handler.onTransaction({ version, events: event.transaction.events.map(eventOf) });
    }
  }

  private streamFailed(error: ShoalError): void {
    this.stream = undefined;
    if (this.ended) return;
    if (!RESUMABLE_CODES.has(error.code)) {
      this.finish(error);
      return;
    }
    this.failures++;
    this.deps.failed(error);
    const { watchRetryBaseDelayMs, watchRetryMaxDelayMs } = STORE_CLIENT_LIMITS;
    const delayMs = backoffDelayMs(this.failures, this.deps.random, watchRetryBaseDelayMs,
      watchRetryMaxDelayMs);
    this.deps.logger.debug({ err: error, delayMs, from: this.lastVersion }, 'watch resuming');
    this.retryTimer = this.deps.timers.setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.ended) this.openStream();
    }, delayMs);
  }

  private finish(error: ShoalError | undefined): void {
    if (this.ended) return;
    this.ended = true;
    if (this.retryTimer !== undefined) this.deps.timers.clearTimeout(this.retryTimer);
    const stream = this.stream;
    this.stream = undefined;
    stream?.cancel();
    this.handler.onEnd?.(error);
    this.resolveDone(error);
  }
}
