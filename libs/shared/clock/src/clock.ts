declare const timerHandleBrand: unique symbol;

/**
 * Clock is the injected source of wall-clock time.
 *
 * Contract: `now()` returns milliseconds since the Unix epoch. Core code never reads the
 * ambient clock; it receives a Clock (or a `now` argument) so that tests and the simulator
 * can drive time by hand. Successive calls never go backwards unless a test sets them so.
 */
export interface Clock {
  now(): number;
}

/**
 * TimerHandle is the opaque token returned by {@link Timers.setTimeout}. Only the Timers
 * that created it may receive it back in `clearTimeout`.
 */
export interface TimerHandle {
  readonly [timerHandleBrand]: 'TimerHandle';
}

/**
 * Timers is the injected one-shot timer facility.
 *
 * Contract: `setTimeout(fn, ms)` runs `fn` once, no earlier than `ms` milliseconds from now
 * (negative or NaN delays count as 0); `clearTimeout(h)` cancels it if it has not run yet and
 * is a no-op otherwise. Timers due at the same instant run in the order they were set.
 */
export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}
