// Public surface of @shoal/dispatcher-service: the dispatcher replica (sessions, heartbeats,
// assignments, status batching) and its gRPC binding. See docs/design/dispatcher.md.
export {
  Dispatcher,
  DISCONNECTED_MESSAGE,
  HEARTBEAT_FAILURE,
  READY_MESSAGE_PREFIX,
  type DispatcherOptions,
} from './dispatcher';
export { dispatcherGrpcHandlers, type DispatcherHandlerOptions } from './grpc-handlers';
export { nodeIdentity, TEST_NODE_HEADER, type NodeCaller } from './identity';
export { dispatcherMetrics, type DispatcherMetrics } from './metrics';
export { StoreWriter, type NodeWrite, type QueuedStatus } from './store-writer';
export { holderOf, NodeSweeper, ORPHANED_MESSAGE, replicaLease, SWEEPER_LEASE, type SweeperDeps } from './sweeper';
