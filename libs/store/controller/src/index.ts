// Public surface of @shoal/store-controller: the control-loop shell (lease, informer, work
// queue, debounced pass, single transaction site) that the manager-side loops share.
export {
  ControlLoop,
  type CacheEvent,
  type ControlLoopOptions,
  type KeyOutcome,
  type LoopBatching,
  type LoopStats,
  type LoopStore,
  type PassContext,
  type Reconciler,
} from './control-loop';
export {
  connectLoopStore,
  holderOf,
  loopGrpcSecurity,
  openLoopConnection,
  storeConfig,
  type LoopConnection,
  type StoreConnectionConfig,
} from './store-connection';
export { createLoopReplica, type LoopDefaults, type LoopReplicaOptions } from './loop-replica';
export { loopAppSpec, type LoopAppOptions, type LoopProcessDeps } from './loop-app';
