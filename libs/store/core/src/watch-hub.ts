// The watch hub: retained history of committed transactions and the live watchers fed from
// it (SwarmKit watch.Queue with per-watcher LimitQueues, plus WatchFrom's replay; Kubernetes
// watch semantics, see docs/design/store.md).
import { assert } from '@shoal/assert';
import { ShoalError } from '@shoal/errors';
import { WATCH_LIMITS } from '@shoal/limits';
import { STORE_CORE_LIMITS } from '@shoal/limits';
import { compileFilter, type CompiledFilter, type WatchFilterInput } from './selector';
import type { CommittedTransaction, StoreEvent } from './types';

/**
 * WatchMessage is one message of a watch, in order:
 * - `progress`: every matching change up to `version` has been delivered (a bookmark); the
 *   first message of every open watch is one;
 * - `transaction`: the matching events of one committed transaction, in change order;
 * - `closed`: the last message; `error.code` is COMPACTED (resume point gone, or the store
 *   was restored from a snapshot: relist), RESOURCE_EXHAUSTED (buffer overflow or too many
 *   watchers: resume from the last version seen, or relist) or CANCELLED (closed by its
 *   consumer).
 */
export type WatchMessage =
  | { readonly type: 'progress'; readonly version: number }
  | {
      readonly type: 'transaction';
      readonly version: number;
      readonly events: readonly StoreEvent[];
    }
  | { readonly type: 'closed'; readonly error: ShoalError };

/** WatchOptions configure one watcher. */
export interface WatchOptions {
  /**
   * Deliver every matching transaction with a version greater than this (list-then-watch:
   * pass the list's version). Unset = from the current version, live only. A version ahead
   * of the store is allowed: transactions up to it are skipped.
   */
  readonly fromVersion?: number;
  /** ORed; an event matches a filter when all its set fields match. Empty = everything. */
  readonly filters?: readonly WatchFilterInput[];
  /** Events buffered before the watcher is closed RESOURCE_EXHAUSTED; default WATCH_LIMITS. */
  readonly bufferEvents?: number;
  /** Called synchronously whenever messages become available; the consumer then polls. */
  readonly onReady?: () => void;
}

/**
 * Watcher is a pull-based subscription. `poll` drains buffered messages in order; after a
 * `closed` message nothing follows. Never blocks, never drops: overflow closes it loudly.
 */
export interface Watcher {
  readonly id: number;
  /** Events currently buffered (progress and closed messages count as none). */
  readonly bufferedEvents: number;
  /** True once closed (the `closed` message may still be waiting to be polled). */
  readonly closed: boolean;
  /** poll removes and returns up to `max` buffered messages (default all). */
  poll(max?: number): WatchMessage[];
  /** requestProgress queues a progress message at the latest version (a bookmark). */
  requestProgress(): void;
  /** close ends the watch from the consumer's side (closed with CANCELLED). */
  close(): void;
}

/** HistoryLimits bound the retained history (see STORE_CORE_LIMITS). */
export interface HistoryLimits {
  readonly historyTransactionsMax: number;
  readonly historyBytesMax: number;
}

interface Retained {
  readonly committed: CommittedTransaction;
  readonly bytes: number;
}

class HubWatcher implements Watcher {
  private queue: WatchMessage[] = [];
  private head = 0;
  private events = 0;
  private closed_ = false;

  constructor(
    readonly id: number,
    private readonly hub: WatchHub,
    private readonly filters: readonly CompiledFilter[],
    private readonly capacity: number,
    readonly fromVersion: number,
    private readonly onReady: (() => void) | undefined,
  ) {
    assert(Number.isInteger(capacity) && capacity > 0, 'watch buffer holds events');
  }

  get bufferedEvents(): number {
    return this.events;
  }

  get closed(): boolean {
    return this.closed_;
  }

  poll(max = Number.POSITIVE_INFINITY): WatchMessage[] {
    const end = Math.min(this.queue.length, this.head + Math.max(0, max));
    const out = this.queue.slice(this.head, end);
    this.head = end;
    for (const m of out) if (m.type === 'transaction') this.events -= m.events.length;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
    assert(this.events >= 0, 'buffered event count stays non-negative');
    return out;
  }

  requestProgress(): void {
    this.progress(this.hub.version);
  }

  close(): void {
    this.closeWith(ShoalError.cancelled('watch closed by its consumer'));
  }

  /** progress queues a bookmark, replacing a trailing one so bookmarks never pile up. */
  progress(storeVersion: number): void {
    if (this.closed_) return;
    const version = Math.max(storeVersion, this.fromVersion);
    const last = this.queue[this.queue.length - 1];
    if (this.queue.length > this.head && last?.type === 'progress') this.queue.pop();
    this.queue.push({ type: 'progress', version });
    this.onReady?.();
  }

  /** offer queues the matching events of a transaction; overflow closes the watcher. */
  offer(committed: CommittedTransaction): void {
    if (this.closed_ || committed.version <= this.fromVersion) return;
    const events = this.filters.length === 0
      ? committed.events
      : committed.events.filter((e) => this.filters.some((f) => f.matches(e)));
    if (events.length === 0) return;
    if (this.events + events.length > this.capacity) {
      const message = `watch buffer of ${this.capacity} events overflowed at version ` +
        `${committed.version}; resume from the last version received or relist`;
      this.closeWith(ShoalError.resourceExhausted(message, { limit: 'watcherBufferEvents' }));
      return;
    }
    this.queue.push({ type: 'transaction', version: committed.version, events });
    this.events += events.length;
    this.onReady?.();
  }

  /** closeWith queues the final message (always accepted) and detaches from the hub. */
  closeWith(error: ShoalError): void {
    if (this.closed_) return;
    this.closed_ = true;
    this.queue.push({ type: 'closed', error });
    this.hub.detach(this);
    this.onReady?.();
  }
}

/**
 * WatchHub retains recent committed transactions and fans each new one out to every
 * watcher. Synchronous: `publish` delivers before returning, so a `list` taken between two
 * publishes and a watch from its version see every transaction exactly once.
 *
 * Invariant: every committed transaction with a version greater than `floor` is retained;
 * retained versions increase; retained bytes and count stay within STORE_CORE_LIMITS.
 */
export class WatchHub {
  private history: Retained[] = [];
  private start = 0;
  private bytes = 0;
  private floor_: number;
  private version_: number;
  private nextId = 1;
  private readonly watchers = new Set<HubWatcher>();

  /**
   * The constructor starts an empty history at `version` (nothing older is resumable),
   * retaining at most `limits` (default STORE_CORE_LIMITS).
   */
  constructor(
    version: number,
    private readonly limits: HistoryLimits = STORE_CORE_LIMITS,
  ) {
    assert(limits.historyTransactionsMax > 0, 'history retains a transaction');
    this.floor_ = version;
    this.version_ = version;
  }

  /** version is the latest version the hub has been told about. */
  get version(): number {
    return this.version_;
  }

  /** oldestResumableVersion is the smallest `fromVersion` a watch may resume from. */
  get oldestResumableVersion(): number {
    return this.floor_;
  }

  /** watcherCount is the number of open watchers (a metric). */
  get watcherCount(): number {
    return this.watchers.size;
  }

  /** retainedTransactions is the number of transactions kept for resuming (a metric). */
  get retainedTransactions(): number {
    return this.history.length - this.start;
  }

  /** advance moves the version without a transaction (failed or non-store raft entries). */
  advance(version: number): void {
    assert(version >= this.version_, 'versions never go backwards');
    this.version_ = version;
  }

  /**
   * publish retains a committed transaction, evicting the oldest beyond the limits, and
   * offers it to every watcher. `bytes` estimates its size for the history bound.
   */
  publish(committed: CommittedTransaction, bytes: number): void {
    assert(committed.version > this.version_, 'published versions increase');
    assert(bytes >= 0, 'transaction size is not negative');
    this.version_ = committed.version;
    this.history.push({ committed, bytes });
    this.bytes += bytes;
    this.evict();
    for (const w of [...this.watchers]) w.offer(committed);
  }

  private evict(): void {
    const { historyTransactionsMax, historyBytesMax } = this.limits;
    while (
      this.retainedTransactions > historyTransactionsMax ||
      (this.bytes > historyBytesMax && this.retainedTransactions > 1)
    ) {
      const oldest = this.history[this.start++] as Retained;
      this.bytes -= oldest.bytes;
      this.floor_ = oldest.committed.version;
    }
    if (this.start > 1024 && this.start * 2 > this.history.length) {
      this.history = this.history.slice(this.start);
      this.start = 0;
    }
  }

  /** progress queues a bookmark at the current version on every open watcher. */
  progress(): void {
    for (const w of this.watchers) w.progress(this.version_);
  }

  /**
   * watch opens a watcher. From a retained `fromVersion` it first queues a progress message
   * at that version, then replays every later matching transaction, then goes live. If
   * `fromVersion` is older than {@link oldestResumableVersion} the watcher starts closed
   * with COMPACTED ("relist"); if WATCH_LIMITS.maxWatchers are open, RESOURCE_EXHAUSTED.
   */
  watch(options: WatchOptions = {}): Watcher {
    const from = options.fromVersion ?? this.version_;
    assert(Number.isSafeInteger(from) && from >= 0, 'fromVersion is a version');
    const filters = (options.filters ?? []).map(compileFilter);
    const capacity = options.bufferEvents ?? WATCH_LIMITS.watcherBufferEvents;
    const w = new HubWatcher(this.nextId++, this, filters, capacity, from, options.onReady);
    if (from < this.floor_) {
      const error = ShoalError.compacted(from, this.floor_);
      w.closeWith(new ShoalError(error.code, error.message, {
        ...error.details,
        currentVersion: String(this.version_),
      }));
      return w;
    }
    if (this.watchers.size >= WATCH_LIMITS.maxWatchers) {
      const message = `${WATCH_LIMITS.maxWatchers} watchers are open; the limit is reached`;
      w.closeWith(ShoalError.resourceExhausted(message, { limit: 'maxWatchers' }));
      return w;
    }
    this.watchers.add(w);
    w.progress(from);
    for (let i = this.start; i < this.history.length && !w.closed; i++) {
      w.offer((this.history[i] as Retained).committed);
    }
    return w;
  }

  /**
   * reset drops all history and closes every watcher with COMPACTED, after which only
   * versions from `version` on are resumable (used when a snapshot replaces the store).
   */
  reset(version: number): void {
    for (const w of [...this.watchers]) {
      w.closeWith(new ShoalError('COMPACTED', 'the store was restored from a snapshot; relist', {
        oldestVersion: String(version),
      }));
    }
    this.history = [];
    this.start = 0;
    this.bytes = 0;
    this.floor_ = version;
    this.version_ = version;
  }

  /** detach forgets a closed watcher (called by the watcher itself). */
  detach(w: Watcher): void {
    this.watchers.delete(w as HubWatcher);
  }
}
