// The dispatcher's configuration keys (merged into the shared base config) and their checks.
import { hostname } from 'node:os';
import { ConfigError } from '@shoal/config';
import { tlsConfig } from '@shoal/tls';
import { z } from 'zod';

/** ALLOW_TEST_IDENTITY_ENV: `--allow-test-identity` also needs SHOAL_ALLOW_TEST_IDENTITY=1. */
export const ALLOW_TEST_IDENTITY_ENV = 'SHOAL_ALLOW_TEST_IDENTITY';

/** dispatcherConfig is the app's own config shape (flags `--store-endpoints`, env `SHOAL_…`). */
export const dispatcherConfig = {
  storeEndpoints: z.array(z.string()).default(['127.0.0.1:4240'])
    .describe('Store API addresses of the raft-store members (host:port, comma-separated)'),
  ...tlsConfig,
  allowTestIdentity: z.boolean().default(false)
    .describe('TESTS ONLY: no TLS; trust x-shoal-test-node from agents and send x-shoal-test-identity '
      + 'to the store (also needs SHOAL_ALLOW_TEST_IDENTITY=1)'),
  dispatcherId: z.string().optional().describe('This replica\'s id (default host-pid)'),
  managers: z.array(z.string()).default([])
    .describe('Dispatcher addresses agents may use (host:port, comma-separated; default this one)'),
};

/** DispatcherConfig is the parsed app config beside the base keys the app reads. */
export interface DispatcherConfig {
  readonly host: string;
  readonly grpcPort: number;
  readonly storeEndpoints: readonly string[];
  readonly tlsCaFile?: string | undefined;
  readonly tlsCertFile?: string | undefined;
  readonly tlsKeyFile?: string | undefined;
  readonly caEndpoints?: readonly string[] | undefined;
  readonly allowTestIdentity: boolean;
  readonly dispatcherId?: string | undefined;
  readonly managers: readonly string[];
}

/** TlsFiles are the three PEM files, all set. */
export interface TlsFiles {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/**
 * checkConfig validates what zod cannot: the test identity has its environment permission and
 * excludes TLS; the PEM files come all or none. Returns the TLS files (undefined = none: test
 * identity, or a plaintext development setup in which every agent call is UNAUTHENTICATED).
 * Throws ConfigError naming every problem.
 */
export function checkConfig(config: DispatcherConfig, env: NodeJS.ProcessEnv): TlsFiles | undefined {
  const problems: string[] = [];
  const { tlsCaFile: ca, tlsCertFile: cert, tlsKeyFile: key } = config;
  const set = [ca, cert, key].filter((f) => f !== undefined).length;
  if (config.allowTestIdentity && env[ALLOW_TEST_IDENTITY_ENV] !== '1') {
    problems.push(`allow-test-identity: refused unless ${ALLOW_TEST_IDENTITY_ENV}=1 (tests only)`);
  }
  if (config.allowTestIdentity && set > 0) problems.push('allow-test-identity: excludes the TLS files');
  if (set > 0 && set < 3) problems.push('set all of --tls-ca-file, --tls-cert-file and --tls-key-file');
  if (problems.length > 0) throw new ConfigError(problems);
  return ca !== undefined && cert !== undefined && key !== undefined ? { ca, cert, key } : undefined;
}

/** dispatcherIdOf is the replica's id: configured, or `<host>-<pid>` as an identity-safe name. */
export function dispatcherIdOf(config: DispatcherConfig): string {
  return config.dispatcherId ?? `${hostname().toLowerCase().replace(/[^a-z0-9-]/g, '-')}-${process.pid}`;
}
