// Goal: join tokens follow SwarmKit's v1 layout with our prefix, malformed tokens get clear
// errors, comparison is constant-time, and a joining node refuses a root the token does not
// pin. Method: tokens from seeded and crypto randomness, hand-made bad tokens, two real roots.
import { isShoalError } from '@shoal/errors';
import { SeededRandom } from '@shoal/random';
import { randomBytes } from 'node:crypto';
import { CryptoRandom } from './crypto-random';
import { digestFromBase36, digestFromHex } from './digest';
import {
  generateJoinToken,
  parseJoinToken,
  tokensEqual,
  verifyRootAgainstToken,
} from './join-token';
import { createRootCa, type RootCa } from './root-ca';

// RSA key generation is slow and variable (0.2-2 s per key, more on a loaded CI machine).
jest.setTimeout(60_000);

const ZERO = digestFromHex('0'.repeat(64));
const MAX = digestFromHex('f'.repeat(64));
const SAMPLE = `SHLTKN-1-${'1'.repeat(50)}-${'a'.repeat(25)}`;

describe('generateJoinToken / parseJoinToken', () => {
  it('writes SHLTKN-1-<50 base-36 digest>-<25 base-36 secret> and parses it back', () => {
    const random = new SeededRandom(7);
    for (const digest of [ZERO, MAX, digestFromHex(randomBytes(32).toString('hex'))]) {
      const token = generateJoinToken(digest, random);
      expect(token).toMatch(/^SHLTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/);
      const parsed = parseJoinToken(token);
      expect(parsed.version).toBe(1);
      expect(parsed.rootDigest).toEqual(digest);
      expect(token.endsWith(`-${parsed.secret}`)).toBe(true);
    }
  });

  it('pads the digest and secret with zeros, as SwarmKit does', () => {
    const allZero = { nextUint32: () => 0 } as unknown as SeededRandom;
    expect(generateJoinToken(ZERO, allZero)).toBe(`SHLTKN-1-${'0'.repeat(50)}-${'0'.repeat(25)}`);
  });

  it('draws fresh secrets from a crypto Random', () => {
    const random = new CryptoRandom();
    const secrets = new Set(
      Array.from({ length: 100 }, () => parseJoinToken(generateJoinToken(MAX, random)).secret),
    );
    expect(secrets.size).toBe(100);
  });

  it.each([
    ['empty', '', /4/],
    ['three parts', 'SHLTKN-1-abc', /3 dash-separated parts/],
    ['SwarmKit prefix', SAMPLE.replace('SHLTKN', 'SWMTKN'), /does not start with SHLTKN-/],
    ['version 2', SAMPLE.replace('-1-', '-2-'), /version "2", expected 1/],
    ['short digest', `SHLTKN-1-${'1'.repeat(49)}-${'a'.repeat(25)}`, /digest has 49 char/],
    ['long secret', `SHLTKN-1-${'1'.repeat(50)}-${'a'.repeat(26)}`, /secret has 26 char/],
    ['upper case', SAMPLE.toUpperCase(), /outside \[0-9a-z\]/],
    ['bad character', SAMPLE.slice(0, -1) + '!', /secret has characters outside/],
    ['digest over 2^256', `SHLTKN-1-${'z'.repeat(50)}-${'a'.repeat(25)}`, /exceeds 256 bits/],
    ['secret over 2^128', `SHLTKN-1-${'1'.repeat(50)}-${'z'.repeat(25)}`, /exceeds 128 bits/],
  ])('refuses %s with INVALID_ARGUMENT', (_label, token, message) => {
    let caught: unknown;
    try {
      parseJoinToken(token);
    } catch (err) {
      caught = err;
    }
    expect(isShoalError(caught, 'INVALID_ARGUMENT')).toBe(true);
    expect((caught as Error).message).toMatch(/^invalid join token: /);
    expect((caught as Error).message).toMatch(message);
  });

  it('never echoes the secret in an error', () => {
    const token = `SHLTKN-3-${'1'.repeat(50)}-supersecretsupersecret123`;
    expect(() => parseJoinToken(token)).toThrow(/version/);
    expect(() => parseJoinToken(token)).not.toThrow(/supersecret/);
  });

  it('round-trips base-36 digests at both ends of the range', () => {
    expect(digestFromBase36(ZERO.base36)).toEqual(ZERO);
    expect(digestFromBase36(MAX.base36)).toEqual(MAX);
  });
});

describe('tokensEqual', () => {
  it('is true only for identical strings, including different lengths', () => {
    expect(tokensEqual(SAMPLE, SAMPLE)).toBe(true);
    expect(tokensEqual(SAMPLE, SAMPLE.slice(0, -1) + 'b')).toBe(false);
    expect(tokensEqual(SAMPLE, SAMPLE.slice(0, -1))).toBe(false);
    expect(tokensEqual('', SAMPLE)).toBe(false);
    expect(tokensEqual('', '')).toBe(true);
  });

  it('takes about as long whether tokens differ early, late or in length', () => {
    // Coarse on purpose (3x bound): it catches an early-exit compare, not nanosecond leaks.
    const late = SAMPLE.slice(0, -1) + 'b';
    const early = 'X' + SAMPLE.slice(1);
    // Best of five runs of 5,000 compares each, to shed scheduler noise on a shared machine.
    const timeOf = (other: string): number => {
      let best = Infinity;
      for (let run = 0; run < 5; run++) {
        const start = process.hrtime.bigint();
        for (let i = 0; i < 5_000; i++) tokensEqual(SAMPLE, other);
        best = Math.min(best, Number(process.hrtime.bigint() - start));
      }
      return best;
    };
    timeOf(late); // warm up
    const times = [timeOf(early), timeOf(late), timeOf(SAMPLE.slice(0, 10))];
    expect(Math.max(...times) / Math.min(...times)).toBeLessThan(3);
  });
});

describe('verifyRootAgainstToken', () => {
  let root: RootCa;
  let impostor: RootCa;
  beforeAll(async () => {
    const now = Date.UTC(2030, 0, 1);
    [root, impostor] = await Promise.all([
      createRootCa({ clusterId: 'c', now }),
      createRootCa({ clusterId: 'c', now }),
    ]);
  });

  it('accepts the root whose digest the token pins', () => {
    const token = generateJoinToken(root.digest, new CryptoRandom());
    expect(verifyRootAgainstToken(root.certPem, token)).toEqual({ ok: true, digest: root.digest });
  });

  it('refuses any other root (TOFU pinning), naming both digests', () => {
    const token = generateJoinToken(root.digest, new CryptoRandom());
    expect(verifyRootAgainstToken(impostor.certPem, token)).toEqual({
      ok: false, reason: 'mismatch', expected: root.digest, actual: impostor.digest,
    });
  });

  it('refuses a malformed token before looking at the root', () => {
    expect(() => verifyRootAgainstToken(root.certPem, 'SHLTKN-1-x-y')).toThrow(/invalid join/);
  });
});
