import type { ChannelOptions } from '@grpc/grpc-js';
import { GRPC_LIMITS } from '@shoal/limits';

/**
 * channelOptions returns the client channel options every Shoal client uses: message size
 * caps and keepalive from GRPC_LIMITS, with pings allowed on idle connections so a dead
 * peer is noticed within keepalive time + timeout. `overrides` win.
 */
export function channelOptions(overrides: Partial<ChannelOptions> = {}): ChannelOptions {
  return {
    'grpc.max_receive_message_length': GRPC_LIMITS.maxReceiveMessageBytes,
    'grpc.max_send_message_length': GRPC_LIMITS.maxSendMessageBytes,
    'grpc.keepalive_time_ms': GRPC_LIMITS.keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': GRPC_LIMITS.keepaliveTimeoutMs,
    'grpc.keepalive_permit_without_calls': 1,
    ...overrides,
  };
}

/**
 * serverOptions returns the server options every Shoal server uses: the same message caps
 * and keepalive as clients, plus the per-connection stream cap. `overrides` win.
 */
export function serverOptions(overrides: Partial<ChannelOptions> = {}): ChannelOptions {
  return {
    'grpc.max_receive_message_length': GRPC_LIMITS.maxReceiveMessageBytes,
    'grpc.max_send_message_length': GRPC_LIMITS.maxSendMessageBytes,
    'grpc.keepalive_time_ms': GRPC_LIMITS.keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': GRPC_LIMITS.keepaliveTimeoutMs,
    'grpc.max_concurrent_streams': GRPC_LIMITS.maxConcurrentStreams,
    ...overrides,
  };
}
