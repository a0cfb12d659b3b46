import {
  InterceptingCall,
  makeGenericClientConstructor,
  type ChannelCredentials,
  type ChannelOptions,
  type Client,
  type Interceptor,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { GRPC_LIMITS } from '@shoal/limits';
import { channelOptions } from './options';

/**
 * DeadlineOptions tune {@link deadlineInterceptor}: `streams: true` also gives streaming
 * calls the default deadline (off by default, since watch and session streams live long).
 */
export interface DeadlineOptions {
  readonly streams?: boolean;
}

/**
 * deadlineInterceptor gives every unary call that lacks a deadline one of `defaultDeadlineMs`
 * from now, so no outbound RPC can hang forever (style guide §26). Calls that set their own
 * deadline, or inherit one through `parent`, keep it.
 */
export function deadlineInterceptor(
  defaultDeadlineMs: number = GRPC_LIMITS.unaryDeadlineMs,
  opts: DeadlineOptions = {},
): Interceptor {
  return (options, nextCall) => {
    const def = options.method_definition;
    const streaming = def.requestStream || def.responseStream;
    const hasDeadline = options.deadline !== undefined && options.deadline !== Infinity;
    if (hasDeadline || (streaming && opts.streams !== true)) {
      return new InterceptingCall(nextCall(options));
    }
    return new InterceptingCall(nextCall({ ...options, deadline: Date.now() + defaultDeadlineMs }));
  };
}

/** ClientConstructor is a generated (or `makeGenericClientConstructor`) client class. */
export type ClientConstructor<T extends Client> = new (
  address: string,
  credentials: ChannelCredentials,
  options?: Partial<ChannelOptions>,
) => T;

/**
 * CreateClientOptions configure {@link createClient}: the default unary deadline (GRPC_LIMITS),
 * extra interceptors (run after the deadline one) and channel option overrides.
 */
export interface CreateClientOptions {
  readonly defaultDeadlineMs?: number;
  readonly interceptors?: readonly Interceptor[];
  readonly options?: Partial<ChannelOptions>;
}

/**
 * createClient builds a client for `address` with Shoal's channel options and the default
 * deadline interceptor. `service` is a client class, or a ServiceDefinition for which a
 * generic client class is made (then `T` is the caller's description of its methods).
 */
export function createClient<T extends Client>(
  service: ClientConstructor<T> | ServiceDefinition,
  address: string,
  credentials: ChannelCredentials,
  opts: CreateClientOptions = {},
): T {
  const ctor =
    typeof service === 'function'
      ? service
      : (makeGenericClientConstructor(service, 'ShoalClient') as unknown as ClientConstructor<T>);
  const interceptors = [deadlineInterceptor(opts.defaultDeadlineMs), ...(opts.interceptors ?? [])];
  const options = { ...channelOptions(opts.options), interceptors };
  return new ctor(address, credentials, options as Partial<ChannelOptions>);
}
