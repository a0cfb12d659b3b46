// Assembling the store's three services on a grpc-js server, with identity and metrics.
import type { Server } from '@grpc/grpc-js';
import { assert } from '@shoal/assert';
import type { Clock, TimerHandle, Timers } from '@shoal/clock';
import { silentLogger, type Logger } from '@shoal/logging';
import type { Metrics } from '@shoal/metrics';
import { STORED_KINDS } from '@shoal/proto';
import { LeasesService as LeasesServiceDefinition, MembersService as MembersDefinition,
  StoreService as StoreServiceDefinition } from '@shoal/proto-grpc';
import { systemClock, systemTimers } from '@shoal/runtime';
import { testIdentityPermitted, TEST_IDENTITY_ENV } from './identity';
import { LeasesService } from './leases-service';
import { STORE_SERVER_LIMITS } from '@shoal/limits';
import { MembersService } from './members-service';
import type { StoreServerPorts } from './ports';
import { StoreService, type ServiceContext } from './store-service';

/** StoreServerOptions configure {@link addStoreServices}. */
export interface StoreServerOptions {
  /**
   * Trust the `x-shoal-test-identity` header instead of client certificates. Tests only: an
   * assert refuses it unless testIdentityPermitted() (jest, or SHOAL_ALLOW_TEST_IDENTITY=1),
   * and the server logs an error line saying so. Default false.
   */
  readonly allowTestIdentity?: boolean;
  readonly logger?: Logger;
  /** Registers `shoal_store_objects{kind}`, `shoal_store_watchers`, `shoal_store_leases`. */
  readonly metrics?: Metrics;
  /** The clock of the leader's pre-checks (default: the system clock). */
  readonly clock?: Clock;
  /** Timers for watch progress and metrics refresh (default: the system timers). */
  readonly timers?: Timers;
  /** Events a watcher may buffer before it is closed (default WATCH_LIMITS). */
  readonly watchBufferEvents?: number;
}

/** StoreServices are the three services added to a server, and their shutdown. */
export interface StoreServices {
  readonly store: StoreService;
  readonly leases: LeasesService;
  readonly members: MembersService;
  /** refreshMetrics sets the gauges now (it also runs every metricsRefreshMs). */
  refreshMetrics(): void;
  /**
   * close ends every open Watch and Observe stream UNAVAILABLE and stops the timers. The
   * ports (the forwarder included) belong to the caller, who closes them.
   */
  close(): void;
}

function metricsRefresher(
  ports: StoreServerPorts,
  metrics: Metrics | undefined,
  store: () => StoreService,
): () => void {
  if (metrics === undefined) return () => undefined;
  const objects = metrics.gauge('store_objects', 'Objects in the store, per kind', ['kind']);
  const watchers = metrics.gauge('store_watchers', 'Open watchers of the store');
  const streams = metrics.gauge('store_watch_streams', 'Open Watch streams of this server');
  const leases = metrics.gauge('store_leases', 'Leases recorded in the lease table');
  return () => {
    const counts = ports.store.counts();
    for (const kind of STORED_KINDS) objects.set({ kind }, counts[kind]);
    watchers.set(ports.store.watcherCount());
    streams.set(store().watchCount);
    leases.set(ports.leases.size);
  };
}

/**
 * addStoreServices adds the Store, Leases and Members services over `ports` to `server`
 * (made with @shoal/grpc createGrpcServer, whose interceptor records the RPC metrics) and
 * returns them. The caller binds and shuts the server down, and calls `close()` first.
 */
export function addStoreServices(
  server: Server,
  ports: StoreServerPorts,
  options: StoreServerOptions = {},
): StoreServices {
  const logger = options.logger ?? silentLogger();
  const allowTestIdentity = options.allowTestIdentity ?? false;
  assert(!allowTestIdentity || testIdentityPermitted(),
    `allowTestIdentity needs jest or ${TEST_IDENTITY_ENV}=1; production authenticates by mTLS`);
  if (allowTestIdentity) {
    logger.error({ header: 'x-shoal-test-identity' },
      'TEST IDENTITY IS ON: callers choose their role by header; never run this in production');
  }
  const timers = options.timers ?? systemTimers;
  let refreshTimer: TimerHandle | undefined;
  const refresh = metricsRefresher(ports, options.metrics, () => store);
  let afterWrite: TimerHandle | undefined;
  const onWrite = (): void => {
    if (afterWrite !== undefined || options.metrics === undefined) return;
    afterWrite = timers.setTimeout(() => {
      afterWrite = undefined;
      refresh();
    }, STORE_SERVER_LIMITS.metricsRefreshAfterWriteMs);
  };
  const context: ServiceContext = {
    allowTestIdentity,
    clock: options.clock ?? systemClock,
    timers,
    logger,
    watchBufferEvents: options.watchBufferEvents,
    onWrite,
  };
  const store = new StoreService(ports, context);
  const leases = new LeasesService(ports, context);
  const members = new MembersService(ports, context);
  server.addService(StoreServiceDefinition, store.handlers());
  server.addService(LeasesServiceDefinition, leases.handlers());
  server.addService(MembersDefinition, members.handlers());
  const tick = (): void => {
    refresh();
    refreshTimer = timers.setTimeout(tick, STORE_SERVER_LIMITS.metricsRefreshMs);
  };
  if (options.metrics !== undefined) tick();
  return {
    store,
    leases,
    members,
    refreshMetrics: refresh,
    close: () => {
      if (refreshTimer !== undefined) timers.clearTimeout(refreshTimer);
      if (afterWrite !== undefined) timers.clearTimeout(afterWrite);
      store.close();
      leases.close();
    },
  };
}
