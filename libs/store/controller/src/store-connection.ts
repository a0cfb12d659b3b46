// The store connection of a control-loop app: its config keys and the StoreClient they make.
// Shared by the orchestrator, scheduler and allocator apps.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { credentials } from '@grpc/grpc-js';
import { ConfigError } from '@shoal/config';
import type { Logger } from '@shoal/logging';
import { connectStore, type IdentityRole, type StoreClient } from '@shoal/store-client';
import { z } from 'zod';

/** storeConfig are the config keys of a control loop's store connection. */
export const storeConfig = {
  storeEndpoints: z.array(z.string()).default(['127.0.0.1:4240'])
    .describe('Store API addresses of the raft-store members (host:port, comma-separated)'),
  tlsCaFile: z.string().optional().describe('PEM file of the cluster root CA (mTLS to the store)'),
  tlsCertFile: z.string().optional().describe('PEM file of this component\'s certificate'),
  tlsKeyFile: z.string().optional().describe('PEM file of this component\'s private key'),
  testIdentity: z.boolean().default(false)
    .describe('TESTS ONLY: no TLS; send x-shoal-test-identity (the store must allow it)'),
  holder: z.string().optional().describe('This replica\'s id in the lease (default host/pid)'),
  leaseTtlMs: z.number().int().min(1_000).optional()
    .describe('Ms ttl of the loop\'s lease: a standby takes over within 2 × ttl'),
};

/** StoreConnectionConfig is the parsed form of {@link storeConfig}. */
export interface StoreConnectionConfig {
  readonly storeEndpoints: readonly string[];
  readonly tlsCaFile?: string | undefined;
  readonly tlsCertFile?: string | undefined;
  readonly tlsKeyFile?: string | undefined;
  readonly testIdentity: boolean;
  readonly holder?: string | undefined;
}

/** holderOf is the replica's lease holder id: configured, or `<host>/<pid>`. */
export function holderOf(config: StoreConnectionConfig): string {
  return config.holder ?? `${hostname()}/${process.pid}`;
}

/**
 * connectLoopStore returns the store client of a loop writing as `role`: mTLS from the three
 * PEM files (the store's certificate must name `store`), or the test identity header, or
 * (none configured: a local development setup) plaintext, with a warning. Throws
 * ConfigError when only some of the PEM files are set.
 */
export function connectLoopStore(config: StoreConnectionConfig, role: IdentityRole, logger: Logger):
  StoreClient {
  const endpoints = [...config.storeEndpoints];
  if (config.testIdentity) return connectStore({ endpoints, identityForTests: role, logger });
  const { tlsCaFile, tlsCertFile, tlsKeyFile } = config;
  const files = [tlsCaFile, tlsCertFile, tlsKeyFile].filter((f) => f !== undefined).length;
  if (files === 0) {
    logger.warn({ endpoints }, 'no TLS files configured: connecting to the store without TLS');
    return connectStore({ endpoints, logger });
  }
  if (tlsCaFile === undefined || tlsCertFile === undefined || tlsKeyFile === undefined) {
    throw new ConfigError(['set all of --tls-ca-file, --tls-cert-file and --tls-key-file']);
  }
  const channel = credentials.createSsl(readFileSync(tlsCaFile), readFileSync(tlsKeyFile),
    readFileSync(tlsCertFile));
  return connectStore({
    endpoints,
    credentials: { credentials: channel, options: { 'grpc.ssl_target_name_override': 'store' } },
    logger,
  });
}
