// The Cluster object a new cluster starts with: its root CA and join token secrets.
import { generateJoinToken, parseJoinToken, type RootCa } from '@shoal/pki';
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
  const cluster = Cluster.fromPartial({
    id: options.clusterId,
    spec: { annotations: { name: 'default' } },
    rootCa: {
      caKey: Buffer.from(options.root.keyPem),
      caCert: Buffer.from(options.root.certPem),
      caCertHash: `sha256:${options.root.digest.hex}`,
    },
    joinTokens: { worker: parseJoinToken(worker).secret, manager: parseJoinToken(manager).secret },
  });
  return { cluster, tokens: { worker, manager } };
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
