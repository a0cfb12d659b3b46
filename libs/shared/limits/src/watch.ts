/**
 * WATCH_LIMITS bound the store's watch fan-out. SwarmKit gives each watcher its own
 * LimitQueue and closes a watcher that overflows it; the sizes here are Shoal's choice.
 */
export const WATCH_LIMITS = Object.freeze({
  /** Events buffered per watcher; overflow closes that watcher, which must resync (Shoal). */
  watcherBufferEvents: 10_000,
  /** Concurrent watchers one store serves; more are refused RESOURCE_EXHAUSTED (Shoal). */
  maxWatchers: 1_000,
});

/** WatchLimits is the type of {@link WATCH_LIMITS}. */
export type WatchLimits = typeof WATCH_LIMITS;
