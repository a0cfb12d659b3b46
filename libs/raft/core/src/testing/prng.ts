/**
 * TestRandom: a tiny seeded generator (mulberry32) for tests and the interaction env, so the
 * core's tests do not depend on another library's stream. Same seed, same sequence.
 */
import { assert } from '@shoal/assert';
import { ElectionRandom } from '../config';

/** TestRandom draws uniform integers from a 32-bit seeded stream. */
export class TestRandom implements ElectionRandom {
  private state: number;

  /** The constructor takes any 32-bit seed. */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** nextUint32 returns the next value in [0, 2^32). */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** int returns a uniform integer in [minInclusive, maxExclusive) (small ranges only). */
  int(minInclusive: number, maxExclusive: number): number {
    assert(minInclusive < maxExclusive, 'int range is not empty');
    return minInclusive + (this.nextUint32() % (maxExclusive - minInclusive));
  }

  /** float returns a number in [0, 1). */
  float(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }
}
