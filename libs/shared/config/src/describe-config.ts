import type { z } from 'zod';
import { expectationText, fieldInfos, type FieldInfo } from './field-info';
import { DEFAULT_ENV_PREFIX, envName, flagName } from './names';

/** DescribeOptions tunes {@link describeConfig}; `title` is printed first if given. */
export interface DescribeOptions {
  readonly envPrefix?: string;
  readonly title?: string;
}

/** Renders a default value for help text. */
function defaultText(field: FieldInfo): string {
  if (field.hasDefault) {
    const value = field.defaultValue;
    if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.join(',');
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  }
  return field.optional ? '(unset)' : '(required)';
}

/** Renders the placeholder after a flag, e.g. `<int>` or `<debug|info>`. */
function placeholder(field: FieldInfo): string {
  if (field.kind === 'boolean') return '';
  if (field.kind === 'enum') return ` <${(field.enumValues ?? []).join('|')}>`;
  if (field.kind === 'number') return field.isInt ? ' <int>' : ' <number>';
  if (field.kind === 'array') return ' <a,b,…>';
  return ' <value>';
}

/**
 * describeConfig returns help text listing every key of `schema`: its flag, environment
 * variable, accepted values, default and description (from zod `.describe()`), one block per
 * key in declaration order. Printing it for `--help` is the caller's job.
 */
export function describeConfig(schema: z.ZodObject, opts: DescribeOptions = {}): string {
  const prefix = opts.envPrefix ?? DEFAULT_ENV_PREFIX;
  const lines: string[] = [];
  if (opts.title !== undefined) lines.push(opts.title, '');
  lines.push('Options (flags win over environment variables, which win over defaults):', '');
  for (const field of fieldInfos(schema)) {
    const flag = `--${flagName(field.key)}${placeholder(field)}`;
    lines.push(`  ${flag}  (env ${envName(field.key, prefix)})`);
    if (field.description !== undefined) lines.push(`      ${field.description}`);
    lines.push(`      accepts ${expectationText(field)}; default ${defaultText(field)}`);
  }
  return lines.join('\n') + '\n';
}
