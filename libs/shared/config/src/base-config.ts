import { z } from 'zod';

/** LOG_LEVELS are the pino levels a Shoal process accepts, most to least severe. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** LogLevel is one of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** portSchema accepts a TCP port number; 0 asks the OS for a free port. */
export const portSchema = z.number().int().min(0).max(65535);

/** logLevelSchema accepts one of {@link LOG_LEVELS}. */
export const logLevelSchema = z.enum(LOG_LEVELS);

/** durationMsSchema accepts a non-negative whole number of milliseconds. */
export const durationMsSchema = z.number().int().min(0);

/**
 * appBaseConfig holds the settings every Shoal process has. Apps extend it and override
 * per-app defaults, e.g. `appBaseConfig.extend({ grpcPort: portSchema.default(4242) })`.
 * Fields:
 * - `host`: interface the gRPC and HTTP listeners bind to (default 127.0.0.1, loopback only).
 * - `grpcPort`: gRPC listen port (default 0: the OS picks; real apps override it).
 * - `httpPort`: HTTP port for /metrics and /healthz (default 0: the OS picks).
 * - `logLevel`: minimum pino level written (default info).
 * - `stateDir`: directory for durable state; unset for stateless services.
 * - `shutdownGraceMs`: how long shutdown waits for in-flight work before forcing (10 s).
 */
export const appBaseConfig = z.object({
  host: z.string().min(1).default('127.0.0.1').describe('Interface to listen on'),
  grpcPort: portSchema.default(0).describe('gRPC listen port (0 = any free port)'),
  httpPort: portSchema.default(0).describe('HTTP port for /metrics and /healthz (0 = any)'),
  logLevel: logLevelSchema.default('info').describe('Minimum log level'),
  stateDir: z.string().min(1).optional().describe('Directory for durable state'),
  shutdownGraceMs: durationMsSchema
    .default(10_000)
    .describe('Milliseconds to drain in-flight work on shutdown before forcing'),
});

/** AppBaseConfig is the parsed type of {@link appBaseConfig}. */
export type AppBaseConfig = z.infer<typeof appBaseConfig>;
