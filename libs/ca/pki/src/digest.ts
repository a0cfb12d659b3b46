// The root digest that join tokens pin: SHA-256 over the certificate's DER.
import { createHash, X509Certificate } from 'node:crypto';
import { assert } from '@shoal/assert';
import { JOIN_TOKEN_DIGEST_CHARS } from '@shoal/limits';

/**
 * RootDigest identifies a root certificate: the SHA-256 of its DER encoding, as 64 lower-case
 * hex digits and as the zero-padded 50-digit base-36 form that join tokens carry.
 *
 * Invariant: both forms encode the same 256-bit number.
 */
export interface RootDigest {
  readonly hex: string;
  readonly base36: string;
}

/**
 * certificateDigest returns the {@link RootDigest} of the PEM certificate `certPem`.
 *
 * Contract: `certPem` holds one certificate (the first is used if there are several); a PEM
 * that Node cannot parse throws Node's error. The digest is over DER, so re-encoding the PEM
 * (line lengths, trailing newline) does not change it.
 */
export function certificateDigest(certPem: string): RootDigest {
  const der = new X509Certificate(certPem).raw;
  return digestFromHex(createHash('sha256').update(der).digest('hex'));
}

/** digestFromHex builds a {@link RootDigest} from a 64-digit hex SHA-256. */
export function digestFromHex(hex: string): RootDigest {
  assert(/^[0-9a-f]{64}$/.test(hex), 'digest is 64 lower-case hex digits');
  const base36 = BigInt(`0x${hex}`).toString(36).padStart(JOIN_TOKEN_DIGEST_CHARS, '0');
  assert(base36.length === JOIN_TOKEN_DIGEST_CHARS, 'base-36 digest has the token length');
  return { hex, base36 };
}

/**
 * digestFromBase36 builds a {@link RootDigest} from the 50-digit base-36 form in a token.
 *
 * Contract: `base36` is exactly 50 characters of [0-9a-z] (callers validate user input first);
 * a value above 2^256 − 1 fails an assert.
 */
export function digestFromBase36(base36: string): RootDigest {
  assert(/^[0-9a-z]+$/.test(base36), 'base-36 digest uses [0-9a-z]');
  assert(base36.length === JOIN_TOKEN_DIGEST_CHARS, 'base-36 digest has the token length');
  let value = 0n;
  for (const ch of base36) value = value * 36n + BigInt(parseInt(ch, 36));
  assert(value < 1n << 256n, 'base-36 digest fits in 256 bits');
  return { hex: value.toString(16).padStart(64, '0'), base36 };
}
