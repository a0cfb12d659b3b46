// Goal: duration helpers add parts correctly, reject nonsense and format compactly.
// Method: table-driven cases.
import { durationMs, formatDurationMs } from './duration';

describe('durationMs', () => {
  it.each([
    [{ seconds: 5 }, 5_000],
    [{ ms: 100 }, 100],
    [{ minutes: 1, seconds: 30 }, 90_000],
    [{ hours: 1 }, 3_600_000],
    [{ seconds: 1.5 }, 1_500],
    [{}, 0],
  ])('%j is %d ms', (parts, expected) => {
    expect(durationMs(parts)).toBe(expected);
  });

  it.each([{ seconds: -1 }, { ms: Number.NaN }, { hours: Number.POSITIVE_INFINITY }])(
    'rejects %j',
    (parts) => {
      expect(() => durationMs(parts)).toThrow(RangeError);
    },
  );
});

describe('formatDurationMs', () => {
  it.each([
    [0, '0ms'],
    [250, '250ms'],
    [1_000, '1s'],
    [1_500, '1.5s'],
    [90_000, '1m30s'],
    [3_723_500, '1h2m3.5s'],
    [3_600_000, '1h'],
    [-2_000, '-2s'],
  ])('%d ms formats as %s', (ms, text) => {
    expect(formatDurationMs(ms)).toBe(text);
  });
});
