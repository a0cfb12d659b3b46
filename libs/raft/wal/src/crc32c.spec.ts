// Goal: crc32c matches the published CRC-32C check values and its bitwise reference.
// Method: known vectors (RFC 3720 appendix B.4 and the "123456789" check value), then
// fast-check compares the slicing-by-8 implementation with the bitwise one on random input,
// including chained calls, which must equal one call over the concatenation.
import fc from 'fast-check';
import { crc32c, crc32cBitwise } from './crc32c';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('crc32c', () => {
  it.each([
    ['the check string "123456789"', ascii('123456789'), 0xe3069283],
    ['the empty input', new Uint8Array(0), 0x00000000],
    ['32 zero bytes (RFC 3720 B.4)', new Uint8Array(32), 0x8a9136aa],
    ['32 bytes of 0xff (RFC 3720 B.4)', new Uint8Array(32).fill(0xff), 0x62a8ab43],
    ['32 ascending bytes (RFC 3720 B.4)', Uint8Array.from({ length: 32 }, (_, i) => i), 0x46dd794e],
    [
      '32 descending bytes (RFC 3720 B.4)',
      Uint8Array.from({ length: 32 }, (_, i) => 31 - i),
      0x113fdb5c,
    ],
  ])('computes the known value for %s', (_name, input, expected) => {
    expect(crc32c(input)).toBe(expected);
    expect(crc32cBitwise(input)).toBe(expected);
  });

  it('agrees with the bitwise reference on random input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (bytes, seed) => {
        expect(crc32c(bytes, seed >>> 0)).toBe(crc32cBitwise(bytes, seed >>> 0));
      }),
    );
  });

  it('chains: crc32c(b, crc32c(a)) equals crc32c(a ++ b)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 100 }), (a, b) => {
        const joined = new Uint8Array(a.length + b.length);
        joined.set(a, 0);
        joined.set(b, a.length);
        expect(crc32c(b, crc32c(a))).toBe(crc32c(joined));
      }),
    );
  });
});
