// Limits of the store core that @shoal/limits does not name yet (see the report that added
// this file). Each is a named maximum, with its relationships asserted at module load.
import { assert } from '@shoal/assert';
import { MIB } from './units';
import { STORE_LIMITS } from './store';
import { WATCH_LIMITS } from './watch';

/**
 * STORE_CORE_LIMITS bound the watch history that `watch({ fromVersion })` replays from.
 *
 * TODO(store): move into `@shoal/limits` (WATCH_LIMITS) once the owner of libs/shared agrees.
 */
export const STORE_CORE_LIMITS = Object.freeze({
  /**
   * Committed transactions retained for resuming watches: one snapshot interval, so every
   * version since the last raft snapshot stays resumable (SwarmKit replays from the raft log
   * kept in memory, which spans at least `logEntriesForSlowFollowers`).
   */
  historyTransactionsMax: STORE_LIMITS.snapshotIntervalEntries,
  /** Estimated bytes of retained history; the oldest transactions are evicted first (Shoal). */
  historyBytesMax: 64 * MIB,
  /**
   * Objects encoded between two pauses of an asynchronous snapshot (`MemoryStore.saveSliced`):
   * about 2 ms of work, so a snapshot of a large store never holds the event loop for long
   * (one pass over 7,000 objects held it 60-125 ms) (Shoal).
   */
  snapshotSliceObjects: 256,
});

/** StoreCoreLimits is the type of {@link STORE_CORE_LIMITS}. */
export type StoreCoreLimits = typeof STORE_CORE_LIMITS;

assert(
  STORE_CORE_LIMITS.historyTransactionsMax >= STORE_LIMITS.logEntriesForSlowFollowers,
  'watch history spans at least the raft log tail kept for slow followers',
);
assert(
  STORE_CORE_LIMITS.historyBytesMax >= 2 * STORE_LIMITS.maxTransactionBytes,
  'watch history holds at least one maximal transaction with its old objects',
);
assert(WATCH_LIMITS.watcherBufferEvents > 0, 'watchers buffer events');
