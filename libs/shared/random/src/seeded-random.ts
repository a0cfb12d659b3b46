import { assert } from '@shoal/assert';
import { Uint32Random } from './random';

/**
 * splitmix32 advances a 32-bit counter by the golden-ratio increment and returns a well-mixed
 * hash of it. Used only to expand a seed into generator state.
 */
function splitmix32(state: { x: number }): number {
  state.x = (state.x + 0x9e3779b9) | 0;
  let z = state.x;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/** hashSeed folds a string seed into 32 bits (FNV-1a over UTF-16 code units). */
function hashSeed(seed: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
}

/**
 * SeededRandom is a small, fast, deterministic {@link Random}: the sfc32 generator (Chris
 * Doty-Humphrey's Small Fast Chaotic PRNG, 128-bit state, passes PractRand) with its state
 * expanded from the seed by splitmix32.
 *
 * Contract: the same seed always yields the same sequence, on every platform. A numeric seed
 * must be an integer and is taken modulo 2^32; a string seed is hashed first. `seed` returns
 * the seed as given, so a failing simulation can print `SEED=`. Not for secrets.
 */
export class SeededRandom extends Uint32Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Creates a generator from a 32-bit integer or string seed. */
  constructor(readonly seed: number | string) {
    super();
    if (typeof seed === 'number') assert(Number.isInteger(seed), 'numeric seed is an integer');
    const state = { x: typeof seed === 'number' ? seed | 0 : hashSeed(seed) | 0 };
    this.a = splitmix32(state);
    this.b = splitmix32(state);
    this.c = splitmix32(state);
    this.d = splitmix32(state);
    // Warm up so that nearby seeds diverge fully before the first output.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** nextUint32 returns the next sfc32 output in [0, 2^32). */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** fork returns a SeededRandom seeded from this generator's next output. */
  fork(): SeededRandom {
    return new SeededRandom(this.nextUint32());
  }
}
