import { ServerGrpc } from '@nestjs/microservices';
import type { GrpcOptions } from '@nestjs/microservices';
import type { ServerCredentials, ServerInterceptor } from '@grpc/grpc-js';
import { bindServer, createGrpcServer } from '@shoal/grpc';
import type { Logger } from '@shoal/logging';
import type { Metrics } from '@shoal/metrics';
import type { GrpcBinding } from './app-spec';

/** ShoalGrpcStrategyOptions are what the strategy adds to NestJS's own gRPC options. */
export interface ShoalGrpcStrategyOptions {
  metrics: Metrics;
  logger: Logger;
  credentials: ServerCredentials;
  /** Interceptors after the metrics one (e.g. authorization). */
  interceptors?: ServerInterceptor[];
  /** Raw grpc-js services (long-lived streams are simpler without Nest's Observables). */
  bindings: GrpcBinding[];
}

/**
 * ShoalGrpcStrategy is NestJS's gRPC transport with Shoal's server underneath: the server
 * comes from `@shoal/grpc` (message limits, keepalive, the metrics and status-mapping
 * interceptors), raw bindings are added beside Nest's controllers, and the port actually bound
 * is kept (Nest itself does not expose it, and port 0 asks the OS for one).
 */
export class ShoalGrpcStrategy extends ServerGrpc {
  private port = 0;

  constructor(
    options: GrpcOptions['options'],
    private readonly shoal: ShoalGrpcStrategyOptions,
  ) {
    super(options);
  }

  /** boundPort is the port the server listens on; 0 until `listen` has bound it. */
  get boundPort(): number {
    return this.port;
  }

  /** createClient is Nest's hook that makes and binds the grpc-js server. */
  override async createClient(): Promise<unknown> {
    const server = createGrpcServer({
      metrics: this.shoal.metrics,
      logger: this.shoal.logger,
      credentials: this.shoal.credentials,
      interceptors: this.shoal.interceptors,
    });
    for (const binding of this.shoal.bindings) {
      server.addService(binding.definition, binding.implementation);
    }
    this.port = await bindServer(server, this.url, this.shoal.credentials);
    return server;
  }
}
