// One Watch stream: a WatchHub watcher pumped onto a gRPC server stream with back-pressure,
// periodic progress events, and a loud end on overflow or compaction.
import type { Timers, TimerHandle } from '@shoal/clock';
import { ShoalError } from '@shoal/errors';
import type { Logger } from '@shoal/logging';
import { durationToMs, type WatchRequest, type WatchResponse } from '@shoal/proto';
import type { MemoryStore, WatchMessage, Watcher } from '@shoal/store';
import { versionOf, watchResponseOf } from './conversions';
import { STORE_SERVER_LIMITS } from '@shoal/limits';
import { endWithError, isOpen, type AnyServerStream } from './stream-writer';

/** WatchStreamOptions configure one watch stream. */
export interface WatchStreamOptions {
  readonly timers: Timers;
  readonly logger: Logger;
  /** Events the watcher buffers before it is closed RESOURCE_EXHAUSTED (WATCH_LIMITS). */
  readonly bufferEvents?: number | undefined;
  /** Called once when the stream is over, whatever the reason. */
  readonly onEnd?: () => void;
}

/**
 * progressIntervalMs is a request's progress interval in ms: the default when unset, and
 * INVALID_ARGUMENT below the minimum (STORE_SERVER_LIMITS).
 */
export function progressIntervalMs(request: WatchRequest): number {
  const { watchProgressIntervalDefaultMs, watchProgressIntervalMinMs } = STORE_SERVER_LIMITS;
  if (request.progressInterval === undefined) return watchProgressIntervalDefaultMs;
  const ms = durationToMs(request.progressInterval);
  if (!(ms >= watchProgressIntervalMinMs)) {
    throw ShoalError.invalidArgument(
      `field progress_interval: ${ms} ms is under the minimum ${watchProgressIntervalMinMs} ms`,
      { field: 'progress_interval' },
    );
  }
  return ms;
}

function compactedResponse(error: ShoalError, store: MemoryStore): WatchResponse {
  const oldest = Number(error.details?.['oldestVersion'] ?? store.oldestResumableVersion());
  const current = Number(error.details?.['currentVersion'] ?? store.version());
  const compacted = { oldestVersion: versionOf(oldest), currentVersion: versionOf(current) };
  return { event: { $case: 'compacted', compacted } };
}

/**
 * WatchStream serves one Watch call. Contract: messages go out in the watcher's order; the
 * watcher is polled one message at a time and only while the stream accepts writes (a full
 * stream waits for 'drain'), so a slow client leaves events in the watcher's bounded buffer,
 * which closes it RESOURCE_EXHAUSTED when full: the stream then ends with that status, never
 * dropping an event silently. A COMPACTED close sends a `compacted` message and ends the stream
 * FAILED_PRECONDITION (code COMPACTED in metadata). A client cancel closes the watcher.
 */
export class WatchStream {
  private readonly watcher: Watcher;
  private paused = false;
  private scheduled = false;
  private ended = false;
  private progressTimer: TimerHandle | undefined;

  /** The constructor opens the watcher (from `resume_from_version`, if set) and starts. */
  constructor(
    private readonly call: AnyServerStream<WatchRequest, WatchResponse>,
    private readonly store: MemoryStore,
    private readonly options: WatchStreamOptions,
  ) {
    const request = call.request;
    const intervalMs = progressIntervalMs(request);
    this.watcher = store.watch({
      fromVersion: request.resumeFromVersion?.index,
      filters: request.filters,
      bufferEvents: options.bufferEvents,
      onReady: () => this.schedule(),
    });
    call.on('cancelled', () => this.end(undefined));
    call.on('drain', () => {
      this.paused = false;
      this.schedule();
    });
    this.armProgress(intervalMs);
    this.schedule();
  }

  /** close ends the stream from the server's side (shutdown) with `error`. */
  close(error: ShoalError): void {
    this.end(error);
  }

  private armProgress(intervalMs: number): void {
    const tick = (): void => {
      if (this.ended) return;
      this.watcher.requestProgress();
      this.progressTimer = this.options.timers.setTimeout(tick, intervalMs);
    };
    this.progressTimer = this.options.timers.setTimeout(tick, intervalMs);
  }

  /** schedule pumps soon, outside the store's apply (onReady fires inside it). */
  private schedule(): void {
    if (this.scheduled || this.ended) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (!this.paused && !this.ended) {
      const [message] = this.watcher.poll(1);
      if (message === undefined) return;
      this.send(message);
    }
  }

  private send(message: WatchMessage): void {
    if (!isOpen(this.call)) {
      this.end(undefined);
      return;
    }
    if (message.type === 'closed') {
      this.onClosed(message.error);
      return;
    }
    const response = watchResponseOf(message);
    if (response !== undefined && !this.call.write(response)) this.paused = true;
  }

  private onClosed(error: ShoalError): void {
    if (error.code === 'COMPACTED') {
      this.options.logger.info({ details: error.details }, 'watch resume point compacted');
      if (isOpen(this.call)) this.call.write(compactedResponse(error, this.store));
    } else if (error.code === 'RESOURCE_EXHAUSTED') {
      this.options.logger.warn({ err: error, watcher: this.watcher.id },
        'watcher overflowed or refused; closing the stream RESOURCE_EXHAUSTED');
    }
    this.end(error.code === 'CANCELLED' ? undefined : error);
  }

  private end(error: ShoalError | undefined): void {
    if (this.ended) return;
    this.ended = true;
    if (this.progressTimer !== undefined) this.options.timers.clearTimeout(this.progressTimer);
    this.watcher.close();
    if (error !== undefined) endWithError(this.call, error, this.options.logger);
    this.options.onEnd?.();
  }
}
