// Goal: SeededRandom is deterministic per seed, and every derived method honours its range
// and uniformity contract. Method: golden values for determinism, table-driven edge cases,
// fast-check properties for ranges and permutations, and a coarse chi-square check.
import fc from 'fast-check';
import { SeededRandom } from './seeded-random';

function draws(seed: number | string, n: number): number[] {
  const r = new SeededRandom(seed);
  return Array.from({ length: n }, () => r.nextUint32());
}

describe('SeededRandom determinism', () => {
  it('repeats the same sequence for the same seed', () => {
    expect(draws(42, 20)).toEqual(draws(42, 20));
    expect(draws('sim-7', 20)).toEqual(draws('sim-7', 20));
  });

  it('gives different sequences for nearby seeds', () => {
    expect(draws(1, 5)).not.toEqual(draws(2, 5));
    expect(draws('a', 5)).not.toEqual(draws('b', 5));
  });

  it('keeps the seed readable as given', () => {
    expect(new SeededRandom(7).seed).toBe(7);
    expect(new SeededRandom('x').seed).toBe('x');
  });

  it('pins its output so the sequence never changes silently across releases', () => {
    // If this changes, every recorded SEED= reproduction breaks: do not update casually.
    expect(draws(0, 3)).toEqual([548183886, 1097162541, 2219297441]);
  });

  it('forks deterministically and independently', () => {
    const a = new SeededRandom(9);
    const b = new SeededRandom(9);
    expect(draws(a.fork().nextUint32(), 1)).toEqual(draws(b.fork().nextUint32(), 1));
    expect(a.nextUint32()).toBe(b.nextUint32());
  });

  it('rejects a fractional numeric seed', () => {
    expect(() => new SeededRandom(1.5)).toThrow('integer');
  });
});

describe('SeededRandom ranges', () => {
  it('property: nextUint32 is an integer in [0, 2^32)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const x = new SeededRandom(seed).nextUint32();
        return Number.isInteger(x) && x >= 0 && x < 2 ** 32;
      }),
    );
  });

  it('property: float is in [0, 1)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const r = new SeededRandom(seed);
        for (let i = 0; i < 50; i++) {
          const f = r.float();
          if (!(f >= 0 && f < 1)) return false;
        }
        return true;
      }),
    );
  });

  it('property: int(lo, hi) is an integer in [lo, hi)', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        (seed, lo, width) => {
          const x = new SeededRandom(seed).int(lo, lo + width);
          return Number.isInteger(x) && x >= lo && x < lo + width;
        },
      ),
    );
  });

  it.each([
    [0, 0],
    [5, 3],
    [0.5, 2],
    [0, 2 ** 53 + 2],
  ])('int(%d, %d) is rejected', (lo, hi) => {
    expect(() => new SeededRandom(1).int(lo, hi)).toThrow();
  });

  it('int(n, n + 1) is always n', () => {
    const r = new SeededRandom(3);
    for (let i = 0; i < 10; i++) expect(r.int(-4, -3)).toBe(-4);
  });

  it('property: shuffle returns the same array, permuted', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.integer()), (seed, xs) => {
        const copy = [...xs];
        const out = new SeededRandom(seed).shuffle(copy);
        expect(out).toBe(copy);
        expect([...out].sort((a, b) => a - b)).toEqual([...xs].sort((a, b) => a - b));
      }),
    );
  });

  it('pick returns a member and rejects an empty array', () => {
    const r = new SeededRandom(5);
    const xs = ['a', 'b', 'c'] as const;
    for (let i = 0; i < 20; i++) expect(xs).toContain(r.pick(xs));
    expect(() => r.pick([])).toThrow('non-empty');
  });

  it('int(0, 10) is roughly uniform (chi-square, 9 degrees of freedom)', () => {
    const r = new SeededRandom(2024);
    const counts = new Array<number>(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) counts[r.int(0, 10)]!++;
    const expected = n / 10;
    const chi = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    expect(chi).toBeLessThan(27.88); // p = 0.001
  });

  it('shuffle reaches every permutation of three items about equally often', () => {
    const r = new SeededRandom(11);
    const seen = new Map<string, number>();
    for (let i = 0; i < 60_000; i++) {
      const key = r.shuffle([1, 2, 3]).join('');
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect(seen.size).toBe(6);
    for (const count of seen.values()) expect(Math.abs(count - 10_000)).toBeLessThan(600);
  });
});
