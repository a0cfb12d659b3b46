// Times, durations and versions as the Docker API writes them.
import type { Duration, Meta } from '@shoal/proto';
import { optInt, type Fields, type JsonObject } from './json';

const NANOS_PER_SECOND = 1_000_000_000;

/** ZERO_TIME is Go's zero time.Time, which dockerd shows for an unset timestamp. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** dockerTime is an RFC 3339 time, or Go's zero time when unset. */
export function dockerTime(date: Date | undefined): string {
  return date === undefined ? ZERO_TIME : date.toISOString();
}

/** durationFromNanos converts Docker's int64 nanoseconds to a Duration (same sign parts). */
export function durationFromNanos(ns: number): Duration {
  const seconds = Math.trunc(ns / NANOS_PER_SECOND);
  return { seconds, nanos: ns - seconds * NANOS_PER_SECOND };
}

/** nanosFromDuration converts a Duration to Docker's nanoseconds (undefined stays undefined). */
export function nanosFromDuration(d: Duration | undefined): number | undefined {
  return d === undefined ? undefined : d.seconds * NANOS_PER_SECOND + d.nanos;
}

/** metaFields are `Version`, `CreatedAt` and `UpdatedAt` of a stored object. */
export function metaFields(meta: Meta | undefined): JsonObject {
  return {
    Version: { Index: meta?.version?.index ?? 0 },
    CreatedAt: dockerTime(meta?.createdAt),
    UpdatedAt: dockerTime(meta?.updatedAt),
  };
}

/** durationField reads an optional nanosecond member of `f` as a Duration. */
export function durationField(f: Fields, key: string): Duration | undefined {
  const ns = optInt(f, key);
  return ns === undefined ? undefined : durationFromNanos(ns);
}
