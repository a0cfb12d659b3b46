/**
 * AssertionFailure is thrown by {@link assert} when a programmer's invariant does not hold.
 * It is never caught by Shoal code: a broken invariant means the process state cannot be
 * trusted, so the process crashes and its supervisor restarts it.
 */
export class AssertionFailure extends Error {
  override readonly name = 'AssertionFailure';
}

/**
 * assert checks a programmer's invariant and stays on in production builds.
 *
 * Contract: `cond` is a plain boolean (split compound conditions into several asserts so
 * that the failing one names itself); `message` says what should have held. Expected
 * domain outcomes (not found, conflicts, bad input) are never asserted: they are returned.
 */
export function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new AssertionFailure(`assertion failed: ${message}`);
}

/**
 * assertNever closes every `switch` over a union: the compiler proves the call is
 * unreachable, and at run time an unexpected value (e.g. a newer enum from the wire) fails
 * loudly instead of falling through.
 */
export function assertNever(value: never, what = 'value'): never {
  throw new AssertionFailure(`unexpected ${what}: ${JSON.stringify(value)}`);
}
