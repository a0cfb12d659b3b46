import type { AppContext, AppSpec, BaseAppConfig, GrpcSecurity, Stoppable } from '@shoal/bootstrap';
import { ServerCredentials } from '@grpc/grpc-js';
import { Dispatcher, dispatcherGrpcHandlers } from '@shoal/dispatcher-service';
import { DispatcherService } from '@shoal/proto-grpc';
import { cryptoRandom, systemClock, systemTimers } from '@shoal/runtime';
import { connectStore, type StoreClient } from '@shoal/store-client';
import { channelCredentials, loadTlsMaterial, serverSecurity, startCertRenewal, type CertRenewal, type TlsMaterial } from '@shoal/tls';
import { checkConfig, dispatcherConfig, dispatcherIdOf, type DispatcherConfig } from './config';

type Ctx = AppContext<BaseAppConfig & DispatcherConfig>;

/** Built is what `grpcServices` makes and `start` runs. */
interface Built {
  readonly dispatcher: Dispatcher;
  readonly store: StoreClient;
  readonly material: TlsMaterial | undefined;
}

function connect(ctx: Ctx, material: TlsMaterial | undefined): StoreClient {
  const endpoints = [...ctx.config.storeEndpoints];
  const logger = ctx.logger.child({ component: 'store-client' });
  if (ctx.config.allowTestIdentity) return connectStore({ endpoints, identityForTests: 'dispatcher', logger });
  if (material === undefined) return connectStore({ endpoints, logger });
  return connectStore({ endpoints, logger, credentials: channelCredentials(material, 'store') });
}

function build(ctx: Ctx): Built {
  checkConfig(ctx.config, process.env);
  const material = loadTlsMaterial(ctx.config);
  if (ctx.config.allowTestIdentity) ctx.logger.error('TEST IDENTITY: agents are trusted by header; never in production');
  else if (material === undefined) ctx.logger.warn('no TLS files: plaintext, every agent call is refused UNAUTHENTICATED');
  const store = connect(ctx, material);
  const dispatcherId = dispatcherIdOf(ctx.config);
  const advertised = ctx.config.managers.length > 0 ? ctx.config.managers
    : [`${ctx.config.host}:${ctx.config.grpcPort}`];
  const dispatcher = new Dispatcher({
    client: store, dispatcherId, clock: systemClock, timers: systemTimers, random: cryptoRandom(),
    logger: ctx.logger, metrics: ctx.metrics,
    rootCa: material === undefined ? undefined : Buffer.from(material.current().caPem),
    managers: advertised.map((addr) => ({ nodeId: '', addr, weight: 1 })),
  });
  return { dispatcher, store, material };
}

function security(built: Built, ctx: Ctx): GrpcSecurity {
  if (built.material === undefined) return { credentials: ServerCredentials.createInsecure() };
  return serverSecurity(built.material, { logger: ctx.logger });
}

/**
 * createAppSpec describes the dispatcher process to the shared bootstrap: the worker-facing API
 * (agent sessions, heartbeats, assignments, task status) over the raft-store. With TLS files
 * (@shoal/tls) it serves mTLS with the authorization table, identifies agents by certificate,
 * reaches the store as `dispatcher` over mTLS and, with `--ca-endpoints`, renews its own
 * certificate; with `--allow-test-identity` (and SHOAL_ALLOW_TEST_IDENTITY=1) it serves
 * plaintext and trusts the test node header. Stopping marks held nodes DISCONNECTED and
 * flushes queued writes.
 */
export function createAppSpec(): AppSpec<typeof dispatcherConfig> {
  let built: Built | undefined;
  return {
    app: 'dispatcher',
    summary: 'the worker-facing API: agent sessions, heartbeats, assignments, task status',
    defaultPorts: { grpc: 4245, http: 9245 },
    config: dispatcherConfig,
    grpcServices: (ctx) => {
      built ??= build(ctx);
      const implementation = dispatcherGrpcHandlers(built.dispatcher,
        { allowTestIdentity: ctx.config.allowTestIdentity, logger: ctx.logger });
      return [{ name: 'shoal.v1.Dispatcher', definition: DispatcherService, implementation }];
    },
    grpcSecurity: (ctx) => {
      built ??= build(ctx);
      return security(built, ctx);
    },
    start: (ctx): Promise<Stoppable> => {
      const b = built ?? build(ctx);
      // Not awaited: until the first list is in, the handlers answer UNAVAILABLE.
      const started = b.dispatcher.start().then((synced) => {
        if (synced) ctx.logger.info('dispatcher synced with the store');
      },
        (err: unknown) => ctx.logger.error({ err }, 'dispatcher failed to start'));
      const renewal: CertRenewal | undefined = b.material === undefined ? undefined
        : startCertRenewal(b.material, { caEndpoints: ctx.config.caEndpoints ?? [], logger: ctx.logger });
      return Promise.resolve({
        stop: async () => {
          await renewal?.stop();
          await b.dispatcher.stop();
          await started;
          b.store.close();
        },
      });
    },
  };
}

/** appSpec is the dispatcher process's spec (one per process). */
export const appSpec = createAppSpec();
