// Goal: ManualClock fires timers exactly when due, in (due time, insertion) order, and only
// when told to. Method: scenario tests plus a fast-check property comparing the firing order
// of random timer sets and random advance steps with a sorted reference list.
import fc from 'fast-check';
import { ManualClock } from './manual-clock';

describe('ManualClock', () => {
  it('starts at the given time and moves only on advance or set', () => {
    const clock = new ManualClock(1_000);
    expect(clock.now()).toBe(1_000);
    clock.advance(250);
    expect(clock.now()).toBe(1_250);
    clock.set(5_000);
    expect(clock.now()).toBe(5_000);
  });

  it('runs a timer once time reaches its due time, not before', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 100);
    expect(clock.advance(99)).toBe(0);
    expect(fired).toEqual([]);
    expect(clock.advance(1)).toBe(1);
    expect(fired).toEqual([100]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('runs timers due at the same instant in the order they were set', () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 10);
    clock.setTimeout(() => fired.push('a'), 5);
    clock.setTimeout(() => fired.push('c'), 10);
    clock.advance(10);
    expect(fired).toEqual(['a', 'b', 'c']);
  });

  it('cancels pending timers and ignores clearing fired ones', () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    const a = clock.setTimeout(() => fired.push('a'), 5);
    const b = clock.setTimeout(() => fired.push('b'), 10);
    clock.clearTimeout(b);
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(20);
    clock.clearTimeout(a);
    expect(fired).toEqual(['a']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('runs timers set by a callback if they fall due within the same advance', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 30);
    }, 50);
    clock.advance(100);
    expect(fired).toEqual([50, 80]);
    expect(clock.now()).toBe(100);
  });

  it('treats negative and NaN delays as zero', () => {
    const clock = new ManualClock(10);
    let count = 0;
    clock.setTimeout(() => count++, -5);
    clock.setTimeout(() => count++, Number.NaN);
    clock.advance(0);
    expect(count).toBe(2);
  });

  it('set backwards runs nothing and keeps absolute due times', () => {
    const clock = new ManualClock(1_000);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 100);
    expect(clock.set(500)).toBe(0);
    expect(clock.nextTimerDueMs()).toBe(1_100);
    clock.set(1_100);
    expect(fired).toEqual([1_100]);
  });

  it('runNext jumps to the earliest pending timer', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 700);
    clock.setTimeout(() => fired.push(clock.now()), 300);
    expect(clock.runNext()).toBe(true);
    expect(fired).toEqual([300]);
    expect(clock.runNext()).toBe(true);
    expect(clock.runNext()).toBe(false);
    expect(fired).toEqual([300, 700]);
  });

  it('leaves the clock at the failing timer and keeps the rest pending when one throws', () => {
    const clock = new ManualClock(0);
    clock.setTimeout(() => {
      throw new Error('boom');
    }, 10);
    clock.setTimeout(() => undefined, 20);
    expect(() => clock.advance(50)).toThrow('boom');
    expect(clock.now()).toBe(10);
    expect(clock.pendingTimers()).toBe(1);
  });

  it('rejects a handle from another clock', () => {
    const a = new ManualClock();
    const b = new ManualClock();
    const handle = a.setTimeout(() => undefined, 1);
    expect(() => b.clearTimeout(handle)).toThrow('belongs to this ManualClock');
  });

  it('rejects going backwards with advance', () => {
    expect(() => new ManualClock().advance(-1)).toThrow('does not go backwards');
  });

  it('property: fires each live timer once, in (due, insertion) order, at its due time', () => {
    const timerArb = fc.record({ delay: fc.integer({ min: 0, max: 1_000 }), cancel: fc.boolean() });
    fc.assert(
      fc.property(
        fc.array(timerArb, { maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 10 }),
        (timers, steps) => {
          const clock = new ManualClock(0);
          const fired: Array<{ index: number; at: number }> = [];
          const handles = timers.map((t, index) =>
            clock.setTimeout(() => fired.push({ index, at: clock.now() }), t.delay),
          );
          timers.forEach((t, i) => t.cancel && clock.clearTimeout(handles[i]!));
          for (const step of steps) clock.advance(step);
          const end = steps.reduce((a, b) => a + b, 0);
          const expected = timers
            .map((t, index) => ({ index, at: t.delay, cancel: t.cancel }))
            .filter((t) => !t.cancel && t.at <= end)
            .sort((x, y) => x.at - y.at || x.index - y.index)
            .map(({ index, at }) => ({ index, at }));
          expect(fired).toEqual(expected);
          expect(clock.pendingTimers()).toBe(timers.filter((t) => !t.cancel).length - fired.length);
        },
      ),
    );
  });
});
