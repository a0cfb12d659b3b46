// The CA's ports over the raft-store, through @shoal/store-client, written as `ca`.
import { ShoalError } from '@shoal/errors';
import { Certificate, Cluster, IssuanceStatus_State, type Node } from '@shoal/proto';
import type { StoreClient } from '@shoal/store-client';
import type { ClusterPort, NodesPort } from './ports';

/**
 * StoreCaPorts implements NodesPort and ClusterPort over a store client whose certificate has
 * role `ca`. Reads are linearizable (a rotated token or a removal applies to the next
 * request); writes are single-object transactions as writer `ca`, which the store checks
 * against the field ownership (the CA creates Nodes and Clusters and owns `Node.certificate`,
 * `Node.role`, `Cluster.root_ca` and `Cluster.blacklisted_certificates`).
 */
export class StoreCaPorts implements NodesPort, ClusterPort {
  /** Binds the store client and the ID of the cluster (the O of the ca's own certificate). */
  constructor(private readonly store: StoreClient, private readonly clusterId: string) {}

  /** getCluster reads the Cluster object; FAILED_PRECONDITION until it was created. */
  async getCluster(): Promise<Cluster> {
    const cluster = await this.store.get('cluster', this.clusterId);
    if (cluster === undefined) {
      throw ShoalError.failedPrecondition(`cluster ${this.clusterId} is not in the store yet`);
    }
    return cluster;
  }

  /** createCluster stores a new Cluster object; ALREADY_EXISTS when another replica was first. */
  async createCluster(cluster: Cluster): Promise<void> {
    await this.store.transaction([{ action: 'create', kind: 'cluster', object: cluster }],
      { writer: 'ca' });
  }

  /** createNode stores a new node; ALREADY_EXISTS (from the store) when the ID is taken. */
  async createNode(node: Node): Promise<void> {
    await this.store.transaction([{ action: 'create', kind: 'node', object: node }], { writer: 'ca' });
  }

  /** getNode reads a node, or null when it does not exist (removed). */
  async getNode(id: string): Promise<Node | null> {
    return (await this.store.get('node', id)) ?? null;
  }

  /** updateCertificate replaces `certificate` of node `id`; NOT_FOUND when it is gone. */
  async updateCertificate(id: string, certificate: Certificate): Promise<void> {
    await this.store.update('node', id, (node) => ({ ...node, certificate }), { writer: 'ca' });
  }

  /** pendingNodeIds lists the nodes whose certificate waits for a signature (stale read). */
  async pendingNodeIds(): Promise<string[]> {
    const listed = await this.store.list(['node'], { stale: true });
    const pending = new Set([IssuanceStatus_State.PENDING, IssuanceStatus_State.RENEW]);
    return listed.objects.flatMap((o) => o.kind === 'node' &&
      pending.has(o.object.certificate?.status?.state ?? IssuanceStatus_State.UNKNOWN) ? [o.object.id] : []);
  }
}
