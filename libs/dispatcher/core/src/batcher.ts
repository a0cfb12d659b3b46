// A last-write-wins batch (SwarmKit `processUpdates`: a map keyed by task ID flushed every
// 100 ms or at 10,000 items). Pure: time is passed in.
import { assert } from '@shoal/assert';

/** BatchLimits say when a batch is due: age of its oldest item, or its size. */
export interface BatchLimits {
  readonly intervalMs: number;
  readonly maxItems: number;
}

/** Queued is one waiting item and when it was first queued (ms). */
export interface Queued<V> {
  readonly value: V;
  readonly queuedAtMs: number;
}

/**
 * LastWriteBatcher holds at most one value per key. Contract: `add` replaces the value of a
 * key already waiting but keeps its first queue time (so a hot key cannot starve); `due(now)`
 * holds when ≥ maxItems keys wait, or the oldest waited ≥ intervalMs; `take()` returns and
 * clears everything, in first-queued order.
 */
export class LastWriteBatcher<V> {
  private items = new Map<string, Queued<V>>();
  private oldestMs: number | undefined;

  constructor(private readonly limits: BatchLimits) {
    assert(limits.intervalMs > 0 && limits.maxItems > 0, 'batch limits are positive');
  }

  /** size is the number of waiting keys. */
  get size(): number {
    return this.items.size;
  }

  /** add queues `value` for `key` at `nowMs` (replacing a waiting value of that key). */
  add(key: string, value: V, nowMs: number): void {
    const old = this.items.get(key);
    this.items.set(key, { value, queuedAtMs: old?.queuedAtMs ?? nowMs });
    if (this.oldestMs === undefined || nowMs < this.oldestMs) this.oldestMs = old?.queuedAtMs ?? nowMs;
  }

  /** get returns the value waiting for `key`, if any. */
  get(key: string): V | undefined {
    return this.items.get(key)?.value;
  }

  /** due reports whether the batch should be written at `nowMs`. */
  due(nowMs: number): boolean {
    if (this.items.size === 0) return false;
    if (this.items.size >= this.limits.maxItems) return true;
    return this.oldestMs !== undefined && nowMs - this.oldestMs >= this.limits.intervalMs;
  }

  /** take empties the batch and returns its items keyed as added. */
  take(): Map<string, Queued<V>> {
    const items = this.items;
    this.items = new Map();
    this.oldestMs = undefined;
    return items;
  }
}
