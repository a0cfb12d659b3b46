import { assert } from '@shoal/assert';
import { OBJECT_LIMITS } from '@shoal/limits';
import type { Random } from '@shoal/random';

/** ID_LENGTH is the length of every Shoal object ID: 128 bits in base 36 need 25 digits. */
export const ID_LENGTH: number = OBJECT_LIMITS.idLength;

/** SHORT_ID_LENGTH is how many leading characters the CLI shows, as `docker service ls` does. */
export const SHORT_ID_LENGTH: number = OBJECT_LIMITS.shortIdLength;

/** The largest ID, 2^128 − 1 in base 36; IDs of equal length compare lexicographically. */
const MAX_ID = ((1n << 128n) - 1n).toString(36);

assert(MAX_ID.length === ID_LENGTH, 'a 128-bit value fills exactly ID_LENGTH base-36 digits');

const ID_PATTERN = new RegExp(`^[0-9a-z]{${ID_LENGTH}}$`);

/**
 * newId returns a fresh object ID, SwarmKit style: 128 random bits from `random` written in
 * lower-case base 36 and left-padded with '0' to {@link ID_LENGTH} characters.
 *
 * Contract: the result satisfies {@link isId}. Uniqueness is only as good as `random`: use a
 * crypto-backed Random in production (`@shoal/runtime`) and a seeded one in tests.
 */
export function newId(random: Random): string {
  let value = 0n;
  for (let i = 0; i < 4; i++) value = (value << 32n) | BigInt(random.nextUint32());
  return value.toString(36).padStart(ID_LENGTH, '0');
}

/**
 * isId reports whether `s` is a well-formed ID: exactly 25 characters of [0-9a-z] whose
 * base-36 value fits in 128 bits. It says nothing about whether the object exists.
 */
export function isId(s: unknown): s is string {
  return typeof s === 'string' && ID_PATTERN.test(s) && s <= MAX_ID;
}

/**
 * shortId returns the first {@link SHORT_ID_LENGTH} characters of an ID for display; the
 * full ID must still be used for lookups (prefix lookups may be ambiguous).
 */
export function shortId(id: string): string {
  return id.slice(0, SHORT_ID_LENGTH);
}
