import { assert } from '@shoal/assert';

/**
 * Random is the injected source of randomness; core code never calls Math.random.
 *
 * Contract: `nextUint32()` returns a uniformly distributed integer in [0, 2^32);
 * `float()` a number in [0, 1) with 53 bits of precision; `int(lo, hi)` a uniform integer in
 * [lo, hi) (both safe integers, lo < hi, range ≤ 2^53); `pick(xs)` a uniform element of a
 * non-empty array; `shuffle(xs)` permutes `xs` in place (Fisher–Yates) and returns it;
 * `fork()` returns an independent Random derived from this one's stream, so a subsystem can
 * own its randomness without perturbing the parent's sequence beyond one draw.
 */
export interface Random {
  nextUint32(): number;
  float(): number;
  int(minInclusive: number, maxExclusive: number): number;
  pick<T>(xs: readonly T[]): T;
  shuffle<T>(xs: T[]): T[];
  fork(): Random;
}

const TWO_POW_32 = 0x1_0000_0000;
const TWO_POW_53 = 2 ** 53;

/**
 * Uint32Random implements every {@link Random} method from `nextUint32` alone, so any 32-bit
 * generator (seeded PRNG, crypto pool) only supplies that and `fork`.
 */
export abstract class Uint32Random implements Random {
  /** nextUint32 returns the generator's next uniform integer in [0, 2^32). */
  abstract nextUint32(): number;
  /** fork returns an independent generator derived from this one. */
  abstract fork(): Random;

  /** float returns a uniform number in [0, 1) built from 53 random bits. */
  float(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67_108_864 + low) / TWO_POW_53;
  }

  /** int returns a uniform integer in [minInclusive, maxExclusive), without modulo bias. */
  int(minInclusive: number, maxExclusive: number): number {
    assert(Number.isSafeInteger(minInclusive), 'int lower bound is a safe integer');
    assert(Number.isSafeInteger(maxExclusive), 'int upper bound is a safe integer');
    assert(minInclusive < maxExclusive, 'int range is not empty');
    const range = maxExclusive - minInclusive;
    assert(range <= TWO_POW_53, 'int range is at most 2^53');
    if (range <= TWO_POW_32) return minInclusive + this.below32(range);
    return minInclusive + this.below53(range);
  }

  /** pick returns a uniformly chosen element of a non-empty array. */
  pick<T>(xs: readonly T[]): T {
    assert(xs.length > 0, 'pick from a non-empty array');
    return xs[this.int(0, xs.length)] as T;
  }

  /** shuffle permutes `xs` in place, uniformly (Fisher–Yates), and returns it. */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(0, i + 1);
      const tmp = xs[i] as T;
      xs[i] = xs[j] as T;
      xs[j] = tmp;
    }
    return xs;
  }

  /** Uniform in [0, range) for range ≤ 2^32, by rejecting the biased tail. */
  private below32(range: number): number {
    const limit = TWO_POW_32 - (TWO_POW_32 % range);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % range;
    }
  }

  /** Uniform in [0, range) for 2^32 < range ≤ 2^53, by rejection on 53-bit draws. */
  private below53(range: number): number {
    const limit = TWO_POW_53 - (TWO_POW_53 % range);
    for (;;) {
      const x = (this.nextUint32() >>> 11) * TWO_POW_32 + this.nextUint32();
      if (x < limit) return x % range;
    }
  }
}
