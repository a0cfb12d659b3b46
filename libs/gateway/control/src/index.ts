// Public surface of @shoal/gateway-control: the Control API over the store (createControlApi),
// its gRPC binding for the bootstrap, and the contract type the Docker API front end calls.
export type { ControlApi, ControlMethodName } from './control-api';
export { createControlApi } from './create-control-api';
export type { ControlDeps } from './deps';
export { fullTokens, rootDigestOf } from './cluster';
export { CONTROL_SERVICE_NAME, controlGrpcBinding } from './grpc-binding';
export { DEFAULT_NETWORK_DRIVER } from './networks';
export { connectControl, type ConnectControlOptions, type RemoteControl } from './remote';
