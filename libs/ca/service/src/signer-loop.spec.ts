// Goal: the signer loop signs only certificates left pending across two looks (the accepting
// replica signs its own at once), keeps looking after a failed look, and stops cleanly.
// Method: a scripted pending list and a recording signer, a ManualClock as the loop's timers.
import { ManualClock } from '@shoal/clock';
import { SignerLoop } from './signer-loop';

function setup(script: string[][]): { loop: SignerLoop; signed: string[]; clock: ManualClock } {
  const clock = new ManualClock(0);
  const signed: string[] = [];
  let look = 0;
  const loop = new SignerLoop({
    pending: async () => {
      const ids = script[look++];
      if (ids === undefined) throw new Error('store unavailable');
      return ids;
    },
    sign: async (id) => void signed.push(id),
    timers: clock,
    intervalMs: 1_000,
  });
  return { loop, signed, clock };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
}

describe('SignerLoop', () => {
  it('signs what was pending at two looks in a row, not what just appeared', async () => {
    const { loop, signed } = setup([['a', 'b'], ['b', 'c'], ['c']]);
    await loop.tick();
    expect(signed).toEqual([]);
    await loop.tick();
    expect(signed).toEqual(['b']);
    await loop.tick();
    expect(signed).toEqual(['b', 'c']);
  });

  it('looks every interval, survives a failed look, and stops', async () => {
    const { loop, signed, clock } = setup([['x'], ['x']]);
    loop.start();
    clock.advance(1_000);
    await settle();
    clock.advance(1_000);
    await settle();
    expect(signed).toEqual(['x']);
    clock.advance(1_000); // the third look fails (script exhausted): logged, not thrown
    await settle();
    expect(clock.pendingTimers()).toBe(1);
    await loop.stop();
    expect(clock.pendingTimers()).toBe(0);
  });
});
