import { assert } from '@shoal/assert';
import type { Clock, TimerHandle, Timers } from './clock';

/** One scheduled callback. Invariant: `seq` is unique and grows with each setTimeout. */
interface ManualTimer {
  readonly seq: number;
  readonly dueMs: number;
  readonly fn: () => void;
}

/** Orders timers by due time, then by the order they were set. */
function earlier(a: ManualTimer, b: ManualTimer): boolean {
  return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.seq < b.seq);
}

/**
 * ManualClock is a deterministic virtual clock and timer wheel for tests and simulation.
 *
 * Contract: time moves only when `advance` or `set` is called. `advance(ms)` runs every
 * timer due at or before the new time in (due time, insertion) order, with `now()` equal to
 * each timer's due time while it runs; timers set by a callback that fall due inside the
 * same advance run too. If a callback throws, the error propagates and the clock stays at
 * that callback's due time; the remaining timers stay pending. Handles from another Timers
 * are rejected by an assert.
 */
export class ManualClock implements Clock, Timers {
  private nowMs: number;
  private nextSeq = 1;
  /** Min-heap of scheduled timers; cancelled ones are dropped lazily when they surface. */
  private readonly heap: ManualTimer[] = [];
  /** Live (scheduled, not yet run or cancelled) timers by seq. */
  private readonly live = new Map<number, ManualTimer>();

  /** Creates a clock reading `startMs` (ms since the epoch; default 0). */
  constructor(startMs = 0) {
    assert(Number.isFinite(startMs), 'ManualClock start time is finite');
    this.nowMs = startMs;
  }

  /** now returns the current virtual time in ms since the epoch. */
  now(): number {
    return this.nowMs;
  }

  /** setTimeout schedules `fn` at now + max(0, ms) (NaN counts as 0). */
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const delay = Number.isNaN(ms) || ms < 0 ? 0 : ms;
    const timer: ManualTimer = { seq: this.nextSeq++, dueMs: this.nowMs + delay, fn };
    this.live.set(timer.seq, timer);
    this.push(timer);
    return { seq: timer.seq, owner: this } as unknown as TimerHandle;
  }

  /** clearTimeout cancels the timer if it is still pending; otherwise it does nothing. */
  clearTimeout(handle: TimerHandle): void {
    const raw = handle as unknown as { seq?: unknown; owner?: unknown };
    assert(raw.owner === this, 'timer handle belongs to this ManualClock');
    assert(typeof raw.seq === 'number', 'timer handle carries a sequence number');
    this.live.delete(raw.seq);
  }

  /**
   * advance moves time forward by `ms` (≥ 0), running due timers in order (see class
   * contract). Returns the number of callbacks run.
   */
  advance(ms: number): number {
    assert(Number.isFinite(ms), 'advance by a finite duration');
    assert(ms >= 0, 'advance does not go backwards');
    return this.runUntil(this.nowMs + ms);
  }

  /**
   * set moves the clock to the absolute time `ms`. Forward, it behaves like `advance`.
   * Backward (a wall-clock step), it runs nothing and pending timers keep their absolute due
   * times. Returns the number of callbacks run.
   */
  set(ms: number): number {
    assert(Number.isFinite(ms), 'set to a finite time');
    if (ms < this.nowMs) {
      this.nowMs = ms;
      return 0;
    }
    return this.runUntil(ms);
  }

  /**
   * runNext jumps to the earliest pending timer and runs it (and any others due at that same
   * instant that were set before it). Returns false if no timer is pending.
   */
  runNext(): boolean {
    const due = this.nextTimerDueMs();
    if (due === undefined) return false;
    this.runUntil(Math.max(due, this.nowMs));
    return true;
  }

  /** pendingTimers returns how many timers are scheduled and not yet run or cancelled. */
  pendingTimers(): number {
    return this.live.size;
  }

  /** nextTimerDueMs returns the due time of the earliest pending timer, if any. */
  nextTimerDueMs(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.dueMs;
  }

  private runUntil(targetMs: number): number {
    let ran = 0;
    for (;;) {
      this.dropCancelled();
      const head = this.heap[0];
      if (head === undefined || head.dueMs > targetMs) break;
      this.pop();
      this.live.delete(head.seq);
      this.nowMs = Math.max(this.nowMs, head.dueMs);
      ran++;
      head.fn();
    }
    this.nowMs = Math.max(this.nowMs, targetMs);
    return ran;
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && !this.live.has(this.heap[0]!.seq)) this.pop();
  }

  private push(timer: ManualTimer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && earlier(heap[left]!, heap[least]!)) least = left;
      if (right < heap.length && earlier(heap[right]!, heap[least]!)) least = right;
      if (least === i) return;
      [heap[i], heap[least]] = [heap[least]!, heap[i]!];
      i = least;
    }
  }
}
