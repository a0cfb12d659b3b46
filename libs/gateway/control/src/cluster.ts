// The cluster: get, list, update (versioned) with join token and unlock key rotation. Tokens
// are stored and returned as secret halves (contracts.md); fullTokens composes what users see:
// SHLTKN-1-<root digest>-<secret>.
import { ShoalError } from '@shoal/errors';
import { composeJoinToken, rotateJoinToken, type NodeJoinRole } from '@shoal/ca-service';
import { clusterView, CLUSTER_NAME, commonMatch, validateClusterSpec } from '@shoal/gateway-spec';
import { digestFromHex, type RootDigest } from '@shoal/pki';
import type { Cluster, ClusterSpec, EncryptionKey, KeyRotation, UpdateClusterRequest } from '@shoal/proto';
import type { ControlApi } from './control-api';
import { checkVersion, requireVersion, type ControlDeps } from './deps';
import { commitUpdate } from './commit-update';
import { resolveObject } from './resolve';

type ClusterMethods = Pick<ControlApi, 'getCluster' | 'listClusters' | 'updateCluster'>;

/** UNLOCK_KEY_BYTES is the size of a manager unlock key (SwarmKit: 32 random bytes). */
const UNLOCK_KEY_BYTES = 32;
/** UNLOCK_KEY_SUBSYSTEM names the unlock key in Cluster.unlock_keys. */
const UNLOCK_KEY_SUBSYSTEM = 'manager';

/** rootDigestOf reads the root digest from `root_ca.ca_cert_hash` ("sha256:<hex>"). */
export function rootDigestOf(cluster: Cluster): RootDigest | undefined {
  const match = /^sha256:([0-9a-f]{64})$/.exec(cluster.rootCa?.caCertHash ?? '');
  return match === null ? undefined : digestFromHex(match[1] as string);
}

/**
 * fullTokens composes the join tokens users see from a cluster as GetCluster returns it (secret
 * halves plus root_ca.ca_cert_hash), or undefined without a root digest.
 */
export function fullTokens(cluster: Cluster): { worker: string; manager: string } | undefined {
  const digest = rootDigestOf(cluster);
  const stored = cluster.joinTokens;
  if (digest === undefined || stored === undefined) return undefined;
  const show = (secret: string): string => (secret === '' ? '' : composeJoinToken(digest, secret));
  return { worker: show(stored.worker), manager: show(stored.manager) };
}

function view(cluster: Cluster): Cluster {
  return clusterView(cluster);
}

function newUnlockKey(deps: ControlDeps): EncryptionKey {
  const key = Buffer.alloc(UNLOCK_KEY_BYTES);
  for (let i = 0; i < UNLOCK_KEY_BYTES; i += 4) key.writeUInt32BE(deps.random.nextUint32() >>> 0, i);
  return { subsystem: UNLOCK_KEY_SUBSYSTEM, algorithm: 0, key, lamportTime: 0 };
}

function rotate(deps: ControlDeps, cluster: Cluster, rotation: KeyRotation | undefined, spec: ClusterSpec): Cluster {
  let next: Cluster = { ...cluster, spec };
  const roles: NodeJoinRole[] = [];
  if (rotation?.workerJoinToken === true) roles.push('worker');
  if (rotation?.managerJoinToken === true) roles.push('manager');
  const digest = rootDigestOf(cluster);
  if (roles.length > 0 && digest === undefined) {
    throw ShoalError.failedPrecondition('the cluster has no root CA yet; join tokens cannot be rotated');
  }
  for (const role of roles) next = rotateJoinToken(next, role, { digest: digest as RootDigest }, deps.random).cluster;
  const autolock = spec.encryptionConfig?.autoLockManagers === true;
  const wantsKey = autolock && (rotation?.managerUnlockKey === true || cluster.unlockKeys.length === 0);
  const unlockKeys = !autolock ? [] : wantsKey ? [newUnlockKey(deps)] : cluster.unlockKeys;
  return { ...next, unlockKeys };
}

async function updateCluster(deps: ControlDeps, request: UpdateClusterRequest): Promise<Cluster> {
  const expected = requireVersion('cluster', request.clusterVersion);
  validateClusterSpec(request.spec);
  const current = await resolveObject(deps, 'cluster', request.clusterId);
  checkVersion(current, expected);
  const spec: ClusterSpec = { ...request.spec, annotations: { name: CLUSTER_NAME, labels: {},
    ...request.spec.annotations } };
  return commitUpdate(deps, 'cluster', current, rotate(deps, current, request.rotation, spec));
}

/** clusterMethods implements the cluster part of the Control API. */
export function clusterMethods(deps: ControlDeps): ClusterMethods {
  return {
    getCluster: async (request) => ({ cluster: view(await resolveObject(deps, 'cluster', request.clusterId)) }),
    listClusters: async (request) => ({
      clusters: (await deps.store.find('cluster')).objects.filter((c) => commonMatch({ id: c.id,
        name: c.spec?.annotations?.name ?? '', labels: c.spec?.annotations?.labels }, request.filters)).map(view),
    }),
    updateCluster: async (request) => ({ cluster: view(await updateCluster(deps, request)) }),
  };
}
