/**
 * EventQueue: the simulator's single scheduler, a binary min-heap ordered by (time, seq).
 * `seq` is the insertion number, so events at the same time run in the order they were
 * scheduled and the whole run is deterministic.
 */
import { assert } from '@shoal/assert';

interface Slot<T> {
  time: number;
  seq: number;
  event: T;
}

/** EventQueue orders events by virtual time; ties keep insertion order. */
export class EventQueue<T> {
  private readonly heap: Slot<T>[] = [];
  private seq = 0;

  /** size is the number of pending events. */
  get size(): number {
    return this.heap.length;
  }

  /** push schedules `event` at `time` (a finite, non-negative integer). */
  push(time: number, event: T): void {
    assert(Number.isSafeInteger(time) && time >= 0, 'event time is a non-negative integer');
    this.heap.push({ time, seq: this.seq++, event });
    this.up(this.heap.length - 1);
  }

  /** peekTime is the time of the next event, or undefined when empty. */
  peekTime(): number | undefined {
    return this.heap[0]?.time;
  }

  /** pop removes and returns the next event with its time. */
  pop(): { time: number; event: T } {
    const top = this.heap[0];
    assert(top !== undefined, 'pop from a non-empty queue');
    const last = this.heap.pop() as Slot<T>;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
    return { time: top.time, event: top.event };
  }

  private less(i: number, j: number): boolean {
    const a = this.heap[i] as Slot<T>;
    const b = this.heap[j] as Slot<T>;
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }

  private swap(i: number, j: number): void {
    const t = this.heap[i] as Slot<T>;
    this.heap[i] = this.heap[j] as Slot<T>;
    this.heap[j] = t;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}
