// Goal: the work queue is fair, stingy and bounded, and requeues with client-go's rate
// limits: per-key exponential backoff from 5 ms to 1000 s, max'ed with a global token bucket
// (10 qps, burst 100). Method: a ManualClock drives time; keys are added, taken and finished
// by hand and the queue's order, depth and timing are asserted exactly.
import { ManualClock } from '@shoal/clock';
import { WORKQUEUE_LIMITS } from '@shoal/limits';
import { RateLimiter } from './rate-limiter';
import { WorkQueue } from './work-queue';

function queue(clock: ManualClock, limits = {}): WorkQueue {
  return new WorkQueue({ clock, timers: clock, limits });
}

describe('WorkQueue', () => {
  it('hands keys out in order, each once however often it was added', async () => {
    const clock = new ManualClock();
    const q = queue(clock);
    for (const k of ['a', 'b', 'a', 'c', 'b']) q.add(k);
    expect(q.len()).toBe(3);
    expect([await q.get(), await q.get(), await q.get()]).toEqual(['a', 'b', 'c']);
    expect(q.len()).toBe(0);
  });

  it('never hands one key to two workers, and reprocesses a key added while in process', async () => {
    const clock = new ManualClock();
    const q = queue(clock);
    q.add('a');
    const first = await q.get();
    q.add('a');
    q.add('a');
    expect(q.len()).toBe(0);
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await Promise.resolve();
    expect(second).toBeUndefined();
    q.done(first as string);
    await Promise.resolve();
    expect(second).toBe('a');
  });

  it('wakes a waiting worker on add and releases everyone on shutdown', async () => {
    const clock = new ManualClock();
    const q = queue(clock);
    const waiting = [q.get(), q.get()];
    q.add('x');
    expect(await waiting[0]).toBe('x');
    q.shutDown();
    expect(await waiting[1]).toBeUndefined();
    expect(q.add('y')).toBe(false);
    expect(await q.get()).toBeUndefined();
  });

  it('delays addAfter keys, keeping the earliest time for a key', async () => {
    const clock = new ManualClock();
    const q = queue(clock);
    q.addAfter('a', 100);
    q.addAfter('a', 50);
    q.addAfter('a', 500);
    clock.advance(49);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe('a');
    clock.advance(1000);
    expect(q.len()).toBe(0);
  });

  it('backs off a failing key exponentially from 5 ms and resets on forget', async () => {
    const clock = new ManualClock();
    const q = queue(clock);
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = clock.now();
      q.addRateLimited('k');
      clock.runNext();
      delays.push(clock.now() - before);
      expect(q.len()).toBe(1);
      q.done((await q.get()) as string);
    }
    expect(delays).toEqual([5, 10, 20, 40, 80]);
    expect(q.numRequeues('k')).toBe(5);
    q.forget('k');
    expect(q.numRequeues('k')).toBe(0);
  });

  it('caps a key’s backoff at 1000 s', () => {
    const limiter = new RateLimiter(new ManualClock());
    let last = 0;
    for (let i = 0; i < 40; i++) last = limiter.when('k');
    expect(last).toBe(WORKQUEUE_LIMITS.perKeyMaxDelayMs);
  });

  it('spreads a burst of failures of distinct keys at the global rate past the burst', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(clock);
    const delays = Array.from({ length: 103 }, (_, i) => limiter.when(`k${i}`));
    expect(delays.slice(0, 100).every((d) => d === 5)).toBe(true);
    expect(delays.slice(100)).toEqual([100, 200, 300]);
    clock.advance(1000);
    expect(limiter.when('later')).toBe(5);
  });

  it('drops adds beyond maxDepth and counts them', () => {
    const clock = new ManualClock();
    const dropped: string[] = [];
    const q = new WorkQueue({ clock, timers: clock, limits: { maxDepth: 2 },
      onDrop: (k) => dropped.push(k) });
    expect(q.add('a')).toBe(true);
    expect(q.addAfter('b', 10)).toBe(true);
    expect(q.add('c')).toBe(false);
    expect(q.add('a')).toBe(true);
    expect(q.dropped).toBe(1);
    expect(dropped).toEqual(['c']);
    clock.advance(10);
    expect(q.len()).toBe(2);
  });
});
