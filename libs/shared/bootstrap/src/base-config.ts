import { z } from 'zod';

/**
 * baseAppConfig is the configuration every Shoal app accepts, as `--flag` or `SHOAL_*`
 * environment variable (see `@shoal/config`). Port 0 asks the OS for a free port; the bound
 * ports are logged in the `listening` line.
 */
export const baseAppConfig = z.object({
  host: z.string().min(1).default('127.0.0.1').describe('address the gRPC and HTTP servers bind'),
  grpcPort: z.coerce.number().int().min(0).max(65535).optional()
    .describe('gRPC port (default: the app\'s own, see docs/design/architecture.md)'),
  httpPort: z.coerce.number().int().min(0).max(65535).optional()
    .describe('HTTP port for /healthz and /metrics (default: the app\'s own)'),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info')
    .describe('log level'),
  shutdownGraceMs: z.coerce.number().int().min(0).max(600_000).default(10_000)
    .describe('how long SIGTERM waits for in-flight work before closing connections'),
});
