// Reading untrusted Docker API JSON with the field path in every error, and the JSON value
// type of what the gateway answers. Errors read like dockerd's JSON decoding errors.
import { ShoalError } from '@shoal/errors';

/** Json is a JSON value as the gateway writes it; `undefined` members are left out. */
export type Json = string | number | boolean | null | Json[] | JsonObject;

/** JsonObject is a JSON object; members set to `undefined` are omitted when serialized. */
export interface JsonObject {
  [key: string]: Json | undefined;
}

/** Fields is a decoded JSON object being read, with its path for error messages. */
export interface Fields {
  readonly value: Readonly<Record<string, unknown>>;
  readonly path: string;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'number') return `number ${v}`;
  return typeof v;
}

/** typeError is the 400 error for a JSON value of the wrong type at `path`. */
export function typeError(v: unknown, path: string, want: string): ShoalError {
  return ShoalError.invalidArgument(`json: cannot unmarshal ${describe(v)} into field ${path} of type ${want}`);
}

function join(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

/** fieldsOf reads `v` as a JSON object; null and undefined give undefined. */
export function fieldsOf(v: unknown, path: string): Fields | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw typeError(v, path, 'object');
  return { value: v as Record<string, unknown>, path };
}

/** sub reads member `key` of `f` as an object (undefined when absent or null). */
export function sub(f: Fields, key: string): Fields | undefined {
  return fieldsOf(f.value[key], join(f.path, key));
}

/** str reads a string member; absent or null gives ''. */
export function str(f: Fields, key: string): string {
  const v = f.value[key];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw typeError(v, join(f.path, key), 'string');
  return v;
}

/** bool reads a boolean member; absent or null gives false. */
export function bool(f: Fields, key: string): boolean {
  return optBool(f, key) ?? false;
}

/** optBool reads a boolean member that may be absent. */
export function optBool(f: Fields, key: string): boolean | undefined {
  const v = f.value[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw typeError(v, join(f.path, key), 'bool');
  return v;
}

/** optInt reads an integer member that may be absent; `unsigned` refuses negatives. */
export function optInt(f: Fields, key: string, unsigned = false): number | undefined {
  const v = f.value[key];
  if (v === undefined || v === null) return undefined;
  const want = unsigned ? 'uint64' : 'int64';
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw typeError(v, join(f.path, key), want);
  if (unsigned && v < 0) throw typeError(v, join(f.path, key), want);
  return v;
}

/** int reads an integer member; absent gives 0. */
export function int(f: Fields, key: string, unsigned = false): number {
  return optInt(f, key, unsigned) ?? 0;
}

/** num reads a number member (float); absent gives 0. */
export function num(f: Fields, key: string): number {
  const v = f.value[key];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw typeError(v, join(f.path, key), 'float64');
  return v;
}

/** strList reads an array of strings; absent or null gives []. */
export function strList(f: Fields, key: string): string[] {
  return list(f, key).map((v, i) => {
    if (typeof v !== 'string') throw typeError(v, `${join(f.path, key)}[${i}]`, 'string');
    return v;
  });
}

/** list reads an array member; absent or null gives []. */
export function list(f: Fields, key: string): unknown[] {
  const v = f.value[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw typeError(v, join(f.path, key), 'array');
  return v;
}

/** objList reads an array of objects (null entries are refused). */
export function objList(f: Fields, key: string): Fields[] {
  return list(f, key).map((v, i) => {
    const item = fieldsOf(v, `${join(f.path, key)}[${i}]`);
    if (item === undefined) throw typeError(v, `${join(f.path, key)}[${i}]`, 'object');
    return item;
  });
}

/** strMap reads an object of string values; absent or null gives {}. */
export function strMap(f: Fields, key: string): Record<string, string> {
  const m = sub(f, key);
  if (m === undefined) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.value)) {
    if (typeof v !== 'string') throw typeError(v, join(m.path, k), 'string');
    out[k] = v;
  }
  return out;
}

/** has reports whether member `key` is present and not null. */
export function has(f: Fields, key: string): boolean {
  const v = f.value[key];
  return v !== undefined && v !== null;
}

/** nonEmpty turns '' into undefined, for omitempty-style output. */
export function nonEmpty(s: string): string | undefined {
  return s === '' ? undefined : s;
}

/** nonEmptyList turns [] into undefined, for omitempty-style output. */
export function nonEmptyList<T extends Json>(items: T[]): T[] | undefined {
  return items.length === 0 ? undefined : items;
}

/** nonEmptyMap turns {} into undefined, for omitempty-style output. */
export function nonEmptyMap(m: Record<string, string>): Record<string, string> | undefined {
  return Object.keys(m).length === 0 ? undefined : { ...m };
}
