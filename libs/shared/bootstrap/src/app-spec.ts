import type { Logger } from '@shoal/logging';
import type { Metrics } from '@shoal/metrics';
import type {
  ServerCredentials,
  ServerInterceptor,
  ServiceDefinition,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { z } from 'zod';
import type { AppBaseConfig } from '@shoal/config';
import type { HealthState } from './health-state';

/** AppName is one of the eight Shoal processes. */
export type AppName =
  | 'api-gateway'
  | 'raft-store'
  | 'orchestrator'
  | 'scheduler'
  | 'allocator'
  | 'dispatcher'
  | 'ca'
  | 'node-agent';

/** BaseAppConfig is the configuration every app has (`appBaseConfig` of `@shoal/config`). */
export type BaseAppConfig = AppBaseConfig;

/**
 * AppContext is what an app's own code receives once the shell is up: its validated config,
 * its logger and metrics, and the health state it may flip (e.g. NOT_SERVING while it has no
 * store connection).
 */
export interface AppContext<C extends BaseAppConfig = BaseAppConfig> {
  app: AppName;
  version: string;
  config: C;
  logger: Logger;
  metrics: Metrics;
  health: HealthState;
}

/**
 * GrpcBinding adds one service to the app's gRPC server, beside the standard health service.
 * `name` is the fully qualified service name (e.g. `shoal.v1.Store`); `definition` is the
 * ts-proto generated service definition, whose serializers are used on the wire.
 */
export interface GrpcBinding {
  name: string;
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

/** GrpcSecurity is how an app's gRPC server authenticates and authorizes its callers. */
export interface GrpcSecurity {
  credentials: ServerCredentials;
  interceptors?: ServerInterceptor[];
}

/** Stoppable is an app's running work (a control loop, a server); the shell stops it first. */
export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * AppSpec describes one Shoal process to the shared bootstrap. Everything an app adds to the
 * shell is declared here; the shell owns config, logs, metrics, health, HTTP, gRPC and exit.
 */
export interface AppSpec<S extends z.ZodRawShape = z.ZodRawShape> {
  app: AppName;
  /** One line for `--help`. */
  summary: string;
  defaultPorts: { grpc: number; http: number };
  /** Extra config keys of this app, merged into `appBaseConfig`. */
  config?: S;
  /** Services to serve beside health, built once the context exists. */
  grpcServices?: (ctx: AppContext<BaseAppConfig & z.infer<z.ZodObject<S>>>) => GrpcBinding[];
  /**
   * Server credentials and extra interceptors (e.g. mTLS plus the authorization check of
   * `@shoal/pki`), built once the config is known. Default: insecure, no extra interceptors.
   */
  grpcSecurity?: (ctx: AppContext<BaseAppConfig & z.infer<z.ZodObject<S>>>) => GrpcSecurity;
  /** The app's own work, started after the servers listen and stopped before they close. */
  start?: (ctx: AppContext<BaseAppConfig & z.infer<z.ZodObject<S>>>) => Promise<Stoppable | void>;
}
