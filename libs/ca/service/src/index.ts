// Public surface of @shoal/ca-service: the cluster CA's request logic behind store ports
// (CaService), its grpc-js handlers, the Cluster object of a new cluster, and the node side:
// joinCluster (TOFU-pinned join) and renewCertificate/renewLoop. See docs/design/ca.md.
export * from '@shoal/limits';
export type { ClusterPort, NodesPort } from './ports';
export {
  clusterAuthority,
  composeJoinToken,
  matchJoinToken,
  type ClusterAuthority,
  type NodeJoinRole,
} from './cluster-authority';
export {
  clusterObject,
  newClusterObject,
  rotateJoinToken,
  type ClusterObjectParts,
  type NewCluster,
  type NewClusterOptions,
} from './cluster-object';
export { CaService, type CaServiceDeps } from './ca-service';
export { caGrpcHandlers, optionalPeerIdentity } from './ca-grpc-handlers';
export { MemoryCaStore } from './memory-ca-store';
export { StoreCaPorts } from './store-ca-ports';
export { SignerLoop, type SignerLoopOptions } from './signer-loop';
export { COMPONENT_ROLES } from './component-certificates';
export { joinCluster, type JoinClusterOptions, type JoinedNode } from './joiner';
// The renewal half moved to @shoal/tls (every process renews); re-exported for node code.
export {
  awaitCertificate,
  checkIssued,
  renewCertificate,
  renewLoop,
  type AwaitCertificateOptions,
  type RenewCertificateOptions,
  type RenewLoopOptions,
} from '@shoal/tls';
