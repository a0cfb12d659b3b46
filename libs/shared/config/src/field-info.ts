import { assertNever } from '@shoal/assert';
import { z } from 'zod';

/** FieldKind is how a config field's raw text is coerced before validation. */
export type FieldKind = 'number' | 'boolean' | 'string' | 'enum' | 'array' | 'other';

/** NumberBound is one end of a numeric range, as declared by zod checks. */
export interface NumberBound {
  readonly value: number;
  readonly inclusive: boolean;
}

/**
 * FieldInfo is what config loading needs to know about one top-level schema key, found by
 * unwrapping default/optional/nullable/readonly/catch/pipe wrappers.
 */
export interface FieldInfo {
  readonly key: string;
  readonly kind: FieldKind;
  /** For arrays, how each element is coerced; otherwise undefined. */
  readonly elementKind?: Exclude<FieldKind, 'array'>;
  readonly hasDefault: boolean;
  readonly defaultValue?: unknown;
  readonly optional: boolean;
  readonly description?: string;
  readonly isInt: boolean;
  readonly min?: NumberBound;
  readonly max?: NumberBound;
  readonly enumValues?: readonly string[];
}

interface Unwrapped {
  readonly base: z.ZodType;
  readonly hasDefault: boolean;
  readonly defaultValue?: unknown;
  readonly optional: boolean;
  readonly description?: string;
}

/** Peels wrapper schemas, keeping the outermost default and description. */
function unwrap(schema: z.ZodType): Unwrapped {
  let current = schema;
  let hasDefault = false;
  let defaultValue: unknown;
  let optional = false;
  let description: string | undefined;
  for (let depth = 0; depth < 32; depth++) {
    description ??= current.description;
    if (current instanceof z.ZodDefault || current instanceof z.ZodPrefault) {
      if (!hasDefault) defaultValue = current.def.defaultValue;
      hasDefault = true;
      current = current.def.innerType as z.ZodType;
    } else if (current instanceof z.ZodOptional || current instanceof z.ZodNullable) {
      optional = true;
      current = current.def.innerType as z.ZodType;
    } else if (current instanceof z.ZodReadonly || current instanceof z.ZodCatch) {
      current = current.def.innerType as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.def.in as z.ZodType;
    } else {
      break;
    }
  }
  return { base: current, hasDefault, defaultValue, optional, description };
}

/** Reads a zod number's declared bounds, keeping whether each is inclusive. */
function numberBounds(schema: z.ZodNumber): { min?: NumberBound; max?: NumberBound } {
  let min: NumberBound | undefined;
  let max: NumberBound | undefined;
  for (const check of schema.def.checks ?? []) {
    const def = (check as unknown as { _zod?: { def?: Record<string, unknown> } })._zod?.def ?? {};
    const value = def['value'];
    if (typeof value !== 'number') continue;
    const inclusive = def['inclusive'] === true;
    if (def['check'] === 'greater_than') min = { value, inclusive };
    if (def['check'] === 'less_than') max = { value, inclusive };
  }
  return { min, max };
}

/** Classifies a base schema into the coercion it needs. */
function kindOf(base: z.ZodType): FieldKind {
  if (base instanceof z.ZodNumber) return 'number';
  if (base instanceof z.ZodBoolean) return 'boolean';
  if (base instanceof z.ZodString) return 'string';
  if (base instanceof z.ZodEnum) return 'enum';
  if (base instanceof z.ZodArray) return 'array';
  return 'other';
}

/** fieldInfo describes one top-level key of a config schema (see {@link FieldInfo}). */
export function fieldInfo(key: string, schema: z.ZodType): FieldInfo {
  const { base, ...rest } = unwrap(schema);
  const kind = kindOf(base);
  let elementKind: Exclude<FieldKind, 'array'> | undefined;
  if (base instanceof z.ZodArray) {
    const inner = kindOf(unwrap(base.element as z.ZodType).base);
    elementKind = inner === 'array' ? 'other' : inner;
  }
  const isNumber = base instanceof z.ZodNumber;
  return {
    key,
    kind,
    elementKind,
    ...rest,
    isInt: isNumber && base.isInt === true,
    ...(isNumber ? numberBounds(base) : {}),
    enumValues: base instanceof z.ZodEnum ? base.options.map(String) : undefined,
  };
}

/** fieldInfos describes every top-level key of `schema`, in declaration order. */
export function fieldInfos(schema: z.ZodObject): FieldInfo[] {
  return Object.entries(schema.shape).map(([key, s]) => fieldInfo(key, s as z.ZodType));
}

/** Renders a bound as text, dropping the "unbounded" safe-integer defaults zod adds. */
function boundText(bound: NumberBound | undefined): number | undefined {
  if (bound === undefined || Math.abs(bound.value) >= Number.MAX_SAFE_INTEGER) return undefined;
  return bound.value;
}

/**
 * expectationText says in words what a field accepts, e.g. "an integer from 0 to 65535",
 * "one of debug, info", "true or false", "a list of strings".
 */
export function expectationText(field: FieldInfo): string {
  switch (field.kind) {
    case 'number':
      return numberExpectation(field);
    case 'boolean':
      return 'true or false';
    case 'string':
      return 'a string';
    case 'enum':
      return `one of ${(field.enumValues ?? []).join(', ')}`;
    case 'array':
      return `a comma-separated list of ${field.elementKind === 'number' ? 'numbers' : 'values'}`;
    case 'other':
      return 'a valid value';
    default:
      return assertNever(field.kind, 'field kind');
  }
}

function numberExpectation(field: FieldInfo): string {
  const noun = field.isInt ? 'an integer' : 'a number';
  const lo = boundText(field.min);
  const hi = boundText(field.max);
  const loIncl = field.min?.inclusive ?? true;
  const hiIncl = field.max?.inclusive ?? true;
  if (lo !== undefined && hi !== undefined && loIncl && hiIncl) {
    return `${noun} from ${lo} to ${hi}`;
  }
  const parts: string[] = [];
  if (lo !== undefined) parts.push(loIncl ? `≥ ${lo}` : `> ${lo}`);
  if (hi !== undefined) parts.push(hiIncl ? `≤ ${hi}` : `< ${hi}`);
  return parts.length === 0 ? noun : `${noun} ${parts.join(' and ')}`;
}
