import type { AppContext, AppSpec, BaseAppConfig, GrpcBinding, Stoppable } from '@shoal/bootstrap';
import { RaftService } from '@shoal/proto-grpc';
import { cryptoRandom, systemClock, systemTimers } from '@shoal/runtime';
import { addStoreServices, type StoreServices } from '@shoal/store-server';
import { checkConfig, raftStoreConfig, selfAddress, type RaftStoreConfig } from './config';
import { binding, BindingCollector } from './grpc-bindings';
import { RAFT_STORE_LIMITS } from '@shoal/limits';
import { Replica } from './replica';

type Ctx = AppContext<BaseAppConfig & RaftStoreConfig>;

/** Running is the app's state between `grpcServices` (built) and `start` (running). */
interface Running {
  replica: Replica;
  services: StoreServices;
}

/**
 * buildReplica makes the member and its services; the bootstrap serves the bindings on its
 * one gRPC server (Store, Leases, Members and the raft peer service share the port).
 */
function buildReplica(ctx: Ctx): Running & { bindings: GrpcBinding[] } {
  const config = ctx.config;
  const members = checkConfig(config, process.env);
  const stateDir = config.stateDir as string;
  const replica = new Replica({
    config: { ...config, stateDir }, members, address: selfAddress(config, members),
    logger: ctx.logger, metrics: ctx.metrics, clock: systemClock, timers: systemTimers,
    random: cryptoRandom(),
  });
  const collector = new BindingCollector();
  const services = addStoreServices(collector.asServer(), replica.ports(), {
    allowTestIdentity: config.allowTestIdentity, logger: ctx.logger.child({ component: 'store' }),
    metrics: ctx.metrics,
  });
  const raftBinding = binding(RaftService, replica.transport.service() as never);
  return { replica, services, bindings: [...collector.bindings, raftBinding] };
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
      running = { replica: built.replica, services: built.services };
      return built.bindings;
    },
    start: async (ctx): Promise<Stoppable> => {
      const r = running;
      if (r === undefined) throw new Error('raft-store: grpcServices did not run');
      await r.replica.start();
      return {
        stop: async () => {
          r.services.close();
          await stopWithin(ctx, () => r.replica.stop());
        },
      };
    },
  };
}

/** appSpec is the raft-store process's spec (one per process). */
export const appSpec = createAppSpec();
