import {
  Server,
  ServerCredentials,
  type ChannelOptions,
  type ServerInterceptor,
} from '@grpc/grpc-js';
import { GRPC_LIMITS } from '@shoal/limits';
import type { Logger } from '@shoal/logging';
import type { Metrics } from '@shoal/metrics';
import { serverOptions } from './options';
import { serverMetricsInterceptor } from './server-metrics';

/**
 * GrpcServerOptions configure {@link createGrpcServer}. `credentials` are remembered for
 * `bindServer` when it is not given its own; `interceptors` run after the metrics one;
 * `options` override the GRPC_LIMITS-based server options.
 */
export interface GrpcServerOptions {
  readonly metrics?: Metrics;
  readonly logger?: Logger;
  readonly credentials?: ServerCredentials;
  readonly interceptors?: readonly ServerInterceptor[];
  readonly options?: Partial<ChannelOptions>;
}

const rememberedCredentials = new WeakMap<Server, ServerCredentials>();
const serverLoggers = new WeakMap<Server, Logger>();

/**
 * createGrpcServer returns a grpc-js Server with Shoal's message caps and keepalive
 * (GRPC_LIMITS) and, when `metrics` is given, the call-metrics interceptor. Services are
 * added by the caller; then `bindServer` listens.
 */
export function createGrpcServer(opts: GrpcServerOptions = {}): Server {
  const interceptors: ServerInterceptor[] = [];
  if (opts.metrics !== undefined) {
    interceptors.push(serverMetricsInterceptor(opts.metrics, opts.logger));
  }
  interceptors.push(...(opts.interceptors ?? []));
  const server = new Server({ ...serverOptions(opts.options), interceptors });
  if (opts.credentials !== undefined) rememberedCredentials.set(server, opts.credentials);
  if (opts.logger !== undefined) serverLoggers.set(server, opts.logger);
  return server;
}

/**
 * bindServer listens on `address` (`host:port`; port 0 picks a free one) and resolves with
 * the bound port. Credentials: the given ones, else those passed to createGrpcServer, else
 * insecure (loopback development only; production passes mTLS credentials). Rejects if the
 * address cannot be bound.
 */
export function bindServer(
  server: Server,
  address: string,
  credentials?: ServerCredentials,
): Promise<number> {
  const creds =
    credentials ?? rememberedCredentials.get(server) ?? ServerCredentials.createInsecure();
  return new Promise((resolve, reject) => {
    server.bindAsync(address, creds, (err, port) => {
      if (err !== null) reject(err);
      else resolve(port);
    });
  });
}

/**
 * shutdownServer stops accepting calls and waits up to `graceMs` for in-flight calls to
 * finish (`tryShutdown`), then cancels whatever is left (`forceShutdown`). Resolves once the
 * server is down; never rejects.
 */
export function shutdownServer(
  server: Server,
  graceMs: number = GRPC_LIMITS.shutdownGraceMs,
): Promise<void> {
  return new Promise((resolve) => {
    let finished = false;
    const timer = setTimeout(() => {
      if (finished) return;
      finished = true;
      serverLoggers.get(server)?.warn({ graceMs }, 'gRPC shutdown grace expired; forcing');
      server.forceShutdown();
      resolve();
    }, graceMs);
    timer.unref();
    server.tryShutdown(() => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      resolve();
    });
  });
}
