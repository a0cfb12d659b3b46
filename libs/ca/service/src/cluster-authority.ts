// What the CA reads out of the Cluster object: the signing root, the full join tokens (secret
// halves from the store, digest half from the current root) and the certificate lifetime.
import {
  certificateDigest,
  isIdentityName,
  JOIN_TOKEN_PREFIX,
  JOIN_TOKEN_VERSION,
  NODE_CERT_VALIDITY_MS,
  tokensEqual,
  type RootDigest,
  type SigningCa,
} from '@shoal/pki';
import { ShoalError } from '@shoal/errors';
import { durationToMs, type Cluster } from '@shoal/proto';

/** NodeJoinRole is the role a join token grants: SwarmKit's worker or manager. */
export type NodeJoinRole = 'worker' | 'manager';

/**
 * ClusterAuthority is the CA material of one Cluster object, decoded.
 *
 * Invariant: `tokens` are full `SHLTKN-1-<root digest>-<secret>` strings whose digest is
 * `digest`; `clusterId` is the Cluster object's ID, written as O in every certificate.
 */
export interface ClusterAuthority {
  readonly clusterId: string;
  readonly root: SigningCa;
  readonly digest: RootDigest;
  readonly tokens: Readonly<Record<NodeJoinRole, string>>;
  readonly certValidityMs: number;
  /** Node IDs whose certificates are refused (removed nodes). */
  readonly blacklisted: ReadonlySet<string>;
}

/**
 * composeJoinToken returns the token users see, `SHLTKN-1-<digest>-<secret>`, from the root
 * digest and a secret half as stored in `Cluster.join_tokens` (contracts.md).
 */
export function composeJoinToken(digest: RootDigest, secret: string): string {
  return [JOIN_TOKEN_PREFIX, JOIN_TOKEN_VERSION, digest.base36, secret].join('-');
}

/**
 * clusterAuthority decodes `cluster`.
 *
 * Contract: throws ShoalError FAILED_PRECONDITION when the cluster has no root certificate or
 * key (not bootstrapped, or an external CA, which Shoal does not support yet), no token
 * secrets, or an ID that cannot be a certificate O.
 */
export function clusterAuthority(cluster: Cluster): ClusterAuthority {
  const certPem = cluster.rootCa?.caCert.toString('utf8') ?? '';
  const keyPem = cluster.rootCa?.caKey.toString('utf8') ?? '';
  if (certPem === '' || keyPem === '') {
    throw ShoalError.failedPrecondition('the cluster has no root CA certificate and key');
  }
  if (!isIdentityName(cluster.id)) {
    throw ShoalError.failedPrecondition('the cluster ID cannot be a certificate organization');
  }
  const worker = cluster.joinTokens?.worker ?? '';
  const manager = cluster.joinTokens?.manager ?? '';
  if (worker === '' || manager === '') {
    throw ShoalError.failedPrecondition('the cluster has no join tokens');
  }
  const digest = certificateDigest(certPem);
  const expiry = cluster.spec?.caConfig?.nodeCertExpiry;
  return {
    clusterId: cluster.id,
    root: { certPem, keyPem },
    digest,
    tokens: {
      worker: composeJoinToken(digest, worker),
      manager: composeJoinToken(digest, manager),
    },
    certValidityMs: expiry === undefined ? NODE_CERT_VALIDITY_MS : durationToMs(expiry),
    blacklisted: new Set(Object.keys(cluster.blacklistedCertificates)),
  };
}

/**
 * matchJoinToken returns the role `presented` grants in `authority`, or null when it matches
 * neither token. Both comparisons always run, each in constant time (tokensEqual), so the
 * time taken says nothing about which token, if any, is close.
 */
export function matchJoinToken(
  authority: ClusterAuthority,
  presented: string,
): NodeJoinRole | null {
  const isWorker = tokensEqual(presented, authority.tokens.worker);
  const isManager = tokensEqual(presented, authority.tokens.manager);
  if (isWorker) return 'worker';
  if (isManager) return 'manager';
  return null;
}
