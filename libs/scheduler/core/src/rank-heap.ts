import { assert } from '@shoal/assert';

/**
 * RankHeap is a binary min-heap of candidate nodes ordered by SwarmKit's ranking: failure tier
 * (0 unless faulty), then active tasks of the service, then active tasks in total, then the
 * node's ordinal (id order) so ties are deterministic. Keys live in typed arrays indexed by
 * candidate, so a comparison touches no objects.
 *
 * Use: `set` every candidate, `build` once (O(n)), then `top`/`bumpTop`/`popTop`
 * (O(log n) each).
 */
export class RankHeap {
  private readonly tier: Float64Array;
  private readonly service: Float64Array;
  private readonly total: Float64Array;
  private readonly ordinal: Float64Array;
  private readonly heap: Int32Array;
  private length = 0;

  constructor(readonly capacity: number) {
    this.tier = new Float64Array(capacity);
    this.service = new Float64Array(capacity);
    this.total = new Float64Array(capacity);
    this.ordinal = new Float64Array(capacity);
    this.heap = new Int32Array(capacity);
  }

  /** size is the number of candidates in the heap. */
  get size(): number {
    return this.length;
  }

  /** set records candidate `i`'s ranking keys; call before `build`. */
  set(i: number, tier: number, service: number, total: number, ordinal: number): void {
    this.tier[i] = tier;
    this.service[i] = service;
    this.total[i] = total;
    this.ordinal[i] = ordinal;
  }

  /** build heapifies candidates 0..count-1. */
  build(count: number): void {
    assert(count <= this.capacity, 'build within capacity');
    for (let i = 0; i < count; i++) this.heap[i] = i;
    this.length = count;
    for (let i = (count >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  /** top returns the best candidate; the heap must not be empty (callers check `size`). */
  top(): number {
    return this.heap[0] as number;
  }

  /** bumpTop adds to the best candidate's task counts and restores the heap order. */
  bumpTop(serviceDelta: number, totalDelta: number): void {
    const i = this.top();
    this.service[i] = (this.service[i] as number) + serviceDelta;
    this.total[i] = (this.total[i] as number) + totalDelta;
    this.siftDown(0);
  }

  /** popTop removes the best candidate. */
  popTop(): void {
    assert(this.length > 0, 'pop from a non-empty heap');
    this.length--;
    this.heap[0] = this.heap[this.length] as number;
    if (this.length > 0) this.siftDown(0);
  }

  /** less reports whether candidate a ranks strictly before candidate b. */
  less(a: number, b: number): boolean {
    const ta = this.tier[a] as number;
    const tb = this.tier[b] as number;
    if (ta !== tb) return ta < tb;
    const sa = this.service[a] as number;
    const sb = this.service[b] as number;
    if (sa !== sb) return sa < sb;
    const na = this.total[a] as number;
    const nb = this.total[b] as number;
    if (na !== nb) return na < nb;
    return (this.ordinal[a] as number) < (this.ordinal[b] as number);
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    const n = this.length;
    let pos = start;
    const item = heap[pos] as number;
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && this.less(heap[right] as number, heap[child] as number)) child = right;
      if (!this.less(heap[child] as number, item)) break;
      heap[pos] = heap[child] as number;
      pos = child;
    }
    heap[pos] = item;
  }
}
