// The node's identity: the certificate bundle in <state-dir>/certificates (or the TLS files),
// obtained on the first start by joining through the ca with the join token.
import { join } from 'node:path';
import { joinCluster } from '@shoal/ca-service';
import { ConfigError } from '@shoal/config';
import { isShoalError, ShoalError } from '@shoal/errors';
import { NODE_CERTIFICATES_DIR } from '@shoal/limits';
import type { Logger } from '@shoal/logging';
import { CERT_BUNDLE_FILES, parseIdentity, readCertBundle, type CertBundle, type CertFiles, type Identity } from '@shoal/pki';
import type { Random } from '@shoal/random';
import { readFile } from 'node:fs/promises';
import type { AgentConfig } from './config';

/** NodeCredentials are the node's certificate bundle, who it names, and the files it is kept in. */
export interface NodeCredentials {
  readonly bundle: CertBundle;
  readonly identity: Identity;
  /** The three files (the --tls-* flags, or `<stateDir>/certificates/{ca,cert,key}.pem`). */
  readonly files: CertFiles;
  readonly joined: boolean;
}

function filesIn(dir: string): CertFiles {
  return { caFile: join(dir, CERT_BUNDLE_FILES.ca), certFile: join(dir, CERT_BUNDLE_FILES.cert),
    keyFile: join(dir, CERT_BUNDLE_FILES.key) };
}

async function fromFiles(config: AgentConfig): Promise<CertBundle | undefined> {
  if (config.tlsCaFile === undefined || config.tlsCertFile === undefined || config.tlsKeyFile === undefined) return undefined;
  const [caPem, certPem, keyPem] = await Promise.all([config.tlsCaFile, config.tlsCertFile, config.tlsKeyFile]
    .map((f) => readFile(f, 'utf8')));
  return { caPem: caPem ?? '', certPem: certPem ?? '', keyPem: keyPem ?? '' };
}

async function existing(certDir: string): Promise<CertBundle | undefined> {
  try {
    return await readCertBundle(certDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * nodeCredentials returns the node's credentials. Contract: the --tls-* files when given;
 * else the bundle already in `<stateDir>/certificates` (later starts reuse it: same node
 * ID); else it joins with --join-token through each --ca-endpoints replica in turn
 * (joinCluster: root pinned by the token digest, key and CSR made here, bundle written to
 * the state dir). Throws ConfigError when there is no bundle and no token or ca; rejects as
 * the last ca answered when every replica failed.
 */
export async function nodeCredentials(config: AgentConfig, stateDir: string, random: Random, logger: Logger):
  Promise<NodeCredentials> {
  const files = await fromFiles(config);
  if (files !== undefined) {
    return { bundle: files, identity: parseIdentity(files.certPem), joined: false,
      files: { caFile: config.tlsCaFile ?? '', certFile: config.tlsCertFile ?? '', keyFile: config.tlsKeyFile ?? '' } };
  }
  const certDir = join(stateDir, NODE_CERTIFICATES_DIR);
  const kept = await existing(certDir);
  if (kept !== undefined) {
    const identity = parseIdentity(kept.certPem);
    logger.info({ nodeId: identity.id, role: identity.role, certDir }, 'node identity reused from the state dir');
    return { bundle: kept, identity, files: filesIn(certDir), joined: false };
  }
  const token = config.joinToken;
  const cas = config.caEndpoints ?? [];
  if (token === undefined || token === '' || cas.length === 0) {
    throw new ConfigError([`no certificate in ${certDir}: the first start needs --join-token and --ca-endpoints`]);
  }
  let last: unknown;
  for (const caAddress of cas) {
    try {
      const joined = await joinCluster({ caAddress, token, stateDir, random, logger });
      logger.info({ nodeId: joined.identity.id, role: joined.identity.role, ca: caAddress }, 'joined the cluster');
      return { bundle: joined.bundle, identity: joined.identity, files: filesIn(joined.certDir), joined: true };
    } catch (err) {
      last = err;
      // A refused token or a root that does not match it will not get better at another replica.
      if (isShoalError(err) && (err.code === 'UNAUTHENTICATED' || err.code === 'PERMISSION_DENIED'
        || err.code === 'INVALID_ARGUMENT')) throw err;
      logger.warn({ err, ca: caAddress }, 'join through this ca failed; trying the next');
    }
  }
  throw isShoalError(last) ? last : ShoalError.unavailable(`cannot join through ${cas.join(', ')}`);
}
