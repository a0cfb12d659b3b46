import type { Clock, TimerHandle, Timers } from '@shoal/clock';

/** systemClock is the real wall clock: `now()` is `Date.now()` (ms since the epoch). */
export const systemClock: Clock = Object.freeze({
  now: (): number => Date.now(),
});

/**
 * systemTimers are Node's real timers behind the {@link Timers} port. Timers do not keep the
 * process alive (they are unref'd): a process stays up because of its servers, not because a
 * retry or resync timer is pending.
 */
export const systemTimers: Timers = Object.freeze({
  setTimeout: (fn: () => void, ms: number): TimerHandle => {
    const delay = Number.isNaN(ms) || ms < 0 ? 0 : ms;
    const handle = setTimeout(fn, delay);
    handle.unref();
    return handle as unknown as TimerHandle;
  },
  clearTimeout: (handle: TimerHandle): void => {
    clearTimeout(handle as unknown as NodeJS.Timeout);
  },
});
