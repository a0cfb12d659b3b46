import type { FieldInfo } from './field-info';
import { keyForFlag } from './names';

/** HELP_FLAGS are left to the caller: loadConfig ignores them. */
const HELP_FLAGS = new Set(['--help', '-h']);

/** RawValues holds each key's text as given: one string, or several for list fields. */
export type RawValues = Map<string, string | string[]>;

/** ArgvResult is what parsing argv produced: raw values by key, and every problem found. */
export interface ArgvResult {
  readonly values: RawValues;
  readonly problems: string[];
}

const BOOLEAN_WORDS = new Set(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']);

/**
 * parseArgv reads `--name=value`, `--name value`, bare `--flag` / `--no-flag` for booleans,
 * and repeated flags for list fields. Unknown flags and stray arguments become problems.
 */
export function parseArgv(
  argv: readonly string[],
  fields: ReadonlyMap<string, FieldInfo>,
): ArgvResult {
  const values: RawValues = new Map();
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (HELP_FLAGS.has(token)) continue;
    if (!token.startsWith('--') || token === '--') {
      problems.push(`unexpected argument ${JSON.stringify(token)}`);
      continue;
    }
    const eq = token.indexOf('=');
    const name = eq === -1 ? token.slice(2) : token.slice(2, eq);
    const inline = eq === -1 ? undefined : token.slice(eq + 1);
    const next = argv[i + 1];
    const nextIsValue = next !== undefined && !next.startsWith('--');
    const negated = name.startsWith('no-') ? fields.get(keyForFlag(name.slice(3))) : undefined;
    if (negated?.kind === 'boolean') {
      if (inline !== undefined) problems.push(`--${name} takes no value`);
      else values.set(negated.key, 'false');
      continue;
    }
    const field = fields.get(keyForFlag(name));
    if (field === undefined) {
      problems.push(`unknown flag --${name}`);
      if (inline === undefined && nextIsValue) i++;
      continue;
    }
    let value = inline;
    if (value === undefined && field.kind === 'boolean') {
      value = nextIsValue && BOOLEAN_WORDS.has(next.toLowerCase()) ? argv[++i] : 'true';
    } else if (value === undefined && nextIsValue) {
      value = argv[++i];
    }
    if (value === undefined) {
      problems.push(`--${name}: missing value`);
      continue;
    }
    record(values, field, value);
  }
  return { values, problems };
}

/** Stores a flag value: list fields accumulate (comma lists split), scalars keep the last. */
function record(values: RawValues, field: FieldInfo, value: string): void {
  if (field.kind !== 'array') {
    values.set(field.key, value);
    return;
  }
  const previous = values.get(field.key);
  const list = Array.isArray(previous) ? previous : [];
  list.push(...splitList(value));
  values.set(field.key, list);
}

/** splitList splits a comma-separated list, trimming items and dropping empty ones. */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** wantsHelp reports whether `argv` asks for help (`--help` or `-h`) anywhere. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.some((token) => HELP_FLAGS.has(token));
}
