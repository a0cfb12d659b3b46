// Deep copy, deep freeze and default-aware deep equality of generated protobuf messages.
//
// Generated messages (ts-proto) are trees of plain objects, arrays, Dates, Buffers (bytes)
// and primitives. These helpers walk such trees with an explicit stack (no recursion in core).
import { assert } from '@shoal/assert';

function isPlainContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null && !(value instanceof Date) &&
    !ArrayBuffer.isView(value);
}

/**
 * copyShallow copies one object-typed value: arrays and plain objects one level deep (their
 * children still shared), Dates and byte arrays completely.
 */
function copyShallow(value: object): object {
  if (Array.isArray(value)) return value.slice();
  if (value instanceof Date) return new Date(value.getTime());
  // NB: TypedArray#slice uses the species constructor, so a Buffer copies into a Buffer.
  if (value instanceof Uint8Array) return Uint8Array.prototype.slice.call(value);
  assert(!ArrayBuffer.isView(value), 'messages hold only Uint8Array views');
  return { ...value };
}

/**
 * cloneObject returns a deep copy of a generated message (or any tree of plain objects,
 * arrays, Dates, byte arrays and primitives) that shares nothing mutable with `value`.
 * Buffers stay Buffers. Frozen input yields unfrozen output.
 */
export function cloneObject<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  const root = copyShallow(value);
  // Containers already copied one level deep whose object-typed children are still shared.
  const stack: object[] = [root];
  while (stack.length > 0) {
    const top = stack.pop() as object;
    if (top instanceof Date || ArrayBuffer.isView(top)) continue;
    if (Array.isArray(top)) {
      for (let i = 0; i < top.length; i++) {
        const child: unknown = top[i];
        if (typeof child !== 'object' || child === null) continue;
        const copy = copyShallow(child);
        top[i] = copy;
        stack.push(copy);
      }
      continue;
    }
    const container = top as Record<string, unknown>;
    for (const key in container) {
      const child = container[key];
      if (typeof child !== 'object' || child === null) continue;
      const copy = copyShallow(child);
      container[key] = copy;
      stack.push(copy);
    }
  }
  return root as T;
}

/**
 * deepFreeze freezes `value` and every object and array below it, and returns it. Byte arrays
 * cannot be frozen (a platform rule); Dates are frozen but remain settable through their
 * methods, so consumers must still treat shared messages as read-only.
 */
export function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    if (typeof top !== 'object' || top === null || ArrayBuffer.isView(top)) continue;
    if (Object.isFrozen(top)) continue;
    Object.freeze(top);
    if (top instanceof Date) continue;
    for (const child of Object.values(top)) stack.push(child);
  }
  return value;
}

/**
 * isDefaultValue reports whether `value` is what proto3 would not distinguish from absence:
 * undefined, null, 0, '', false, an empty array or byte array, the epoch as a Date (an empty
 * Timestamp), or an object whose every property is itself a default value (an empty message).
 */
export function isDefaultValue(value: unknown): boolean {
  const stack: unknown[] = [value];
  for (let i = 0; i < stack.length; i++) {
    const v = stack[i];
    if (v === undefined || v === null || v === 0 || v === '' || v === false) continue;
    if (v instanceof Date) {
      if (v.getTime() !== 0) return false;
      continue;
    }
    if (ArrayBuffer.isView(v)) {
      if (v.byteLength !== 0) return false;
      continue;
    }
    if (Array.isArray(v)) {
      if (v.length !== 0) return false;
      continue;
    }
    if (typeof v !== 'object') return false;
    for (const child of Object.values(v)) stack.push(child);
  }
  return true;
}

function bytesEqual(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** leafEqual compares two values of which at least one is not a plain container. */
function leafEqual(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) return bytesEqual(a, b);
  return a === b;
}

/**
 * messageEqual is deep equality of two canonical generated messages (or field values) that
 * treats an unset optional message consistently with its defaults: `undefined` equals an
 * empty message, and an unset Timestamp equals the epoch. Everything else must match
 * exactly: same array lengths and elements, same own keys (so map entries are compared
 * exactly: a missing map key never equals a present one), same bytes, same Date instants.
 *
 * Contract: both sides are canonical, i.e. decoded or built with `fromPartial`, so a message
 * has every field as an own key, with `undefined` for an unset optional message.
 */
export function messageEqual(a: unknown, b: unknown): boolean {
  const stack: Array<[unknown, unknown]> = [[a, b]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [x, y] = top;
    if (x === y) continue;
    if (x === undefined || x === null) {
      if (!isDefaultValue(y)) return false;
      continue;
    }
    if (y === undefined || y === null) {
      if (!isDefaultValue(x)) return false;
      continue;
    }
    if (!isPlainContainer(x) || !isPlainContainer(y)) {
      if (!leafEqual(x, y)) return false;
      continue;
    }
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    const keys = Object.keys(x).sort();
    const otherKeys = Object.keys(y).sort();
    if (keys.length !== otherKeys.length) return false;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== otherKeys[i]) return false;
    for (const key of keys) {
      stack.push([(x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key]]);
    }
  }
  return true;
}
