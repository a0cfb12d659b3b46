// What the CA needs from the store, as ports: the real adapter is the store client (the ca
// app's wiring); tests and tools use MemoryCaStore.
import type { Certificate, Cluster, Node } from '@shoal/proto';

/**
 * NodesPort is the CA's access to Node objects in the store. The CA creates nodes at issuance
 * and owns `Node.certificate` and `Node.role` (contracts.md).
 *
 * Contract: `createNode` rejects with ShoalError ALREADY_EXISTS when the ID is taken (the CA
 * then draws another). `getNode` resolves null for a missing (e.g. removed) node.
 * `updateCertificate` replaces `certificate` of an existing node, in one store transaction
 * written as `ca`; it rejects NOT_FOUND if the node is gone. Objects handed in and out are not
 * retained or mutated by either side.
 */
export interface NodesPort {
  createNode(node: Node): Promise<void>;
  getNode(id: string): Promise<Node | null>;
  updateCertificate(id: string, certificate: Certificate): Promise<void>;
}

/**
 * ClusterPort reads the one Cluster object: root CA (certificate and key), the secret halves of
 * the join tokens, blacklisted node IDs, unlock keys and the CA configuration.
 *
 * Contract: `getCluster` reads the current object every call (never a cache older than the
 * last committed write this process knows of), so a token rotation takes effect for the next
 * request. It rejects FAILED_PRECONDITION when the cluster has not been bootstrapped.
 */
export interface ClusterPort {
  getCluster(): Promise<Cluster>;
}
