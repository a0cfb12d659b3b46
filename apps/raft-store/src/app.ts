import { ServerCredentials } from '@grpc/grpc-js';
import type {
  AppContext,
  AppSpec,
  BaseAppConfig,
  GrpcBinding,
  GrpcSecurity,
  Stoppable,
} from '@shoal/bootstrap';
import type { AuthorizationTable } from '@shoal/pki';
import { AUTHORIZATION, RaftService } from '@shoal/proto-grpc';
import { cryptoRandom, systemClock, systemTimers } from '@shoal/runtime';
import { addStoreServices, type StoreServices } from '@shoal/store-server';
import {
  channelCredentials,
  loadTlsMaterial,
  serverSecurity,
  startCertRenewal,
  type TlsMaterial,
} from '@shoal/tls';
import { ConfigError } from '@shoal/config';
import { checkConfig, raftStoreConfig, selfAddress, type RaftStoreConfig } from './config';
import { binding, BindingCollector } from './grpc-bindings';
import { RAFT_STORE_LIMITS } from '@shoal/limits';
import { Replica } from './replica';

type Ctx = AppContext<BaseAppConfig & RaftStoreConfig>;

/** Running is the app's state between `grpcServices` (built) and `start` (running). */
interface Running {
  replica: Replica;
  services: StoreServices;
  material: TlsMaterial | undefined;
}

/**
 * FORWARDED_METHODS are the writes a follower forwards to the leader with its own `store`
 * certificate (vouching for the caller in headers, checked by callerIdentity). The generated
 * table does not list `store` on them, so the raft-store serves them with this addition.
 */
const FORWARDED_METHODS = [
  '/shoal.v1.Store/Transaction',
  '/shoal.v1.Leases/Campaign',
  '/shoal.v1.Leases/KeepAlive',
  '/shoal.v1.Leases/Resign',
];

/** STORE_AUTHORIZATION is AUTHORIZATION with `store` allowed on {@link FORWARDED_METHODS}. */
export const STORE_AUTHORIZATION: AuthorizationTable = Object.freeze(Object.fromEntries(
  Object.entries(AUTHORIZATION).map(([path, rule]) => [path,
    FORWARDED_METHODS.includes(path) && Array.isArray(rule) && !rule.includes('store')
      ? [...(rule as readonly string[]), 'store'] : rule]),
));

/**
 * security is the server side: mTLS with the member's certificate and the authorization table
 * when TLS files are given; otherwise plaintext (tests with --allow-test-identity; without it
 * every call is refused UNAUTHENTICATED, since callers are identified by certificate).
 */
function security(ctx: Ctx, material: TlsMaterial | undefined): GrpcSecurity {
  if (material !== undefined) {
    return serverSecurity(material, { logger: ctx.logger, table: STORE_AUTHORIZATION });
  }
  if (!ctx.config.allowTestIdentity) {
    ctx.logger.warn('no TLS files: serving plaintext; every caller is refused UNAUTHENTICATED');
  }
  return { credentials: ServerCredentials.createInsecure() };
}

/**
 * buildReplica makes the member and its services; the bootstrap serves the bindings on its
 * one gRPC server (Store, Leases, Members and the raft peer service share the port).
 */
function buildReplica(ctx: Ctx): Running & { bindings: GrpcBinding[] } {
  const config = ctx.config;
  const members = checkConfig(config, process.env);
  const material = loadTlsMaterial(config);
  if (material !== undefined && material.identity().role !== 'store') {
    throw new ConfigError([`tls-cert-file: a raft-store member needs a "store" certificate, not ` +
      `"${material.identity().role}"`]);
  }
  const stateDir = config.stateDir as string;
  const replica = new Replica({
    config: { ...config, stateDir }, members, address: selfAddress(config, members),
    logger: ctx.logger, metrics: ctx.metrics, clock: systemClock, timers: systemTimers,
    random: cryptoRandom(),
    peerSecurity: material === undefined ? undefined : channelCredentials(material, 'store'),
  });
  const collector = new BindingCollector();
  const services = addStoreServices(collector.asServer(), replica.ports(), {
    allowTestIdentity: config.allowTestIdentity, logger: ctx.logger.child({ component: 'store' }),
    metrics: ctx.metrics,
  });
  const raftBinding = binding(RaftService, replica.transport.service() as never);
  return { replica, services, material, bindings: [...collector.bindings, raftBinding] };
}

/** stopWithin runs `stop`, giving up (logged) after RAFT_STORE_LIMITS.stopTimeoutMs. */
async function stopWithin(ctx: Ctx, stop: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), RAFT_STORE_LIMITS.stopTimeoutMs);
  });
  const outcome = await Promise.race([stop().then(() => 'stopped' as const), timeout]);
  clearTimeout(timer);
  if (outcome === 'timeout') ctx.logger.error('raft did not stop in time');
}

/**
 * createAppSpec describes the raft-store process to the shared bootstrap: the replicated
 * object store holding all cluster state. `grpcServices` builds the member (nothing runs
 * yet); `start` loads the WAL and runs raft once the server listens; stopping closes the
 * store streams, the forwarder, then raft (WAL synced and closed).
 */
export function createAppSpec(): AppSpec<typeof raftStoreConfig> {
  let running: Running | undefined;
  return {
    app: 'raft-store',
    summary: 'the replicated object store that holds all cluster state',
    defaultPorts: { grpc: 4240, http: 9240 },
    config: raftStoreConfig,
    grpcServices: (ctx) => {
      const built = buildReplica(ctx);
      running = { replica: built.replica, services: built.services, material: built.material };
      return built.bindings;
    },
    grpcSecurity: (ctx) => security(ctx, running?.material),
    start: async (ctx): Promise<Stoppable> => {
      const r = running;
      if (r === undefined) throw new Error('raft-store: grpcServices did not run');
      await r.replica.start();
      const renewal = r.material === undefined ? undefined : startCertRenewal(r.material,
        { caEndpoints: ctx.config.caEndpoints ?? [], logger: ctx.logger });
      return {
        stop: async () => {
          await renewal?.stop();
          r.services.close();
          await stopWithin(ctx, () => r.replica.stop());
        },
      };
    },
  };
}

/** appSpec is the raft-store process's spec (one per process). */
export const appSpec = createAppSpec();
