// The Docker API's `filters` query parameter: a JSON map of sets, as dockerd reads it.
import { ShoalError } from '@shoal/errors';

/** FilterArgs are the parsed filters: key -> values, in the order given. */
export type FilterArgs = ReadonlyMap<string, readonly string[]>;

function valuesOf(key: string, v: unknown): string[] {
  if (Array.isArray(v)) {
    return v.map((item) => {
      if (typeof item !== 'string') throw ShoalError.invalidArgument(`invalid filter ${JSON.stringify(key)}: values must be strings`);
      return item;
    });
  }
  if (typeof v === 'object' && v !== null) {
    return Object.entries(v).filter(([, on]) => on === true).map(([value]) => value);
  }
  throw ShoalError.invalidArgument(`invalid filter ${JSON.stringify(key)}: expected a map of values to true`);
}

/**
 * parseFilters reads `filters`: `{"name":{"web":true}}` (the current form) or
 * `{"name":["web"]}` (the old form). Absent or empty gives no filters. Throws INVALID_ARGUMENT
 * for malformed JSON, as dockerd does.
 */
export function parseFilters(raw: string | null): FilterArgs {
  if (raw === null || raw === '') return new Map();
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw ShoalError.invalidArgument(`invalid filter: the filters parameter is not JSON: ${raw}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw ShoalError.invalidArgument('invalid filter: the filters parameter must be a JSON object');
  }
  return new Map(Object.entries(parsed).map(([key, v]) => [key, valuesOf(key, v)]));
}

/** checkFilterKeys refuses a key not in `accepted` with dockerd's "invalid filter 'x'" (400). */
export function checkFilterKeys(args: FilterArgs, accepted: readonly string[]): void {
  for (const key of args.keys()) {
    if (!accepted.includes(key)) throw ShoalError.invalidArgument(`invalid filter '${key}'`);
  }
}

/** filterValues are the values of `key` (empty when absent). */
export function filterValues(args: FilterArgs, key: string): string[] {
  return [...(args.get(key) ?? [])];
}

/** labelFilter turns `label` values (`k=v` or `k`) into a map; a bare key matches any value (''). */
export function labelFilter(args: FilterArgs, key = 'label'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of filterValues(args, key)) {
    const at = entry.indexOf('=');
    if (at < 0) out[entry] = '';
    else out[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return out;
}

/** matchesLabels reports whether `labels` satisfy a label filter (a '' value matches any value). */
export function matchesLabels(labels: Readonly<Record<string, string>>, wanted: Readonly<Record<string, string>>): boolean {
  return Object.entries(wanted).every(([k, v]) => k in labels && (v === '' || labels[k] === v));
}
