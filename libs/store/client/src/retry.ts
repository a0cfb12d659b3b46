// Which failures a client may retry, and how long it waits between attempts.
import type { Metadata } from '@grpc/grpc-js';
import { isTransientCode, type ShoalError } from '@shoal/errors';
import { ERROR_CODE_METADATA_KEY } from '@shoal/grpc';
import { NOT_SENT_DETAIL } from './identity';
import { STORE_CLIENT_LIMITS } from '@shoal/limits';

/** Messages with which grpc-js fails a call that never left the client. */
const NEVER_SENT_MESSAGES: readonly string[] = Object.freeze([
  'No connection established',
  'Name resolution failed',
]);

function transportNeverSent(err: ShoalError): boolean {
  const cause = err.cause as { details?: unknown; metadata?: Metadata } | undefined;
  if (cause === undefined || typeof cause.details !== 'string') return false;
  const fromServer = (cause.metadata?.get(ERROR_CODE_METADATA_KEY).length ?? 0) > 0;
  const details = cause.details;
  return !fromServer && NEVER_SENT_MESSAGES.some((m) => details.includes(m));
}

/**
 * provesNotApplied reports whether a failed write certainly did not happen, so resending it
 * unchanged cannot apply it twice: NOT_LEADER (the server refused before proposing), a
 * ShoalError marked `notSent` (e.g. a follower could not reach the leader), or a grpc-js
 * UNAVAILABLE raised before any connection existed.
 */
export function provesNotApplied(err: ShoalError): boolean {
  if (err.code === 'NOT_LEADER') return true;
  if (err.details?.[NOT_SENT_DETAIL] === 'true') return true;
  return err.code === 'UNAVAILABLE' && transportNeverSent(err);
}

/**
 * isRetryableRead reports whether a read may be retried: any transient failure
 * (UNAVAILABLE, NOT_LEADER, DEADLINE_EXCEEDED), since reads have no effect.
 */
export function isRetryableRead(err: ShoalError): boolean {
  return isTransientCode(err.code);
}

/**
 * backoffDelayMs is the delay before retry number `attempt` (1 = first retry): exponential
 * from `baseMs`, capped at `maxMs`, with full jitter from `random` in [0, 1) (AWS's "full
 * jitter": uniform in [0, cap]) so that many clients do not retry in step.
 */
export function backoffDelayMs(
  attempt: number,
  random: () => number,
  baseMs: number = STORE_CLIENT_LIMITS.retryBaseDelayMs,
  maxMs: number = STORE_CLIENT_LIMITS.retryMaxDelayMs,
): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * cap);
}
