// The ca app's configuration keys, merged into the shared base config.
import { MIN_NODE_CERT_VALIDITY_MS } from '@shoal/limits';
import { tlsConfig, type TlsConfig } from '@shoal/tls';
import { z } from 'zod';

/** caConfig is the app's own config shape (flags `--store-endpoints`, `--init-dir`, …). */
export const caConfig = {
  storeEndpoints: z.array(z.string()).default(['127.0.0.1:4240'])
    .describe('Store API addresses of the raft-store members (host:port, comma-separated)'),
  ...tlsConfig,
  initDir: z.string().min(1).optional()
    .describe('Directory `shoal init` wrote: creates the store\'s Cluster object from it when absent'),
  certValidityMs: z.number().int().min(MIN_NODE_CERT_VALIDITY_MS).optional()
    .describe('TESTS: lifetime in ms of the certificates this ca signs (default: the cluster\'s, 90 days)'),
};

/** CaConfig is the parsed app config beside the base keys. */
export interface CaConfig extends TlsConfig {
  readonly storeEndpoints: readonly string[];
  readonly initDir?: string | undefined;
  readonly certValidityMs?: number | undefined;
}
