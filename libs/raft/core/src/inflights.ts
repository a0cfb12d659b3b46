/**
 * Inflights: the flow-control window of MsgApp messages sent to one follower but not yet
 * acknowledged, bounded by count and (optionally) by payload bytes.
 */
import { assert } from '@shoal/assert';

/**
 * Inflights is a ring buffer of (last index, bytes) per in-flight MsgApp, in send order.
 * Invariant: count <= capacity; indexes increase from the oldest to the newest slot.
 */
export class Inflights {
  private start = 0;
  private count_ = 0;
  private bytes_ = 0;
  private readonly indexes: number[] = [];
  private readonly sizes: number[] = [];

  /** The constructor takes the count limit (> 0) and the byte limit (0 means none). */
  constructor(
    readonly capacity: number,
    readonly maxBytes: number,
  ) {
    assert(Number.isInteger(capacity) && capacity > 0, 'inflight capacity is positive');
    assert(maxBytes >= 0, 'inflight byte limit is not negative');
  }

  /** clone returns an independent copy (used when a conf change copies progress). */
  clone(): Inflights {
    const c = new Inflights(this.capacity, this.maxBytes);
    for (let i = 0; i < this.count_; i++) {
      const slot = (this.start + i) % this.capacity;
      c.add(this.indexes[slot] as number, this.sizes[slot] as number);
    }
    return c;
  }

  /**
   * add records a MsgApp whose last entry is `index` carrying `bytes` of payload. Calling it
   * on a full window is a programmer error: callers check {@link full} first.
   */
  add(index: number, bytes: number): void {
    assert(!this.full(), 'cannot add into a full inflights window');
    if (this.count_ > 0) {
      const newest = (this.start + this.count_ - 1) % this.capacity;
      assert(index > (this.indexes[newest] as number), 'inflight indexes increase');
    }
    const next = (this.start + this.count_) % this.capacity;
    this.indexes[next] = index;
    this.sizes[next] = bytes;
    this.count_++;
    this.bytes_ += bytes;
  }

  /** freeLE frees every in-flight message whose last index is <= `to` (an ack up to `to`). */
  freeLE(to: number): void {
    let freed = 0;
    let bytes = 0;
    let idx = this.start;
    while (freed < this.count_ && (this.indexes[idx] as number) <= to) {
      bytes += this.sizes[idx] as number;
      freed++;
      idx = (idx + 1) % this.capacity;
    }
    this.count_ -= freed;
    this.bytes_ -= bytes;
    this.start = this.count_ === 0 ? 0 : idx;
  }

  /** full reports whether no more messages may be sent (by count, or by bytes if limited). */
  full(): boolean {
    return this.count_ === this.capacity || (this.maxBytes !== 0 && this.bytes_ >= this.maxBytes);
  }

  /** count is the number of in-flight messages. */
  count(): number {
    return this.count_;
  }

  /** bytes is the payload size of the in-flight messages. */
  bytes(): number {
    return this.bytes_;
  }

  /** reset empties the window. */
  reset(): void {
    this.start = 0;
    this.count_ = 0;
    this.bytes_ = 0;
  }
}
