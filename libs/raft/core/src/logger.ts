/**
 * The logging port of the raft core. The core never writes to a console or a file: it calls
 * an injected RaftLogger, which the shell routes to its structured logger and tests capture.
 */

/** RaftLogger receives the core's diagnostic lines; every method must return promptly. */
export interface RaftLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** NOOP_LOGGER discards everything; it is the default when Config.logger is unset. */
export const NOOP_LOGGER: RaftLogger = Object.freeze({
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
});
