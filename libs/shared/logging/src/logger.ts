import pino from 'pino';

/** Logger is the process logger type (pino's), re-exported so apps need no pino import. */
export type Logger = pino.Logger;

/** LogDestination is anything pino can write JSON lines to (a stream or pino.destination). */
export type LogDestination = pino.DestinationStream;

/**
 * LoggerOptions configure {@link createLogger}.
 * - `app`: the service name, written as `app` on every line.
 * - `level`: minimum level (pino names; default 'info').
 * - `destination`: where lines go (default: stdout, synchronously).
 * - `base`: extra fields on every line, e.g. `{ nodeId }`.
 */
export interface LoggerOptions {
  readonly app: string;
  readonly level?: string;
  readonly destination?: LogDestination;
  readonly base?: Readonly<Record<string, unknown>>;
}

/**
 * REDACTED_PATHS are field paths whose values never reach the log: join tokens, keys and
 * passwords, at the top level or one object down.
 */
export const REDACTED_PATHS: readonly string[] = Object.freeze(
  ['password', 'token', 'joinToken', 'secret', 'privateKey', 'unlockKey', 'authorization'].flatMap(
    (field) => [field, `*.${field}`],
  ),
);

/**
 * createLogger returns a pino logger writing one JSON object per line, with `level` as a
 * label ("info"), an ISO-8601 `time`, `app`, `pid`, any `base` fields, `err` serialised with
 * its stack, and {@link REDACTED_PATHS} censored.
 *
 * Contract: one root logger per process; components get `childLogger(root, 'scheduler')`.
 * An unknown level throws (pino's own check), so validate it in config first.
 */
export function createLogger(opts: LoggerOptions): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level ?? 'info',
    base: { app: opts.app, pid: process.pid, ...opts.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
  };
  return opts.destination === undefined ? pino(options) : pino(options, opts.destination);
}

/**
 * childLogger returns a logger that adds `component` to every line, plus any `bindings`.
 * Use one per loop, adapter or RPC service so lines can be filtered by component.
 */
export function childLogger(
  logger: Logger,
  component: string,
  bindings: Readonly<Record<string, unknown>> = {},
): Logger {
  return logger.child({ component, ...bindings });
}

/** silentLogger returns a logger that writes nothing, for tests and optional wiring. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
