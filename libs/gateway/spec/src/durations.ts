// Duration checks shared by the validators.
import { durationToMs, type Duration } from '@shoal/proto';

/** isNegative reports whether a set duration is below zero. */
export function isNegative(duration: Duration | undefined): boolean {
  return duration !== undefined && durationToMs(duration) < 0;
}

/** msOf is a set duration in milliseconds, or undefined when unset. */
export function msOf(duration: Duration | undefined): number | undefined {
  return duration === undefined ? undefined : durationToMs(duration);
}

/** formatMs renders milliseconds as Go's time.Duration prints them (`1h0m0s`, `5s`, `1ms`). */
export function formatMs(ms: number): string {
  if (ms === 0) return '0s';
  if (Math.abs(ms) < 1000) return `${ms}ms`;
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms) / 1000;
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  const seconds = Number((rest - minutes * 60).toFixed(3));
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}
