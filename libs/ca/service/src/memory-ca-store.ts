// An in-memory store for the CA's ports, for tests and tools; the ca app uses the store client.
import { ShoalError } from '@shoal/errors';
import { Certificate, Cluster, Node } from '@shoal/proto';
import type { ClusterPort, NodesPort } from './ports';

/**
 * MemoryCaStore keeps one Cluster and the Node objects in memory and implements both CA ports
 * with the store's semantics: ALREADY_EXISTS on a taken ID, NOT_FOUND on updating a missing
 * node, deep copies in and out (nothing handed over is shared).
 */
export class MemoryCaStore implements NodesPort, ClusterPort {
  private cluster: Cluster | null;
  private readonly nodes = new Map<string, Node>();

  /** Creates a store holding `cluster` (null: not bootstrapped) and no nodes. */
  constructor(cluster: Cluster | null) {
    this.cluster = cluster === null ? null : Cluster.fromPartial(cluster);
  }

  /** getCluster returns a copy of the cluster, or FAILED_PRECONDITION before bootstrap. */
  async getCluster(): Promise<Cluster> {
    if (this.cluster === null) throw ShoalError.failedPrecondition('no cluster yet');
    return Cluster.fromPartial(this.cluster);
  }

  /** setCluster replaces the cluster (e.g. a token rotation, a blacklist entry). */
  setCluster(cluster: Cluster): void {
    this.cluster = Cluster.fromPartial(cluster);
  }

  /** createNode stores a copy of `node`; ALREADY_EXISTS if its ID is taken. */
  async createNode(node: Node): Promise<void> {
    if (this.nodes.has(node.id)) throw ShoalError.alreadyExists('node', node.id);
    this.nodes.set(node.id, Node.fromPartial(node));
  }

  /** getNode returns a copy of the node, or null. */
  async getNode(id: string): Promise<Node | null> {
    const node = this.nodes.get(id);
    return node === undefined ? null : Node.fromPartial(node);
  }

  /** updateCertificate replaces the node's certificate; NOT_FOUND if the node is gone. */
  async updateCertificate(id: string, certificate: Certificate): Promise<void> {
    const node = this.nodes.get(id);
    if (node === undefined) throw ShoalError.notFound('node', id);
    this.nodes.set(id, Node.fromPartial({ ...node, certificate: Certificate.fromPartial(certificate) }));
  }

  /**
   * removeNode deletes the node and blacklists its ID in the cluster, as `docker node rm`
   * (gateway) followed by the CA's reaction to the delete would.
   */
  removeNode(id: string): void {
    this.nodes.delete(id);
    if (this.cluster === null) return;
    const blacklisted = { ...this.cluster.blacklistedCertificates, [id]: {} };
    this.cluster = Cluster.fromPartial({ ...this.cluster, blacklistedCertificates: blacklisted });
  }

  /** nodeIds lists the stored node IDs, sorted. */
  nodeIds(): string[] {
    return [...this.nodes.keys()].sort();
  }
}
