// Goal: every waiter ends exactly once (resolved, rejected or timed out), the bound on
// pending waiters holds, and reads resolve only once applied reaches their read index.
// Method: a ManualClock drives the deadlines; promises are inspected after each step.
import { ManualClock } from '@shoal/clock';
import { Waiters } from './waiters';

function make(max = 2): { clock: ManualClock; waiters: Waiters<number>; timeouts: number[] } {
  const clock = new ManualClock();
  const timeouts: number[] = [];
  const waiters = new Waiters<number>({
    what: 'things',
    max,
    timers: clock,
    now: () => clock.now(),
    onTimeout: () => timeouts.push(clock.now()),
  });
  return { clock, waiters, timeouts };
}

describe('Waiters', () => {
  it('resolves once and clears the deadline', async () => {
    const { clock, waiters, timeouts } = make();
    const p = waiters.add(1, 100);
    clock.advance(40);
    expect(waiters.resolve(1, 7)).toBe(40);
    expect(waiters.resolve(1, 8)).toBeUndefined();
    clock.advance(100);
    await expect(p).resolves.toBe(7);
    expect(timeouts).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('times out with DEADLINE_EXCEEDED and refuses beyond its bound', async () => {
    const { clock, waiters, timeouts } = make(1);
    const p = waiters.add(1, 100);
    await expect(waiters.add(2, 100)).rejects.toMatchObject({ code: 'RESOURCE_EXHAUSTED' });
    clock.advance(100);
    await expect(p).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    expect(timeouts).toEqual([100]);
    expect(waiters.size).toBe(0);
  });

  it('serves confirmed reads once applied reaches them; rejects unconfirmed ones', async () => {
    const { waiters } = make(3);
    const early = waiters.add(1, 100);
    const late = waiters.add(2, 100);
    const unconfirmed = waiters.add(3, 100);
    waiters.confirm(1, 5);
    waiters.confirm(2, 9);
    waiters.resolveConfirmedUpTo(6, (i) => i);
    await expect(early).resolves.toBe(5);
    expect(waiters.has(2)).toBe(true);
    waiters.rejectUnconfirmed(new Error('leader changed'));
    await expect(unconfirmed).rejects.toThrow('leader changed');
    expect(waiters.rejectAll(new Error('stop'))).toBe(1);
    await expect(late).rejects.toThrow('stop');
  });
});
