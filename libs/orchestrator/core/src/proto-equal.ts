/**
 * protoEqual compares two generated protobuf values structurally: plain objects key by key
 * (a missing key equals an `undefined` one), arrays element by element, `Uint8Array`s byte by
 * byte, `Date`s by time, everything else with `Object.is`. It is SwarmKit's `reflect.DeepEqual`
 * over specs. Iterative (an explicit stack), so deep specs cannot overflow the call stack.
 */
export function protoEqual(a: unknown, b: unknown): boolean {
  const stack: Array<readonly [unknown, unknown]> = [[a, b]];
  for (let pair = stack.pop(); pair !== undefined; pair = stack.pop()) {
    const [x, y] = pair;
    if (Object.is(x, y)) continue;
    if (!sameShape(x, y)) return false;
    if (x instanceof Date || x instanceof Uint8Array) {
      if (!leafEqual(x, y)) return false;
      continue;
    }
    if (Array.isArray(x)) {
      const ys = y as unknown[];
      if (x.length !== ys.length) return false;
      for (let i = 0; i < x.length; i++) stack.push([x[i], ys[i]]);
      continue;
    }
    const xo = x as Record<string, unknown>;
    const yo = y as Record<string, unknown>;
    const keys = new Set([...Object.keys(xo), ...Object.keys(yo)]);
    for (const k of keys) stack.push([xo[k], yo[k]]);
  }
  return true;
}

/** Both objects of the same kind (plain, array, Date or bytes); false for unequal scalars. */
function sameShape(x: unknown, y: unknown): boolean {
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  if (x instanceof Date !== y instanceof Date) return false;
  return x instanceof Uint8Array === y instanceof Uint8Array;
}

function leafEqual(x: Date | Uint8Array, y: unknown): boolean {
  if (x instanceof Date) return x.getTime() === (y as Date).getTime();
  const yb = y as Uint8Array;
  if (x.length !== yb.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== yb[i]) return false;
  return true;
}
