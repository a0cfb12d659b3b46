// Public surface of @shoal/grpc: grpc-js servers and clients with Shoal's limits, metrics,
// deadlines and the single error ↔ status mapping.
export {
  createClient,
  deadlineInterceptor,
  type ClientConstructor,
  type CreateClientOptions,
  type DeadlineOptions,
} from './client';
export { channelOptions, serverOptions } from './options';
export { bindServer, createGrpcServer, shutdownServer, type GrpcServerOptions } from './server';
export { parseMethodPath, serverMetricsInterceptor, type MethodName } from './server-metrics';
export {
  ERROR_CODE_METADATA_KEY,
  ERROR_DETAILS_METADATA_KEY,
  fromGrpcError,
  INTERNAL_ERROR_MESSAGE,
  isAssertionFailure,
  statusName,
  toGrpcError,
} from './status';
export { wrapUnary, type UnaryHandler, type WrapOptions } from './unary';
