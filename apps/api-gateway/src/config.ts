// The api-gateway's configuration keys (merged into the shared base config) and their checks.
import { join } from 'node:path';
import { ConfigError, portSchema } from '@shoal/config';
import { storeConfig } from '@shoal/store-controller';
import { tlsConfig, type TlsConfig } from '@shoal/tls';
import { z } from 'zod';

/** gatewayConfig is the app's own config shape (flags `--docker-socket`, env `SHOAL_…`). */
export const gatewayConfig = {
  storeEndpoints: storeConfig.storeEndpoints,
  ...tlsConfig,
  testIdentity: storeConfig.testIdentity,
  dockerSocket: z.string().optional()
    .describe('Unix socket of the Docker Engine API (default <state-dir>/docker.sock; empty = none)'),
  dockerTcpPort: portSchema.optional()
    .describe('TCP port of the Docker Engine API over TLS, client certificates of role admin (needs the TLS files)'),
};

/** GatewayConfig is the parsed app config beside the base keys the app reads. */
export interface GatewayConfig extends TlsConfig {
  readonly host: string;
  readonly stateDir?: string | undefined;
  readonly storeEndpoints: readonly string[];
  readonly testIdentity: boolean;
  readonly dockerSocket?: string | undefined;
  readonly dockerTcpPort?: number | undefined;
}

/**
 * dockerSocketOf is where the Docker API listens: `--docker-socket`, else
 * `<state-dir>/docker.sock`, else nowhere (undefined; `--docker-socket=` also means none).
 */
export function dockerSocketOf(config: GatewayConfig): string | undefined {
  if (config.dockerSocket !== undefined) return config.dockerSocket === '' ? undefined : config.dockerSocket;
  return config.stateDir === undefined ? undefined : join(config.stateDir, 'docker.sock');
}

/** checkGatewayConfig throws ConfigError for what zod cannot check: TCP needs the TLS files. */
export function checkGatewayConfig(config: GatewayConfig): void {
  const tls = config.tlsCaFile !== undefined && config.tlsCertFile !== undefined && config.tlsKeyFile !== undefined;
  if (config.dockerTcpPort !== undefined && !tls) {
    throw new ConfigError(['docker-tcp-port: the Docker API over TCP needs --tls-ca-file, --tls-cert-file and --tls-key-file']);
  }
  if (config.testIdentity && tls) throw new ConfigError(['test-identity: excludes the TLS files']);
}
