import { assert } from '@shoal/assert';

/** METRIC_PREFIX starts every Shoal metric name. */
export const METRIC_PREFIX = 'shoal_';

/** MetricKind is the Prometheus type a name is checked against. */
export type MetricKind = 'counter' | 'gauge' | 'histogram';

const SNAKE_CASE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/** Non-base units that must be converted (ms → seconds, kb → bytes, …) before export. */
const NON_BASE_UNITS = new Set([
  'ms',
  'msec',
  'millis',
  'milliseconds',
  'us',
  'microseconds',
  'ns',
  'nanoseconds',
  'minutes',
  'hours',
  'days',
  'kb',
  'kib',
  'mb',
  'mib',
  'gb',
  'gib',
  'kilobytes',
  'megabytes',
  'gigabytes',
  'percent',
]);

/**
 * metricName validates a metric name against Prometheus conventions and returns it with the
 * `shoal_` prefix added if missing.
 *
 * Contract (asserts; a bad name is a programmer error): snake_case; no non-base unit word
 * (use `_seconds`, `_bytes`, `_ratio`); counters end in `_total`; histograms do not.
 */
export function metricName(name: string, kind: MetricKind): string {
  const full = name.startsWith(METRIC_PREFIX) ? name : METRIC_PREFIX + name;
  assert(SNAKE_CASE.test(full), `metric name ${JSON.stringify(name)} is snake_case`);
  const words = full.split('_');
  for (const word of words) {
    assert(!NON_BASE_UNITS.has(word), `metric ${full} uses base units, not "${word}"`);
  }
  if (kind === 'counter') assert(full.endsWith('_total'), `counter ${full} ends in _total`);
  if (kind === 'histogram') assert(!full.endsWith('_total'), `histogram ${full} has no _total`);
  return full;
}

/** labelName validates a label name: snake_case and not reserved (`le`, `quantile`, `__*`). */
export function labelName<L extends string>(name: L): L {
  assert(SNAKE_CASE.test(name), `label ${JSON.stringify(name)} is snake_case`);
  assert(name !== 'le' && name !== 'quantile', `label ${name} is not reserved`);
  return name;
}
