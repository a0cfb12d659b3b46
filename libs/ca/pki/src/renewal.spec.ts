// Goal: renewal happens at a uniformly random point between 50 % and 80 % of a certificate's
// life, and immediately once that point (or expiry) has passed. Method: fast-check properties
// over arbitrary validity periods, clocks and random streams, plus edge cases with a stub.
import fc from 'fast-check';
import { SeededRandom, type Random } from '@shoal/random';
import { renewalDelayMs } from './renewal';

/** A Random whose float() is fixed, for the window's edges. */
function fixedFloat(x: number): Random {
  const r = new SeededRandom(1);
  r.float = () => x;
  return r;
}

describe('renewalDelayMs', () => {
  it('lands in [50 %, 80 %) of validity, measured from notBefore', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 42 }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        (notBefore, validityMs, seed) => {
          const notAfter = notBefore + validityMs;
          const now = notBefore;
          const random = new SeededRandom(seed);
          const delay = renewalDelayMs({ notBefore, notAfter, now, random });
          expect(delay).toBeGreaterThanOrEqual(Math.floor(validityMs * 0.5));
          if (validityMs >= 4) expect(delay).toBeLessThan(Math.floor(validityMs * 0.8));
          else expect(delay).toBe(Math.floor(validityMs * 0.5));
          expect(Number.isInteger(delay)).toBe(true);
        },
      ),
    );
  });

  it('is the renewal instant minus now, and never negative', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 42 }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: -(2 ** 41), max: 2 ** 41 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (notBefore, validityMs, offset, x) => {
          const notAfter = notBefore + validityMs;
          const now = notBefore + offset;
          const delay = renewalDelayMs({ notBefore, notAfter, now, random: fixedFloat(x) });
          const lower = Math.floor(validityMs * 0.5);
          const upper = Math.floor(validityMs * 0.8);
          const renewAt = notBefore + lower + Math.floor(x * (upper - lower));
          expect(delay).toBe(Math.max(0, renewAt - now));
        },
      ),
    );
  });

  it('spreads renewals over the window (no thundering herd)', () => {
    const random = new SeededRandom(42);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const delay = renewalDelayMs({ notBefore: 0, notAfter: 1000, now: 0, random });
      const bucket = Math.floor((delay - 500) / 30);
      buckets[bucket] = (buckets[bucket] ?? 0) + 1;
    }
    for (const count of buckets) expect(count).toBeGreaterThan(850);
  });

  it('renews an expired certificate at once', () => {
    const r = new SeededRandom(3);
    expect(renewalDelayMs({ notBefore: 0, notAfter: 1000, now: 5000, random: r })).toBe(0);
    expect(renewalDelayMs({ notBefore: 0, notAfter: 1000, now: 1000, random: r })).toBe(0);
  });

  it('hits the window edges exactly: float 0 → 50 %, float → 1 stays under 80 %', () => {
    const period = { notBefore: 1000, notAfter: 11_000, now: 1000 };
    expect(renewalDelayMs({ ...period, random: fixedFloat(0) })).toBe(5000);
    expect(renewalDelayMs({ ...period, random: fixedFloat(1 - 2 ** -53) })).toBe(7999);
  });

  it('asserts a non-empty validity period', () => {
    const random = new SeededRandom(1);
    expect(() => renewalDelayMs({ notBefore: 5, notAfter: 5, now: 0, random })).toThrow(/empty/);
  });
});
