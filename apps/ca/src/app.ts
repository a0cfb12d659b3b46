// The ca process: the cluster's certificate authority over the raft-store.
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { AppContext, AppSpec, BaseAppConfig, Stoppable } from '@shoal/bootstrap';
import {
  caGrpcHandlers,
  CaService,
  SignerLoop,
  StoreCaPorts,
} from '@shoal/ca-service';
import { ConfigError } from '@shoal/config';
import { CA_SIGNER_INTERVAL_MS } from '@shoal/limits';
import { CAService } from '@shoal/proto-grpc';
import { cryptoRandom, systemClock, systemTimers } from '@shoal/runtime';
import { connectStore, type StoreClient } from '@shoal/store-client';
import {
  channelCredentials,
  loadTlsMaterial,
  serverSecurity,
  startCertRenewal,
  type TlsMaterial,
} from '@shoal/tls';
import { caConfig, type CaConfig } from './config';
import { readInitCluster, seedCluster } from './init-seed';

type Ctx = AppContext<BaseAppConfig & CaConfig>;

/** Built is what `grpcServices` makes and `start` runs. */
interface Built {
  readonly material: TlsMaterial;
  readonly store: StoreClient;
  readonly ports: StoreCaPorts;
  readonly service: CaService;
}

function build(ctx: Ctx): Built {
  const material = loadTlsMaterial(ctx.config);
  if (material === undefined) {
    throw new ConfigError(['tls: the ca serves only over TLS: set --tls-ca-file, --tls-cert-file and --tls-key-file']);
  }
  const identity = material.identity();
  if (identity.role !== 'ca') {
    throw new ConfigError([`tls-cert-file: the ca needs a "ca" certificate, not "${identity.role}"`]);
  }
  const store = connectStore({ endpoints: [...ctx.config.storeEndpoints],
    credentials: channelCredentials(material, 'store'),
    logger: ctx.logger.child({ component: 'store-client' }) });
  const ports = new StoreCaPorts(store, identity.clusterId);
  const service = new CaService({ nodes: ports, cluster: ports, clock: systemClock,
    timers: systemTimers, random: cryptoRandom(), logger: ctx.logger,
    certValidityMs: ctx.config.certValidityMs });
  return { material, store, ports, service };
}

/** run starts the seed (if asked), the signer loop and the renewal; returns how to stop them. */
async function run(ctx: Ctx, b: Built): Promise<Stoppable> {
  const abort = new AbortController();
  const initDir = ctx.config.initDir;
  const seeded = initDir === undefined ? Promise.resolve(true)
    : seedCluster(b.ports, await readInitCluster(initDir, b.material.identity().clusterId),
      { timers: systemTimers, logger: ctx.logger, signal: abort.signal });
  const signer = new SignerLoop({ pending: () => b.ports.pendingNodeIds(),
    sign: (id) => b.service.signPending(id), timers: systemTimers,
    intervalMs: CA_SIGNER_INTERVAL_MS, logger: ctx.logger });
  signer.start();
  const renewal = startCertRenewal(b.material, { caEndpoints: ctx.config.caEndpoints ?? [],
    logger: ctx.logger });
  return {
    stop: async () => {
      abort.abort();
      await seeded;
      await signer.stop();
      await renewal.stop();
      b.store.close();
    },
  };
}

/**
 * createAppSpec describes the ca process: it serves shoal.v1.CA on a TLS listener where a
 * client certificate is optional (the root certificate fetch, issuance with a join token and
 * the status poll serve nodes without one; every other method needs a certificate and a
 * role, by the authorization table), keeps its state in the raft-store as writer `ca`
 * (Nodes it creates, the Cluster's root and tokens), creates the Cluster from `--init-dir`
 * when the store has none, signs certificates other replicas left pending, and renews its
 * own certificate with `--ca-endpoints`.
 */
export function createAppSpec(): AppSpec<typeof caConfig> {
  let built: Built | undefined;
  return {
    app: 'ca',
    summary: 'the cluster certificate authority: join tokens, issuance and renewal of certificates',
    defaultPorts: { grpc: 4246, http: 9246 },
    config: caConfig,
    grpcServices: (ctx) => {
      built ??= build(ctx);
      return [{ name: 'shoal.v1.CA', definition: CAService,
        implementation: caGrpcHandlers(built.service, { logger: ctx.logger }) as unknown as
          UntypedServiceImplementation }];
    },
    grpcSecurity: (ctx) => {
      built ??= build(ctx);
      return serverSecurity(built.material, { logger: ctx.logger, clientCertificate: 'optional' });
    },
    start: (ctx) => run(ctx, built ?? build(ctx)),
  };
}

/** appSpec is the ca process's spec (one per process). */
export const appSpec = createAppSpec();
