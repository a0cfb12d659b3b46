// Creating the store's Cluster object from the files `shoal init` wrote, once.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Timers } from '@shoal/clock';
import { ConfigError } from '@shoal/config';
import { isShoalError } from '@shoal/errors';
import type { Logger } from '@shoal/logging';
import { clusterObject, type StoreCaPorts } from '@shoal/ca-service';
import { CA_SEED_RETRY_MS } from '@shoal/limits';
import type { Cluster } from '@shoal/proto';

/** The files of `shoal init` the seed reads (tools/cli state-layout.ts). */
const INIT_FILES = Object.freeze({
  cluster: 'cluster.json',
  tokens: 'tokens.json',
  rootKey: join('ca', 'root-key.pem'),
  rootCert: join('ca', 'ca.pem'),
});

/**
 * readInitCluster builds the Cluster object from `initDir`: the cluster ID (cluster.json), the
 * root certificate and key (ca/ca.pem, ca/root-key.pem) and the join tokens (tokens.json).
 * Throws ConfigError naming the file when one is missing or does not fit (e.g. a cluster ID
 * other than the one in this ca's certificate).
 */
export async function readInitCluster(initDir: string, clusterId: string): Promise<Cluster> {
  const read = async (name: string): Promise<string> => {
    try {
      return await readFile(join(initDir, name), 'utf8');
    } catch (err) {
      throw new ConfigError([`init-dir: cannot read ${join(initDir, name)}: ${(err as Error).message}`]);
    }
  };
  try {
    const record = JSON.parse(await read(INIT_FILES.cluster)) as { clusterId?: unknown };
    const tokens = JSON.parse(await read(INIT_FILES.tokens)) as { worker?: unknown; manager?: unknown };
    if (record.clusterId !== clusterId) {
      throw new ConfigError([`init-dir: cluster ${String(record.clusterId)} is not this ca's cluster ${clusterId}`]);
    }
    if (typeof tokens.worker !== 'string' || typeof tokens.manager !== 'string') {
      throw new ConfigError([`init-dir: ${INIT_FILES.tokens} has no worker and manager tokens`]);
    }
    const root = { certPem: await read(INIT_FILES.rootCert), keyPem: await read(INIT_FILES.rootKey) };
    return clusterObject({ clusterId, root, tokens: { worker: tokens.worker, manager: tokens.manager } });
  } catch (err) {
    if (err instanceof SyntaxError) throw new ConfigError([`init-dir: ${err.message}`]);
    if (isShoalError(err)) throw new ConfigError([`init-dir: ${err.message}`]);
    throw err;
  }
}

/**
 * seedCluster creates `cluster` in the store unless a Cluster object with its ID exists,
 * retrying every CA_SEED_RETRY_MS while the store cannot answer (no leader yet). Another
 * replica creating it first (ALREADY_EXISTS) counts as done. Resolves false when `signal`
 * aborts first.
 */
export async function seedCluster(ports: StoreCaPorts, cluster: Cluster, deps:
  { timers: Timers; logger: Logger; signal: AbortSignal }): Promise<boolean> {
  while (!deps.signal.aborted) {
    try {
      await ports.getCluster();
      deps.logger.info({ clusterId: cluster.id }, 'the store already holds the cluster');
      return true;
    } catch (err) {
      if (isShoalError(err, 'FAILED_PRECONDITION')) {
        try {
          await ports.createCluster(cluster);
          deps.logger.info({ clusterId: cluster.id }, 'cluster created in the store from --init-dir');
          return true;
        } catch (createErr) {
          if (isShoalError(createErr, 'ALREADY_EXISTS')) return true;
          deps.logger.warn({ err: createErr }, 'creating the cluster failed; retrying');
        }
      } else {
        deps.logger.debug({ err }, 'store not ready; retrying');
      }
    }
    await new Promise<void>((resolve) => void deps.timers.setTimeout(resolve, CA_SEED_RETRY_MS));
  }
  return false;
}
