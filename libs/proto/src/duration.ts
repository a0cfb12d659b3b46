import type { Duration } from './gen/google/protobuf/duration';

const MS_PER_SECOND = 1000;
const NANOS_PER_MS = 1_000_000;

/**
 * durationFromMs converts milliseconds (integral or not, possibly negative) to a Duration
 * whose `seconds` and `nanos` share a sign, as the protobuf spec requires.
 */
export function durationFromMs(ms: number): Duration {
  const seconds = Math.trunc(ms / MS_PER_SECOND);
  const nanos = Math.round((ms - seconds * MS_PER_SECOND) * NANOS_PER_MS);
  return { seconds, nanos };
}

/** durationToMs converts a Duration to milliseconds (fractional below one millisecond). */
export function durationToMs(duration: Duration): number {
  return duration.seconds * MS_PER_SECOND + duration.nanos / NANOS_PER_MS;
}
