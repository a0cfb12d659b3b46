// The store connection of a control-loop app: its config keys, the StoreClient they make, the
// app's own gRPC security and its certificate renewal. Shared by the orchestrator, scheduler
// and allocator apps.
import { ServerCredentials } from '@grpc/grpc-js';
import { hostname } from 'node:os';
import type { GrpcSecurity } from '@shoal/bootstrap';
import { ConfigError } from '@shoal/config';
import type { Logger } from '@shoal/logging';
import { connectStore, type IdentityRole, type StoreClient } from '@shoal/store-client';
import {
  channelCredentials,
  loadTlsMaterial,
  serverSecurity,
  startCertRenewal,
  tlsConfig,
  type TlsConfig,
  type TlsMaterial,
} from '@shoal/tls';
import { z } from 'zod';

/** storeConfig are the config keys of a control loop's store connection (and its TLS). */
export const storeConfig = {
  storeEndpoints: z.array(z.string()).default(['127.0.0.1:4240'])
    .describe('Store API addresses of the raft-store members (host:port, comma-separated)'),
  ...tlsConfig,
  testIdentity: z.boolean().default(false)
    .describe('TESTS ONLY: no TLS; send x-shoal-test-identity (the store must allow it)'),
  holder: z.string().optional().describe('This replica\'s id in the lease (default host/pid)'),
  leaseTtlMs: z.number().int().min(1_000).optional()
    .describe('Ms ttl of the loop\'s lease: a standby takes over within 2 × ttl'),
};

/** StoreConnectionConfig is the parsed form of {@link storeConfig}. */
export interface StoreConnectionConfig extends TlsConfig {
  readonly storeEndpoints: readonly string[];
  readonly testIdentity: boolean;
  readonly holder?: string | undefined;
}

/** holderOf is the replica's lease holder id: configured, or `<host>/<pid>`. */
export function holderOf(config: StoreConnectionConfig): string {
  return config.holder ?? `${hostname()}/${process.pid}`;
}

/** One material per parsed config: the app's server and its store client share it. */
const materials = new WeakMap<StoreConnectionConfig, TlsMaterial | undefined>();

/** loopMaterial loads (once per config) the TLS files; ConfigError on a bad or partial set. */
function loopMaterial(config: StoreConnectionConfig): TlsMaterial | undefined {
  if (!materials.has(config)) materials.set(config, loadTlsMaterial(config));
  return materials.get(config);
}

/**
 * loopGrpcSecurity is a loop app's `grpcSecurity`: with TLS files, mutual TLS with the
 * authorization table (the app serves only health, callable by any certified client);
 * without, plaintext (tests, local development).
 */
export function loopGrpcSecurity(config: StoreConnectionConfig, logger: Logger): GrpcSecurity {
  const material = loopMaterial(config);
  if (material === undefined) return { credentials: ServerCredentials.createInsecure() };
  return serverSecurity(material, { logger });
}

/**
 * connectLoopStore returns the store client of a loop writing as `role`: mTLS with the TLS
 * files (the store's certificate must name `store`; the client certificate's role must be
 * `role`, else ConfigError), or the test identity header, or (none configured: a local
 * development setup) plaintext, with a warning. Throws ConfigError when only some of the PEM
 * files are set.
 */
export function connectLoopStore(config: StoreConnectionConfig, role: IdentityRole, logger: Logger):
  StoreClient {
  const endpoints = [...config.storeEndpoints];
  if (config.testIdentity) return connectStore({ endpoints, identityForTests: role, logger });
  const material = loopMaterial(config);
  if (material === undefined) {
    logger.warn({ endpoints }, 'no TLS files configured: connecting to the store without TLS');
    return connectStore({ endpoints, logger });
  }
  const certRole = material.identity().role;
  if (certRole !== role) {
    throw new ConfigError([`tls-cert-file: the certificate's role is "${certRole}"; this process writes as "${role}"`]);
  }
  return connectStore({ endpoints, credentials: channelCredentials(material, 'store'), logger });
}

/** LoopConnection is a loop app's store client plus its certificate renewal. */
export interface LoopConnection {
  readonly store: StoreClient;
  /** close stops the renewal and closes the store client. */
  close(): Promise<void>;
}

/**
 * openLoopConnection connects the store ({@link connectLoopStore}) and, when TLS files and
 * `--ca-endpoints` are set, renews the certificate through the ca: the store client and the
 * app's server pick the new certificate up for new connections, with no restart.
 */
export function openLoopConnection(config: StoreConnectionConfig, role: IdentityRole, logger: Logger):
  LoopConnection {
  const store = connectLoopStore(config, role, logger);
  const material = config.testIdentity ? undefined : loopMaterial(config);
  const renewal = material === undefined ? undefined
    : startCertRenewal(material, { caEndpoints: config.caEndpoints ?? [], logger });
  return {
    store,
    close: async () => {
      await renewal?.stop();
      store.close();
    },
  };
}
