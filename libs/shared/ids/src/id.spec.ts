// Goal: IDs are 25-char base-36 encodings of 128 random bits, deterministic for a seeded
// Random, and isId accepts exactly those. Method: table-driven edge cases with a stub Random
// (all-zero and all-one bits) plus fast-check properties over seeds.
import fc from 'fast-check';
import { SeededRandom, Uint32Random, type Random } from '@shoal/random';
import { ID_LENGTH, isId, newId, shortId } from './id';

/** A Random that always returns the same word, to hit the extremes of the encoding. */
class ConstantRandom extends Uint32Random {
  constructor(private readonly word: number) {
    super();
  }
  nextUint32(): number {
    return this.word;
  }
  fork(): Random {
    return this;
  }
}

describe('newId', () => {
  it.each([
    ['all zero bits', 0, '0'.repeat(25)],
    ['all one bits', 0xffffffff, 'f5lxx1zz5pnorynqglhzmsp33'],
  ])('encodes %s', (_name, word, expected) => {
    const id = newId(new ConstantRandom(word));
    expect(id).toBe(expected);
    expect(id).toHaveLength(ID_LENGTH);
    expect(isId(id)).toBe(true);
  });

  it('is deterministic for a seeded Random', () => {
    expect(newId(new SeededRandom(1))).toBe(newId(new SeededRandom(1)));
  });

  it('property: always yields a valid ID and round-trips through BigInt', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const id = newId(new SeededRandom(seed));
        expect(isId(id)).toBe(true);
        let value = 0n;
        for (const ch of id) value = value * 36n + BigInt(parseInt(ch, 36));
        expect(value < 1n << 128n).toBe(true);
      }),
    );
  });

  it('does not repeat across many draws from one stream', () => {
    const r = new SeededRandom('ids');
    const seen = new Set(Array.from({ length: 10_000 }, () => newId(r)));
    expect(seen.size).toBe(10_000);
  });
});

describe('isId', () => {
  it.each([
    ['', false],
    ['0'.repeat(24), false],
    ['0'.repeat(26), false],
    ['A'.repeat(25), false],
    ['-'.repeat(25), false],
    ['f5lxx1zz5pnorynqglhzmsp33', true],
    ['f5lxx1zz5pnorynqglhzmsp34', false],
    ['z'.repeat(25), false],
    [42, false],
    [undefined, false],
  ])('isId(%j) is %s', (input, expected) => {
    expect(isId(input)).toBe(expected);
  });
});

describe('shortId', () => {
  it('keeps the first 12 characters', () => {
    expect(shortId('abcdefghijklmnopqrstuvwxy')).toBe('abcdefghijkl');
  });
});
