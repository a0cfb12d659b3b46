// Goal: every waiter ends exactly once (resolved, rejected or timed out), the bound on
// pending waiters holds, deadlines are counted in ticks, and reads resolve only once applied
// reaches their read index.
// Method: direct calls with explicit tick numbers; promises are inspected after each step.
import { Waiters } from './waiters';

function make(max = 2): { waiters: Waiters<number>; timeouts: number[]; clock: { ms: number } } {
  const clock = { ms: 0 };
  const timeouts: number[] = [];
  const waiters = new Waiters<number>({
    what: 'things',
    max,
    now: () => clock.ms,
    onTimeout: () => timeouts.push(clock.ms),
  });
  return { waiters, timeouts, clock };
}

describe('Waiters', () => {
  it('resolves once, reporting its age, and is then never timed out', async () => {
    const { waiters, timeouts, clock } = make();
    const p = waiters.add(1, 10, 1000);
    clock.ms = 40;
    expect(waiters.resolve(1, 7)).toBe(40);
    expect(waiters.resolve(1, 8)).toBeUndefined();
    waiters.expire(20);
    await expect(p).resolves.toBe(7);
    expect(timeouts).toEqual([]);
  });

  it('times out at its deadline tick with DEADLINE_EXCEEDED, in order', async () => {
    const { waiters, timeouts } = make(3);
    const first = waiters.add(1, 5, 500);
    const second = waiters.add(2, 6, 500);
    waiters.expire(4);
    expect(waiters.size).toBe(2);
    waiters.expire(5);
    await expect(first).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    expect(waiters.has(2)).toBe(true);
    waiters.expire(6);
    await expect(second).rejects.toThrow('within 500 ms');
    expect(timeouts).toHaveLength(2);
  });

  it('refuses beyond its bound with RESOURCE_EXHAUSTED', async () => {
    const { waiters } = make(1);
    waiters.add(1, 5, 500).catch(() => undefined);
    await expect(waiters.add(2, 5, 500)).rejects.toMatchObject({ code: 'RESOURCE_EXHAUSTED' });
  });

  it('serves confirmed reads once applied reaches them; rejects unconfirmed ones', async () => {
    const { waiters } = make(3);
    const early = waiters.add(1, 9, 100);
    const late = waiters.add(2, 9, 100);
    const unconfirmed = waiters.add(3, 9, 100);
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
