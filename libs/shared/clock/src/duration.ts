/** SECOND_MS is one second in milliseconds. */
export const SECOND_MS = 1000;
/** MINUTE_MS is one minute in milliseconds. */
export const MINUTE_MS = 60 * SECOND_MS;
/** HOUR_MS is one hour in milliseconds. */
export const HOUR_MS = 60 * MINUTE_MS;

/**
 * DurationParts names the pieces of a duration; every field is optional and may be
 * fractional or zero, but not negative.
 */
export interface DurationParts {
  readonly hours?: number;
  readonly minutes?: number;
  readonly seconds?: number;
  readonly ms?: number;
}

/**
 * durationMs adds up the given parts into milliseconds, so limits read as
 * `durationMs({ seconds: 5 })` instead of a bare `5000`.
 *
 * Contract: every part must be a finite number ≥ 0; otherwise it throws a RangeError.
 */
export function durationMs(parts: DurationParts): number {
  const { hours = 0, minutes = 0, seconds = 0, ms = 0 } = parts;
  for (const value of [hours, minutes, seconds, ms]) {
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`duration parts must be finite and non-negative, got ${value}`);
    }
  }
  return hours * HOUR_MS + minutes * MINUTE_MS + seconds * SECOND_MS + ms;
}

/**
 * formatDurationMs renders a millisecond count compactly for logs and messages, e.g.
 * `1h2m3.5s`, `250ms`, `0ms`. Negative durations get a leading `-`.
 */
export function formatDurationMs(totalMs: number): string {
  if (!Number.isFinite(totalMs)) return String(totalMs);
  const sign = totalMs < 0 ? '-' : '';
  let rest = Math.abs(totalMs);
  if (rest < SECOND_MS) return `${sign}${rest}ms`;
  const hours = Math.floor(rest / HOUR_MS);
  rest -= hours * HOUR_MS;
  const minutes = Math.floor(rest / MINUTE_MS);
  rest -= minutes * MINUTE_MS;
  const seconds = rest / SECOND_MS;
  let out = sign;
  if (hours > 0) out += `${hours}h`;
  if (minutes > 0) out += `${minutes}m`;
  if (seconds > 0) out += `${Number(seconds.toFixed(3))}s`;
  return out;
}
