import 'reflect-metadata';
import { Module, type INestApplication, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ServerCredentials } from '@grpc/grpc-js';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import {
  appBaseConfig,
  ConfigError,
  describeConfig,
  loadConfig,
  portSchema,
  wantsHelp,
} from '@shoal/config';
import { createLogger, type Logger } from '@shoal/logging';
import { createMetrics } from '@shoal/metrics';
import { HealthService } from '@shoal/proto-grpc';
import { onShutdownSignals } from '@shoal/runtime';
import type { AppContext, AppSpec, BaseAppConfig, Stoppable } from './app-spec';
import { ShoalGrpcStrategy } from './grpc-strategy';
import { HealthGrpcController } from './health.grpc-controller';
import { HealthState } from './health-state';
import { HttpController } from './http.controller';
import { APP_CONTEXT, APP_HEALTH, APP_METRICS, SERVICE_NAMES } from './tokens';
import { SHOAL_VERSION } from './version';

/** RunningApp is a started Shoal process: its bound ports and the way to stop it. */
export interface RunningApp {
  ctx: AppContext;
  grpcPort: number;
  httpPort: number;
  /** close stops the app's work, then the servers; safe to call more than once. */
  close(): Promise<void>;
}

/** BootstrapOptions let tests start an app in-process with their own argv and env. */
export interface BootstrapOptions {
  argv?: string[];
  env?: NodeJS.ProcessEnv;
  logDestination?: NodeJS.WritableStream;
}

/** appSchema is the app's config: the shared base with its own default ports, plus its keys. */
function appSchema<S extends z.ZodRawShape>(spec: AppSpec<S>) {
  return appBaseConfig
    .extend({
      grpcPort: portSchema.default(spec.defaultPorts.grpc).describe('gRPC listen port (0 = any free port)'),
      httpPort: portSchema.default(spec.defaultPorts.http).describe('HTTP port for /healthz and /metrics (0 = any)'),
    })
    .extend(spec.config ?? ({} as S));
}

/** nestLogger forwards NestJS's own log lines into the app's pino logger. */
function nestLogger(logger: Logger): LoggerService {
  const child = logger.child({ component: 'nest' });
  return {
    log: (message: unknown) => child.debug(String(message)),
    error: (message: unknown) => child.error(String(message)),
    warn: (message: unknown) => child.warn(String(message)),
    debug: (message: unknown) => child.trace(String(message)),
    verbose: (message: unknown) => child.trace(String(message)),
  };
}

/**
 * bootstrapApp starts one Shoal process from its spec: config (flags over `SHOAL_*` env over
 * defaults), logger, metrics registry, the gRPC server (health plus the app's services), the
 * HTTP server (`/healthz`, `/metrics`), then the app's own work; health turns SERVING last.
 * Throws ConfigError for bad configuration, before anything listens.
 */
export async function bootstrapApp<S extends z.ZodRawShape>(
  spec: AppSpec<S>,
  options: BootstrapOptions = {},
): Promise<RunningApp> {
  const schema = appSchema(spec);
  const config = loadConfig(schema, { argv: options.argv, env: options.env }) as BaseAppConfig &
    z.infer<z.ZodObject<S>>;
  const logger = createLogger({ app: spec.app, level: config.logLevel, destination: options.logDestination });
  const metrics = createMetrics({ app: spec.app, version: SHOAL_VERSION });
  const health = new HealthState();
  const ctx: AppContext<typeof config> = { app: spec.app, version: SHOAL_VERSION, config, logger, metrics, health };

  const bindings = spec.grpcServices?.(ctx) ?? [];
  const security = spec.grpcSecurity?.(ctx);
  const serviceNames = bindings.map((b) => b.name);
  class ShoalAppModule {}
  Module({
    controllers: [HttpController, HealthGrpcController],
    providers: [
      { provide: APP_CONTEXT, useValue: ctx },
      { provide: APP_HEALTH, useValue: health },
      { provide: APP_METRICS, useValue: metrics },
      { provide: SERVICE_NAMES, useValue: serviceNames },
    ],
  })(ShoalAppModule);

  const app = await NestFactory.create(ShoalAppModule, { logger: nestLogger(logger), abortOnError: false });
  const strategy = new ShoalGrpcStrategy(
    {
      url: `${config.host}:${config.grpcPort}`,
      package: ['grpc.health.v1'],
      packageDefinition: { 'grpc.health.v1.Health': HealthService },
    },
    {
      metrics,
      logger,
      credentials: security?.credentials ?? ServerCredentials.createInsecure(),
      interceptors: security?.interceptors,
      bindings,
    },
  );
  app.connectMicroservice({ strategy }, { inheritAppConfig: true });
  await app.init();
  await app.startAllMicroservices();
  await app.listen(config.httpPort, config.host);
  const httpPort = (app.getHttpServer().address() as AddressInfo).port;

  const work = await startWork(spec, ctx, app);
  health.set('SERVING');
  logger.info({ grpcPort: strategy.boundPort, httpPort, version: SHOAL_VERSION }, 'listening');
  return { ctx, grpcPort: strategy.boundPort, httpPort, close: closer(ctx, app, work) };
}

async function startWork<S extends z.ZodRawShape>(
  spec: AppSpec<S>,
  ctx: AppContext<BaseAppConfig & z.infer<z.ZodObject<S>>>,
  app: INestApplication,
): Promise<Stoppable | undefined> {
  try {
    return (await spec.start?.(ctx)) ?? undefined;
  } catch (err) {
    await app.close();
    throw err;
  }
}

function closer(ctx: AppContext, app: INestApplication, work: Stoppable | undefined) {
  let closing: Promise<void> | undefined;
  return (): Promise<void> => {
    closing ??= (async () => {
      ctx.health.set('NOT_SERVING');
      ctx.logger.info('stopping');
      await work?.stop();
      await app.close();
      ctx.logger.info('stopped');
    })();
    return closing;
  };
}

/**
 * runMain is every app's `main`: `--help` prints the config reference; a bad config prints
 * a readable error and exits 2; SIGTERM or SIGINT closes the app and exits 0; a failure to
 * start is logged and exits 1. It never prints a stack trace for an expected failure.
 */
export async function runMain<S extends z.ZodRawShape>(spec: AppSpec<S>): Promise<void> {
  const argv = process.argv.slice(2);
  if (wantsHelp(argv)) {
    process.stdout.write(`shoal ${spec.app}: ${spec.summary}\n\n${describeConfig(appSchema(spec))}\n`);
    return;
  }
  let running: RunningApp;
  try {
    running = await bootstrapApp(spec, { argv });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`shoal ${spec.app}: ${err.message}\nRun with --help for the options.\n`);
      process.exit(2);
    }
    process.stderr.write(`shoal ${spec.app}: failed to start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  onShutdownSignals(() => running.close(), running.ctx.logger);
}
