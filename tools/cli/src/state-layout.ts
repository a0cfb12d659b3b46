// Where `shoal init` puts things in the state directory, and the cluster.json record.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Role } from '@shoal/pki';

/** CLUSTER_FILE records the cluster's identity; written last, it marks a finished init. */
export const CLUSTER_FILE = 'cluster.json';
/** TOKENS_FILE holds the worker and manager join tokens (mode 0600). */
export const TOKENS_FILE = 'tokens.json';
/** ROOT_KEY_FILE is the root CA's private key inside the `ca/` directory (mode 0600). */
export const ROOT_KEY_FILE = 'root-key.pem';
/** CA_DIR holds the ca component's bundle and, for now, the root key. */
export const CA_DIR = 'ca';
/** ADMIN_DIR holds the first admin client bundle (DOCKER_CERT_PATH). */
export const ADMIN_DIR = 'admin';
/** SECRET_FILE_MODE is the mode of files holding secrets: owner read/write only. */
export const SECRET_FILE_MODE = 0o600;

/**
 * CONTROL_COMPONENTS are the manager-side processes other than the raft-store that get one
 * certificate each (ID = role = directory name).
 */
export const CONTROL_COMPONENTS: readonly Role[] = Object.freeze([
  'orchestrator',
  'scheduler',
  'allocator',
  'dispatcher',
  'ca',
  'gateway',
]);

/** IssuedIdentity is one certificate `shoal init` wrote: its CN, role and directory. */
export interface IssuedIdentity {
  readonly id: string;
  readonly role: Role;
  readonly dir: string;
}

/** ClusterRecord is the content of cluster.json. */
export interface ClusterRecord {
  readonly clusterId: string;
  /** SHA-256 of the root certificate's DER, hex: what join tokens pin. */
  readonly rootDigest: string;
  readonly createdAt: string;
  readonly certValidityMs: number;
  /** Every certificate written, relative directories. */
  readonly identities: readonly IssuedIdentity[];
}

/** JoinTokensRecord is the content of tokens.json. */
export interface JoinTokensRecord {
  readonly worker: string;
  readonly manager: string;
}

/** readClusterRecord reads `<stateDir>/cluster.json`; rejects with Node's error if missing. */
export async function readClusterRecord(stateDir: string): Promise<ClusterRecord> {
  return JSON.parse(await readFile(join(stateDir, CLUSTER_FILE), 'utf8')) as ClusterRecord;
}
