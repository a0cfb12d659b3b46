// The Cluster object a new cluster starts with: its root CA and join token secrets.
import { ShoalError } from '@shoal/errors';
import {
  certificateDigest,
  generateJoinToken,
  parseJoinToken,
  type RootCa,
  type SigningCa,
} from '@shoal/pki';
import { Cluster } from '@shoal/proto';
import type { Random } from '@shoal/random';
import type { NodeJoinRole } from './cluster-authority';

/** NewClusterOptions parameterise {@link newClusterObject}. */
export interface NewClusterOptions {
  /** The cluster ID: the Cluster object's ID and the O of every certificate. */
  readonly clusterId: string;
  readonly root: RootCa;
  /** Source of the token secrets: a CSPRNG (CryptoRandom) outside tests. */
  readonly random: Random;
}

/** NewCluster is a bootstrapped Cluster object and the full join tokens to hand to users. */
export interface NewCluster {
  readonly cluster: Cluster;
  readonly tokens: Readonly<Record<NodeJoinRole, string>>;
}

/**
 * newClusterObject builds the Cluster object named "default" that `shoal init` hands to the
 * store: root_ca (key, certificate, "sha256:<hex>" digest) and join_tokens holding only the
 * secret halves (contracts.md), plus the full tokens for the operator.
 */
export function newClusterObject(options: NewClusterOptions): NewCluster {
  const worker = generateJoinToken(options.root.digest, options.random);
  const manager = generateJoinToken(options.root.digest, options.random);
  const tokens = { worker, manager };
  return { cluster: clusterObject({ clusterId: options.clusterId, root: options.root, tokens }), tokens };
}

/** ClusterObjectParts are what a Cluster object is made of at bootstrap. */
export interface ClusterObjectParts {
  readonly clusterId: string;
  readonly root: SigningCa;
  /** The full worker and manager tokens (e.g. `shoal init`'s tokens.json). */
  readonly tokens: Readonly<Record<NodeJoinRole, string>>;
}

/**
 * clusterObject builds the Cluster object named "default" from its parts: root_ca (key,
 * certificate, "sha256:<hex>" digest) and the secret halves of the tokens. Throws
 * INVALID_ARGUMENT when a token is malformed or pins another root.
 */
export function clusterObject(parts: ClusterObjectParts): Cluster {
  const digest = certificateDigest(parts.root.certPem);
  const secret = (token: string): string => {
    const parsed = parseJoinToken(token);
    if (parsed.rootDigest.hex !== digest.hex) {
      throw ShoalError.invalidArgument('a join token pins another root than the cluster\'s');
    }
    return parsed.secret;
  };
  return Cluster.fromPartial({
    id: parts.clusterId,
    spec: { annotations: { name: 'default' } },
    rootCa: {
      caKey: Buffer.from(parts.root.keyPem),
      caCert: Buffer.from(parts.root.certPem),
      caCertHash: `sha256:${digest.hex}`,
    },
    joinTokens: { worker: secret(parts.tokens.worker), manager: secret(parts.tokens.manager) },
  });
}

/**
 * rotateJoinToken returns a copy of `cluster` whose `role` token has a fresh secret, and the
 * new full token. The old token stops working as soon as the copy is stored; certificates
 * already issued are unaffected. (The Control API's UpdateCluster rotation does this.)
 */
export function rotateJoinToken(
  cluster: Cluster,
  role: NodeJoinRole,
  root: RootCa | { readonly digest: RootCa['digest'] },
  random: Random,
): { readonly cluster: Cluster; readonly token: string } {
  const token = generateJoinToken(root.digest, random);
  const secret = parseJoinToken(token).secret;
  const joinTokens = { worker: cluster.joinTokens?.worker ?? '', manager: cluster.joinTokens?.manager ?? '' };
  joinTokens[role] = secret;
  return { cluster: Cluster.fromPartial({ ...cluster, joinTokens }), token };
}
