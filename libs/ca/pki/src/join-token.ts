// Join tokens in SwarmKit's v1 format: SHLTKN-1-<root digest>-<secret>.
import { createHash, timingSafeEqual } from 'node:crypto';
import { assert } from '@shoal/assert';
import { ShoalError } from '@shoal/errors';
import type { Random } from '@shoal/random';
import { certificateDigest, digestFromBase36, type RootDigest } from './digest';
import {
  JOIN_TOKEN_DIGEST_CHARS,
  JOIN_TOKEN_PREFIX,
  JOIN_TOKEN_SECRET_BYTES,
  JOIN_TOKEN_SECRET_CHARS,
  JOIN_TOKEN_VERSION,
} from '@shoal/limits';

/**
 * JoinToken is a parsed token: the root digest it pins and its secret (base 36). Whoever holds
 * the whole string may join the cluster in the role the token was issued for.
 */
export interface JoinToken {
  readonly version: number;
  readonly rootDigest: RootDigest;
  readonly secret: string;
}

const BASE36_PATTERN = /^[0-9a-z]+$/;

/**
 * generateJoinToken returns a new token string
 * `SHLTKN-1-<rootDigest.base36 (50)>-<16 random bytes in base 36, zero-padded to 25>`.
 *
 * Contract: the secret is exactly as unpredictable as `random`: pass a CSPRNG-backed Random
 * (CryptoRandom here, or @shoal/runtime's) in production; a SeededRandom only in tests. The
 * result always parses with {@link parseJoinToken}.
 */
export function generateJoinToken(rootDigest: RootDigest, random: Random): string {
  assert(rootDigest.base36.length === JOIN_TOKEN_DIGEST_CHARS, 'root digest is 50 base-36 digits');
  let secret = 0n;
  for (let i = 0; i < JOIN_TOKEN_SECRET_BYTES / 4; i++) {
    secret = (secret << 32n) | BigInt(random.nextUint32());
  }
  const secretText = secret.toString(36).padStart(JOIN_TOKEN_SECRET_CHARS, '0');
  assert(secretText.length === JOIN_TOKEN_SECRET_CHARS, 'secret is 25 base-36 digits');
  return [JOIN_TOKEN_PREFIX, JOIN_TOKEN_VERSION, rootDigest.base36, secretText].join('-');
}

/**
 * parseJoinToken splits and validates a token string from a user or a node.
 *
 * Contract: throws ShoalError INVALID_ARGUMENT with a message naming the first problem: wrong
 * number of parts, wrong prefix, unsupported version, wrong digest or secret length,
 * characters outside [0-9a-z], or a digest or secret larger than its field can hold. The
 * message never repeats the secret.
 */
export function parseJoinToken(token: string): JoinToken {
  const parts = token.split('-');
  if (parts.length !== 4) throw malformed(`has ${parts.length} dash-separated parts, expected 4`);
  const [prefix, version, digest, secret] = parts as [string, string, string, string];
  if (prefix !== JOIN_TOKEN_PREFIX) throw malformed(`does not start with ${JOIN_TOKEN_PREFIX}-`);
  if (version !== String(JOIN_TOKEN_VERSION)) {
    throw malformed(`has version ${JSON.stringify(version.slice(0, 8))}, expected 1`);
  }
  checkField('root digest', digest, JOIN_TOKEN_DIGEST_CHARS);
  checkField('secret', secret, JOIN_TOKEN_SECRET_CHARS);
  if (BigInt(parseBase36(digest)) >= 1n << 256n) throw malformed('root digest exceeds 256 bits');
  if (BigInt(parseBase36(secret)) >= 1n << 128n) throw malformed('secret exceeds 128 bits');
  return { version: JOIN_TOKEN_VERSION, rootDigest: digestFromBase36(digest), secret };
}

function checkField(what: string, value: string, length: number): void {
  if (value.length !== length) {
    throw malformed(`${what} has ${value.length} characters, expected ${length}`);
  }
  if (!BASE36_PATTERN.test(value)) throw malformed(`${what} has characters outside [0-9a-z]`);
}

function parseBase36(value: string): bigint {
  let n = 0n;
  for (const ch of value) n = n * 36n + BigInt(parseInt(ch, 36));
  return n;
}

function malformed(detail: string): ShoalError {
  return ShoalError.invalidArgument(`invalid join token: token ${detail}`);
}

/**
 * tokensEqual compares two token strings in time that depends on neither their contents nor
 * where they differ: both are hashed with SHA-256 and the digests compared with
 * `crypto.timingSafeEqual`, so unequal lengths take the same path as equal ones. Use it
 * wherever a presented token is checked against a stored one (SwarmKit uses
 * subtle.ConstantTimeCompare).
 */
export function tokensEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}

/** RootPinVerdict is verifyRootAgainstToken's result. */
export type RootPinVerdict =
  | { readonly ok: true; readonly digest: RootDigest }
  | {
      readonly ok: false;
      readonly reason: 'mismatch';
      readonly expected: RootDigest;
      readonly actual: RootDigest;
    };

/**
 * verifyRootAgainstToken is the joining node's trust-on-first-use check: the root certificate
 * it downloaded without TLS verification is trusted only if its SHA-256 equals the digest
 * pinned in `token`. A mismatch means a man in the middle or the wrong cluster; the node must
 * refuse to continue.
 *
 * Contract: `token` is parsed first (its errors propagate as INVALID_ARGUMENT); an
 * unparseable root certificate throws Node's error.
 */
export function verifyRootAgainstToken(rootCertPem: string, token: string): RootPinVerdict {
  const expected = parseJoinToken(token).rootDigest;
  const actual = certificateDigest(rootCertPem);
  const same = timingSafeEqual(Buffer.from(expected.hex, 'hex'), Buffer.from(actual.hex, 'hex'));
  if (same) return { ok: true, digest: actual };
  return { ok: false, reason: 'mismatch', expected, actual };
}
