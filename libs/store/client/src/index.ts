// Public surface of @shoal/store-client: the client every Shoal component uses to read, write
// and watch the raft-store, plus the controller toolkit on top of it (informer, work queue,
// lease-based leader election). See docs/design/store-client.md.
export {
  callUnary,
  collectStream,
  Endpoints,
  identityMetadata,
  type Endpoint,
  type StoreChannelSecurity,
  type UnaryMethod,
} from './connection';
export {
  FORWARDED_ID_HEADER,
  FORWARDED_ROLE_HEADER,
  LEADER_HINT_HEADER,
  NOT_SENT_DETAIL,
  TEST_IDENTITY_HEADER,
  type IdentityRole,
} from './identity';
export {
  createInformer,
  Informer,
  type InformerHandlers,
  type InformerOptions,
  type InformerSource,
} from './informer';
export {
  runLeaderElection,
  type LeaderElectionOptions,
  type LeaseSource,
} from './leader-election';
export { LeaseObserver, type LeaseObserverDeps } from './lease-observer';
export { STORE_CLIENT_LIMITS, type StoreClientLimits } from '@shoal/limits';
export { RateLimiter, type RateLimiterLimits } from './rate-limiter';
export { backoffDelayMs, isRetryableRead, provesNotApplied } from './retry';
export {
  connectStore,
  StoreClient,
  type CallOptions,
  type Committed,
  type ConnectStoreOptions,
  type LeaseInfo,
  type Listed,
  type ReadOptions,
  type WriteOptions,
} from './store-client';
export {
  changeActionOf,
  clientActionOf,
  cloneStored,
  objectKey,
  objectKindOf,
  parseObjectKey,
  unwrapOrThrow,
  type ClientAction,
  type ClientChange,
  type ClientEvent,
  type ObjectKey,
} from './types';
export {
  ResumingWatch,
  type WatchHandler,
  type WatchOptions,
  type WatchSubscription,
  type WatchTransaction,
} from './watch';
export { WorkQueue, type WorkQueueOptions } from './work-queue';
