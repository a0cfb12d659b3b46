/**
 * Waiters: the promises of proposals, membership changes and reads, keyed by request
 * sequence, each bounded by a deadline counted in raft ticks. Deadlines are swept on every
 * tick (`expire`) instead of arming a timer per request: tens of thousands of proposals a
 * second then cost no timer objects, and tests drive them with the same clock as raft.
 */
import { assert } from '@shoal/assert';
import { timeoutError, tooManyPendingError } from './errors';

interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (error: Error) => void;
  deadlineTick: number;
  timeoutMs: number;
  startedMs: number;
  /** The read index once the leader confirmed it (reads only). */
  readIndex: number | undefined;
}

/** WaiterOptions name what is waited for (in errors) and bound how many may wait. */
export interface WaiterOptions {
  what: string;
  max: number;
  /** Monotonic ms, for the age reported by `resolve`. */
  now: () => number;
  /** Called with each waiter that timed out (after it was rejected). */
  onTimeout?: () => void;
}

/**
 * Waiters holds pending requests of one kind. Every waiter ends exactly once: resolved,
 * rejected, or timed out by `expire`.
 * Invariant: `size <= options.max`; deadlines never decrease in insertion order (the Map's
 * order), so `expire` stops at the first waiter still in time.
 */
export class Waiters<T> {
  private readonly pending = new Map<number, Waiter<T>>();
  private lastDeadlineTick = 0;

  constructor(private readonly options: WaiterOptions) {
    assert(options.max > 0, 'waiters have a positive bound');
  }

  /** size is the number of pending waiters. */
  get size(): number {
    return this.pending.size;
  }

  /** has reports whether a waiter under `key` is pending. */
  has(key: number): boolean {
    return this.pending.has(key);
  }

  /**
   * add registers a waiter under `key` that times out at tick `deadlineTick` (its timeout,
   * `timeoutMs`, is named in the error). It rejects at once (RESOURCE_EXHAUSTED) when `max`
   * waiters are pending. Keys are never reused; deadlines never go back.
   */
  add(key: number, deadlineTick: number, timeoutMs: number): Promise<T> {
    assert(!this.pending.has(key), 'waiter keys are unique');
    assert(deadlineTick >= this.lastDeadlineTick, 'waiter deadlines never go back');
    if (this.pending.size >= this.options.max) {
      return Promise.reject(tooManyPendingError(this.options.what, this.options.max));
    }
    this.lastDeadlineTick = deadlineTick;
    return new Promise<T>((resolve, reject) => {
      const startedMs = this.options.now();
      const waiter = { resolve, reject, deadlineTick, timeoutMs, startedMs, readIndex: undefined };
      this.pending.set(key, waiter);
    });
  }

  /** expire times out every waiter whose deadline is at or before `nowTick`. */
  expire(nowTick: number): void {
    for (const [key, w] of this.pending) {
      if (w.deadlineTick > nowTick) return;
      this.pending.delete(key);
      w.reject(timeoutError(this.options.what, w.timeoutMs));
      this.options.onTimeout?.();
    }
  }

  /** resolve ends the waiter under `key` with `value`; returns its age in ms, if it was there. */
  resolve(key: number, value: T): number | undefined {
    const w = this.take(key);
    if (w === undefined) return undefined;
    w.resolve(value);
    return this.options.now() - w.startedMs;
  }

  /** reject ends the waiter under `key` with `error`, if it is still pending. */
  reject(key: number, error: Error): boolean {
    const w = this.take(key);
    if (w === undefined) return false;
    w.reject(error);
    return true;
  }

  /** rejectAll ends every pending waiter with `error` and returns how many there were. */
  rejectAll(error: Error): number {
    const all = [...this.pending.keys()];
    for (const key of all) this.reject(key, error);
    return all.length;
  }

  /** confirm records the read index of the read under `key` (ignored if it is gone). */
  confirm(key: number, readIndex: number): void {
    const w = this.pending.get(key);
    if (w !== undefined) w.readIndex = readIndex;
  }

  /** rejectUnconfirmed ends every waiter without a read index with `error`. */
  rejectUnconfirmed(error: Error): void {
    for (const [key, w] of [...this.pending]) {
      if (w.readIndex === undefined) this.reject(key, error);
    }
  }

  /**
   * resolveConfirmedUpTo resolves every waiter whose read index is at most `applied`, with
   * its read index as the value (T must be number for reads).
   */
  resolveConfirmedUpTo(applied: number, toValue: (readIndex: number) => T): void {
    if (this.pending.size === 0) return;
    for (const [key, w] of [...this.pending]) {
      const index = w.readIndex;
      if (index !== undefined && index <= applied) this.resolve(key, toValue(index));
    }
  }

  private take(key: number): Waiter<T> | undefined {
    const w = this.pending.get(key);
    if (w === undefined) return undefined;
    this.pending.delete(key);
    return w;
  }
}
