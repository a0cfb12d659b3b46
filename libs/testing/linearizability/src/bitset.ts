/**
 * Bitset is a fixed-size set of small integers, used for the set of linearized operations.
 * Invariant: bits at or above `size` are never set.
 */
export class Bitset {
  private readonly words: Uint32Array;

  constructor(readonly size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
  }

  /** set adds `bit`. */
  set(bit: number): void {
    this.words[bit >>> 5] |= 1 << (bit & 31);
  }

  /** clear removes `bit`. */
  clear(bit: number): void {
    this.words[bit >>> 5] &= ~(1 << (bit & 31));
  }

  /** has reports whether `bit` is in the set. */
  has(bit: number): boolean {
    return (this.words[bit >>> 5] & (1 << (bit & 31))) !== 0;
  }

  /** clone returns an independent copy. */
  clone(): Bitset {
    const copy = new Bitset(this.size);
    copy.words.set(this.words);
    return copy;
  }

  /** equals reports whether `other` holds the same bits (same size assumed). */
  equals(other: Bitset): boolean {
    for (let i = 0; i < this.words.length; i++) {
      if (this.words[i] !== other.words[i]) return false;
    }
    return true;
  }

  /** hash returns a 32-bit FNV-1a hash of the words. */
  hash(): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < this.words.length; i++) {
      h = Math.imul(h ^ this.words[i], 0x01000193) >>> 0;
    }
    return h;
  }
}
