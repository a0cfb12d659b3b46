// The Control API as plain async functions: what the gRPC Control service and the Docker
// Engine API adapter both call. One method per `shoal.v1.Control` rpc, same request and
// response messages; errors are thrown as ShoalError (codes map to gRPC and HTTP at the edge).
import type { handleUnaryCall } from '@grpc/grpc-js';
import type { ControlServer } from '@shoal/proto-grpc';

/** ControlMethod turns one generated unary handler type into `(request) => Promise<response>`. */
type ControlMethod<H> = H extends handleUnaryCall<infer Req, infer Res> ? (request: Req) => Promise<Res> : never;

/**
 * ControlApi is the cluster's user-facing API: services, tasks, nodes, cluster, secrets,
 * configs, networks and resources, with SwarmKit's validation, defaults and versioned updates
 * ("update out of sequence" when stale). Implemented by `createControlApi` over the store.
 */
export type ControlApi = {
  [K in keyof ControlServer as string extends K ? never : K]: ControlMethod<ControlServer[K]>;
};

/** ControlMethodName is the name of one Control method (`createService`, `listTasks`, …). */
export type ControlMethodName = keyof ControlApi;
