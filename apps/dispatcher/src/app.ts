import { readFileSync } from 'node:fs';
import type { AppContext, AppSpec, BaseAppConfig, GrpcSecurity, Stoppable } from '@shoal/bootstrap';
import { credentials, ServerCredentials } from '@grpc/grpc-js';
import { Dispatcher, dispatcherGrpcHandlers } from '@shoal/dispatcher-service';
import { authorizationInterceptor, serverCredentials } from '@shoal/pki';
import { AUTHORIZATION, DispatcherService } from '@shoal/proto-grpc';
import { cryptoRandom, systemClock, systemTimers } from '@shoal/runtime';
import { connectStore, type StoreClient } from '@shoal/store-client';
import { checkConfig, dispatcherConfig, dispatcherIdOf, type DispatcherConfig, type TlsFiles } from './config';

type Ctx = AppContext<BaseAppConfig & DispatcherConfig>;

/** Built is what `grpcServices` makes and `start` runs. */
interface Built {
  readonly dispatcher: Dispatcher;
  readonly store: StoreClient;
  readonly tls: TlsFiles | undefined;
}

function connect(ctx: Ctx, tls: TlsFiles | undefined): StoreClient {
  const endpoints = [...ctx.config.storeEndpoints];
  const logger = ctx.logger.child({ component: 'store-client' });
  if (ctx.config.allowTestIdentity) return connectStore({ endpoints, identityForTests: 'dispatcher', logger });
  if (tls === undefined) return connectStore({ endpoints, logger });
  const channel = credentials.createSsl(readFileSync(tls.ca), readFileSync(tls.key), readFileSync(tls.cert));
  return connectStore({ endpoints, logger,
    credentials: { credentials: channel, options: { 'grpc.ssl_target_name_override': 'store' } } });
}

function build(ctx: Ctx): Built {
  const tls = checkConfig(ctx.config, process.env);
  if (ctx.config.allowTestIdentity) ctx.logger.error('TEST IDENTITY: agents are trusted by header; never in production');
  else if (tls === undefined) ctx.logger.warn('no TLS files: plaintext, every agent call is refused UNAUTHENTICATED');
  const store = connect(ctx, tls);
  const dispatcherId = dispatcherIdOf(ctx.config);
  const advertised = ctx.config.managers.length > 0 ? ctx.config.managers
    : [`${ctx.config.host}:${ctx.config.grpcPort}`];
  const dispatcher = new Dispatcher({
    client: store, dispatcherId, clock: systemClock, timers: systemTimers, random: cryptoRandom(),
    logger: ctx.logger, metrics: ctx.metrics,
    rootCa: tls === undefined ? undefined : readFileSync(tls.ca),
    managers: advertised.map((addr) => ({ nodeId: '', addr, weight: 1 })),
  });
  return { dispatcher, store, tls };
}

function security(built: Built | undefined, ctx: Ctx): GrpcSecurity {
  const tls = built?.tls;
  if (tls === undefined) return { credentials: ServerCredentials.createInsecure() };
  const bundle = { caPem: readFileSync(tls.ca, 'utf8'), certPem: readFileSync(tls.cert, 'utf8'),
    keyPem: readFileSync(tls.key, 'utf8') };
  return { credentials: serverCredentials(bundle),
    interceptors: [authorizationInterceptor({ table: AUTHORIZATION, logger: ctx.logger })] };
}

/**
 * createAppSpec describes the dispatcher process to the shared bootstrap: the worker-facing API
 * (agent sessions, heartbeats, assignments, task status) over the raft-store. With TLS files it
 * serves mTLS with the authorization interceptor and identifies agents by certificate; with
 * `--allow-test-identity` (and SHOAL_ALLOW_TEST_IDENTITY=1) it serves plaintext and trusts the
 * test node header. Stopping marks held nodes DISCONNECTED and flushes queued writes.
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
      return Promise.resolve({
        stop: async () => {
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
