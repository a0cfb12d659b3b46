import type { z } from 'zod';
import { parseArgv, splitList, type RawValues } from './argv';
import { expectationText, fieldInfos, type FieldInfo } from './field-info';
import { DEFAULT_ENV_PREFIX, envName, flagName } from './names';

/**
 * ConfigOptions says where configuration comes from. Defaults: `process.env`,
 * `process.argv.slice(2)` and the `SHOAL_` prefix. Tests always pass both explicitly.
 */
export interface ConfigOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly argv?: readonly string[];
  readonly envPrefix?: string;
}

/**
 * ConfigError is thrown by {@link loadConfig} when configuration is invalid. `problems` has
 * one readable line per bad key or unknown flag; the message lists them all, so an operator
 * fixes everything in one go.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  /** Creates the error from its problem lines. */
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);
const NUMBER_TEXT = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** Converts raw text for a scalar kind, leaving it as text when it does not parse. */
function coerceScalar(kind: FieldInfo['kind'] | undefined, text: string): unknown {
  const trimmed = text.trim();
  if (kind === 'number') return NUMBER_TEXT.test(trimmed) ? Number(trimmed) : text;
  if (kind === 'boolean') {
    const word = trimmed.toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  return text;
}

/** Converts one key's raw text (or list of texts) to the value handed to zod. */
function coerce(field: FieldInfo, raw: string | string[]): unknown {
  if (field.kind === 'array') {
    const items = Array.isArray(raw) ? raw : splitList(raw);
    return items.map((item) => coerceScalar(field.elementKind, item));
  }
  return coerceScalar(field.kind, Array.isArray(raw) ? raw.join(',') : raw);
}

/** Reads every field's environment variable; empty values count as unset. */
function readEnv(fields: readonly FieldInfo[], env: NodeJS.ProcessEnv, prefix: string): RawValues {
  const values: RawValues = new Map();
  for (const field of fields) {
    const text = env[envName(field.key, prefix)];
    if (text !== undefined && text !== '') values.set(field.key, text);
  }
  return values;
}

/**
 * loadConfig builds a typed configuration from `schema` (a flat zod object of camelCase
 * keys), reading flags (`--grpc-port=7000` or `--grpc-port 7000`), then environment variables
 * (`SHOAL_GRPC_PORT`), then schema defaults; flags win over env, env over defaults.
 *
 * Contract: numbers and booleans are coerced from text (`true/false/1/0/yes/no/on/off`;
 * bare `--flag` and `--no-flag` for booleans); list fields take repeated flags or a
 * comma-separated value. `--help`/`-h` are ignored (the caller handles them). On any problem
 * it throws one {@link ConfigError} listing every bad key, unknown flag and stray argument.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, opts: ConfigOptions = {}): z.infer<S> {
  const prefix = opts.envPrefix ?? DEFAULT_ENV_PREFIX;
  const fields = fieldInfos(schema);
  const byKey = new Map(fields.map((f) => [f.key, f]));
  const fromEnv = readEnv(fields, opts.env ?? process.env, prefix);
  const fromArgv = parseArgv(opts.argv ?? process.argv.slice(2), byKey);
  const raw: RawValues = new Map([...fromEnv, ...fromArgv.values]);
  const input: Record<string, unknown> = {};
  for (const [key, text] of raw) input[key] = coerce(byKey.get(key) as FieldInfo, text);
  const result = schema.safeParse(input);
  const problems = [...fromArgv.problems];
  if (!result.success) problems.push(...describeIssues(result.error.issues, byKey, raw, prefix));
  if (problems.length > 0) throw new ConfigError(problems);
  if (!result.success) throw new ConfigError(['invalid configuration']);
  return result.data as z.infer<S>;
}

/** Turns zod issues into one readable line per bad key (first issue per key wins). */
function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  byKey: ReadonlyMap<string, FieldInfo>,
  raw: RawValues,
  prefix: string,
): string[] {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const issue of issues) {
    const key = typeof issue.path[0] === 'string' ? issue.path[0] : undefined;
    const field = key === undefined ? undefined : byKey.get(key);
    if (key === undefined || field === undefined) {
      lines.push(`config: ${issue.message}`);
      continue;
    }
    if (seen.has(key)) continue;
    seen.add(key);
    const label = `--${flagName(key)} / ${envName(key, prefix)}`;
    const useOwnText = field.kind !== 'string' && field.kind !== 'other';
    const expectation = useOwnText ? `expected ${expectationText(field)}` : issue.message;
    const given = raw.get(key);
    if (given === undefined) {
      lines.push(`${label}: required (expected ${expectationText(field)}), not set`);
    } else {
      lines.push(`${label}: ${expectation}, got ${JSON.stringify(rawText(given))}`);
    }
  }
  return lines;
}

function rawText(given: string | string[]): string {
  return Array.isArray(given) ? given.join(',') : given;
}
