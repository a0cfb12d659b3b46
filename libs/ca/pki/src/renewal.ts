// When to renew a certificate: a random point in the middle of its life.
import { assert } from '@shoal/assert';
import type { Random } from '@shoal/random';
import { RENEWAL_WINDOW_LOWER, RENEWAL_WINDOW_UPPER } from '@shoal/limits';

/** RenewalDelayOptions parameterise {@link renewalDelayMs}; all times are ms since the epoch. */
export interface RenewalDelayOptions {
  readonly notBefore: number;
  readonly notAfter: number;
  readonly now: number;
  readonly random: Random;
}

/**
 * renewalDelayMs returns how long to wait from `now` before renewing a certificate valid from
 * `notBefore` to `notAfter`: the renewal instant is drawn uniformly from
 * [notBefore + 50 % of validity, notBefore + 80 % of validity) (SwarmKit's
 * `calculateRandomExpiry`), so a fleet issued at once does not renew at once.
 *
 * Contract: `notBefore` < `notAfter` (asserted). The window is computed in whole ms:
 * [floor(50 % of validity), floor(80 % of validity)), or exactly 50 % when that is empty. The
 * result is ≥ 0: a renewal instant already past, including an expired certificate, yields 0
 * (renew now). Draws exactly one `random.float()`.
 */
export function renewalDelayMs(options: RenewalDelayOptions): number {
  const { notBefore, notAfter, now, random } = options;
  assert(Number.isFinite(notBefore), 'notBefore is finite');
  assert(Number.isFinite(notAfter), 'notAfter is finite');
  assert(Number.isFinite(now), 'now is finite');
  assert(notBefore < notAfter, 'validity period is not empty');
  const validityMs = notAfter - notBefore;
  // Integer ms bounds first, then a draw inside them: computing 0.5 + 0.3 * float() in floating
  // point can round up to exactly 0.8 for float() close to 1.
  const lowerMs = Math.floor(validityMs * RENEWAL_WINDOW_LOWER);
  const upperMs = Math.floor(validityMs * RENEWAL_WINDOW_UPPER);
  const offsetMs = lowerMs + Math.floor(random.float() * (upperMs - lowerMs));
  assert(offsetMs >= lowerMs, 'renewal point is at or after 50 %');
  assert(offsetMs < upperMs || lowerMs === upperMs, 'renewal point is before 80 %');
  const renewAt = notBefore + offsetMs;
  return Math.max(0, renewAt - now);
}
