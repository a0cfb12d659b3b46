// Limits of the store's gRPC service layer that @shoal/limits does not name yet. Each is a
// named maximum or default, with its relationships asserted at module load.
import { assert } from '@shoal/assert';
import { GRPC_LIMITS } from './grpc';
import { MIB, SECOND_MS } from './units';
import { STORE_LIMITS } from './store';
import { WATCH_LIMITS } from './watch';

/**
 * STORE_SERVER_LIMITS bound the Store, Leases and Members services (store_service.proto).
 *
 * TODO(store): move into `@shoal/limits` (WATCH_LIMITS, a new LEASE_LIMITS) once the owner of
 * libs/shared agrees; the defaults below are the ones the protos document.
 */
export const STORE_SERVER_LIMITS = Object.freeze({
  /** Ms between watch progress events while idle, unless the request sets one (proto: 10 s). */
  watchProgressIntervalDefaultMs: 10 * SECOND_MS,
  /** Smallest progress interval a watch may ask for (proto: 100 ms). */
  watchProgressIntervalMinMs: 100,
  /** Bytes of objects in one List/Find batch: well under the gRPC message cap (Shoal). */
  listChunkBytes: 1 * MIB,
  /** Objects in one List/Find batch, so small objects still stream in pieces (Shoal). */
  listChunkObjects: 1_000,
  /** Default lease time to live (proto CampaignRequest.ttl: unset = 10 s). */
  leaseTtlDefaultMs: 10 * SECOND_MS,
  /** Smallest lease time to live (proto: minimum 1 s). */
  leaseTtlMinMs: 1 * SECOND_MS,
  /** Largest lease time to live, so a dead holder cannot block a loop for long (Shoal). */
  leaseTtlMaxMs: 5 * 60 * SECOND_MS,
  /** Leases one store holds: one per leader-only control loop, with room to spare (Shoal). */
  leasesMax: 1_000,
  /** Bytes of a lease name or holder string (Shoal). */
  leaseNameBytesMax: 256,
  /** Concurrent Observe streams (they count as watchers of the lease table) (Shoal). */
  leaseObserversMax: WATCH_LIMITS.maxWatchers,
  /** Ms between refreshes of the object-count and watcher gauges (Shoal). */
  metricsRefreshMs: 5 * SECOND_MS,
  /**
   * Ms after a write before the store gauges are refreshed (one refresh per window, off the
   * write's path: counting objects per kind on every write cost its reply ~0.05 ms).
   */
  metricsRefreshAfterWriteMs: 250,
  /** Ms a forwarded write may take at most, whatever the caller's deadline (proposal wait). */
  forwardDeadlineMaxMs: STORE_LIMITS.proposalTimeoutMs,
});

/** StoreServerLimits is the type of {@link STORE_SERVER_LIMITS}. */
export type StoreServerLimits = typeof STORE_SERVER_LIMITS;

const L = STORE_SERVER_LIMITS;
assert(L.watchProgressIntervalMinMs > 0, 'progress interval is positive');
assert(L.watchProgressIntervalMinMs <= L.watchProgressIntervalDefaultMs, 'default ≥ minimum');
assert(
  L.watchProgressIntervalDefaultMs < GRPC_LIMITS.keepaliveTimeMs + GRPC_LIMITS.keepaliveTimeoutMs,
  'an idle watch hears from the server before a keepalive could declare it dead',
);
assert(L.listChunkBytes + STORE_LIMITS.maxTransactionBytes < GRPC_LIMITS.maxSendMessageBytes,
  'a chunk plus one maximal object fits a gRPC message');
assert(L.listChunkObjects > 0, 'a chunk holds an object');
assert(L.leaseTtlMinMs <= L.leaseTtlDefaultMs, 'default ttl ≥ minimum');
assert(L.leaseTtlDefaultMs <= L.leaseTtlMaxMs, 'default ttl ≤ maximum');
assert(L.leasesMax > 0 && L.leaseNameBytesMax > 0, 'leases are allowed');
assert(L.forwardDeadlineMaxMs >= GRPC_LIMITS.unaryDeadlineMs, 'forwarding outlives a unary call');
