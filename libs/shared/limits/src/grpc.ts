import { MIB, SECOND_MS } from './units';

/**
 * GRPC_LIMITS are the transport limits every Shoal gRPC server and client applies
 * (`@shoal/grpc` turns them into channel options). Sources: SwarmKit's `GRPCMaxMsgSize` and
 * dispatcher RPC timeout; keepalive values are Shoal's choice, set explicitly per style §26.
 */
export const GRPC_LIMITS = Object.freeze({
  /** Bytes of one received message (SwarmKit `GRPCMaxMsgSize` = 4 MiB). */
  maxReceiveMessageBytes: 4 * MIB,
  /** Bytes of one sent message (same cap as receive, so both ends agree). */
  maxSendMessageBytes: 4 * MIB,
  /** Ms between keepalive pings on an idle connection (Shoal: 10 s, detects dead peers). */
  keepaliveTimeMs: 10 * SECOND_MS,
  /** Ms to wait for a keepalive ack before closing the connection (Shoal: 5 s). */
  keepaliveTimeoutMs: 5 * SECOND_MS,
  /** Default deadline in ms for unary calls lacking one (SwarmKit `dispatcherRPCTimeout`). */
  unaryDeadlineMs: 5 * SECOND_MS,
  /** Concurrent streams one HTTP/2 connection may carry (Shoal: bounds a single client). */
  maxConcurrentStreams: 1000,
  /** Ms a server waits for in-flight calls on shutdown before cancelling them (Shoal). */
  shutdownGraceMs: 10 * SECOND_MS,
});

/** GrpcLimits is the type of {@link GRPC_LIMITS}. */
export type GrpcLimits = typeof GRPC_LIMITS;
