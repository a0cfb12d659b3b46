// The keyed, de-duplicating work queue of a control loop, with rate-limited requeues
// (client-go util/workqueue: FIFO, stingy, one worker per key at a time).
import { assert } from '@shoal/assert';
import type { Clock, TimerHandle, Timers } from '@shoal/clock';
import { WORKQUEUE_LIMITS, type WorkqueueLimits } from '@shoal/limits';
import { RateLimiter } from './rate-limiter';

/** WorkQueueOptions configure a {@link WorkQueue}. */
export interface WorkQueueOptions {
  readonly clock: Clock;
  readonly timers: Timers;
  /** Overrides of WORKQUEUE_LIMITS (tests use small ones). */
  readonly limits?: Partial<Record<keyof WorkqueueLimits, number>>;
  /** Called for every key dropped because the queue holds `maxDepth` keys (count it). */
  readonly onDrop?: (key: string) => void;
}

/**
 * WorkQueue hands keys to workers. Contract (client-go's):
 * - fair: keys come out in the order they were added;
 * - stingy: a key added several times before a worker takes it is held once; a key is never
 *   handed to two workers at once; a key added while being processed is processed again
 *   after `done`;
 * - `addRateLimited(key)` adds it after the rate limiter's delay (per-key exponential
 *   backoff 5 ms → 1000 s, max'ed with a global token bucket; WORKQUEUE_LIMITS);
 *   `forget(key)` resets its backoff; `addAfter(key, ms)` adds it later (the earliest pending
 *   time wins);
 * - bounded: at most `maxDepth` distinct keys are waiting, delayed or processing; adds beyond
 *   that are dropped, counted in `dropped` and reported to `onDrop`;
 * - `get()` resolves with the next key, waiting if none; undefined once shut down.
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  private head = 0;
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, { readonly atMs: number; readonly timer: TimerHandle }>();
  /** Invariant: the keys in dirty, processing or delayed (what maxDepth bounds). */
  private readonly held = new Set<string>();
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  private readonly limiter: RateLimiter;
  private readonly maxDepth: number;
  private shuttingDown_ = false;
  private dropped_ = 0;

  /** The constructor builds an empty queue. */
  constructor(private readonly options: WorkQueueOptions) {
    const limits = { ...WORKQUEUE_LIMITS, ...options.limits };
    this.maxDepth = limits.maxDepth;
    assert(this.maxDepth > 0, 'a work queue holds keys');
    this.limiter = new RateLimiter(options.clock, limits);
  }

  /** len is the number of keys waiting for a worker (not delayed, not processing). */
  len(): number {
    return this.queue.length - this.head;
  }

  /** dropped is the number of adds refused because the queue was full. */
  get dropped(): number {
    return this.dropped_;
  }

  /** shuttingDown reports whether shutDown was called. */
  get shuttingDown(): boolean {
    return this.shuttingDown_;
  }

  /** add queues `key` unless it is already waiting; returns false if dropped or shut down. */
  add(key: string): boolean {
    if (this.shuttingDown_) return false;
    if (this.dirty.has(key)) return true;
    if (!this.hasRoomFor(key)) return false;
    this.dirty.add(key);
    this.held.add(key);
    if (this.processing.has(key)) return true;
    this.push(key);
    return true;
  }

  /** addAfter adds `key` once `delayMs` has passed (at once if ≤ 0). */
  addAfter(key: string, delayMs: number): boolean {
    if (this.shuttingDown_) return false;
    if (delayMs <= 0) return this.add(key);
    const atMs = this.options.clock.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending !== undefined && pending.atMs <= atMs) return true;
    if (pending === undefined && !this.hasRoomFor(key)) return false;
    if (pending !== undefined) this.options.timers.clearTimeout(pending.timer);
    const timer = this.options.timers.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
      this.touch(key);
    }, delayMs);
    this.delayed.set(key, { atMs, timer });
    this.held.add(key);
    return true;
  }

  /** addRateLimited adds `key` after its rate-limited delay (one more failure of it). */
  addRateLimited(key: string): boolean {
    return this.addAfter(key, this.limiter.when(key));
  }

  /** forget resets `key`'s failure count (after it was processed successfully). */
  forget(key: string): void {
    this.limiter.forget(key);
  }

  /** numRequeues is how many rate-limited requeues `key` had since it was forgotten. */
  numRequeues(key: string): number {
    return this.limiter.numRequeues(key);
  }

  /** get resolves with the next key (the caller must call `done` with it), or undefined. */
  get(): Promise<string | undefined> {
    const key = this.take();
    if (key !== undefined || this.shuttingDown_) return Promise.resolve(key);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** done marks `key` processed; if it was added meanwhile it is queued again. */
  done(key: string): void {
    assert(this.processing.has(key), 'done is called once per key handed out');
    this.processing.delete(key);
    if (this.dirty.has(key)) this.push(key);
    this.touch(key);
  }

  /** shutDown stops the queue: adds are refused, waiting `get`s resolve undefined. */
  shutDown(): void {
    this.shuttingDown_ = true;
    for (const { timer } of this.delayed.values()) this.options.timers.clearTimeout(timer);
    this.delayed.clear();
    this.held.clear();
    for (const resolve of this.waiters.splice(0)) resolve(undefined);
  }

  /** touch keeps `held` = dirty ∪ processing ∪ delayed for one key. */
  private touch(key: string): void {
    if (this.dirty.has(key) || this.processing.has(key) || this.delayed.has(key)) {
      this.held.add(key);
    } else {
      this.held.delete(key);
    }
  }

  private hasRoomFor(key: string): boolean {
    if (this.held.has(key) || this.held.size < this.maxDepth) return true;
    this.dropped_++;
    this.options.onDrop?.(key);
    return false;
  }

  private push(key: string): void {
    const waiter = this.waiters.shift();
    if (waiter === undefined) {
      this.queue.push(key);
      return;
    }
    this.dirty.delete(key);
    this.processing.add(key);
    waiter(key);
  }

  private take(): string | undefined {
    if (this.head === this.queue.length) return undefined;
    const key = this.queue[this.head++] as string;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }
}
