// Durations as operators type them: 90d, 2160h, 30m, 45s, 500ms.

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const DURATION_PATTERN = /^(\d+)(ms|s|m|h|d)$/;

/**
 * parseDurationText returns the milliseconds in `text`, a whole number followed by one unit of
 * ms, s, m, h or d (`90d`), or null when `text` is not such a duration or does not fit in a
 * safe integer.
 */
export function parseDurationText(text: string): number | null {
  const match = DURATION_PATTERN.exec(text.trim());
  if (match === null) return null;
  const ms = Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  return Number.isSafeInteger(ms) ? ms : null;
}
