// Public surface of @shoal/clock: injected time (Clock, Timers) and a deterministic
// ManualClock for tests and simulation. The real clock lives in @shoal/runtime.
export type { Clock, TimerHandle, Timers } from './clock';
export { ManualClock } from './manual-clock';
export {
  durationMs,
  formatDurationMs,
  HOUR_MS,
  MINUTE_MS,
  SECOND_MS,
  type DurationParts,
} from './duration';
