import type { Logger } from '@shoal/logging';

/** ShutdownSignal is a signal that asks a Shoal process to stop. */
export type ShutdownSignal = 'SIGTERM' | 'SIGINT';

/**
 * ShutdownOptions tune {@link onShutdownSignals}. `exit` defaults to `process.exit` (tests
 * inject a spy); `signals` defaults to SIGTERM and SIGINT.
 */
export interface ShutdownOptions {
  readonly exit?: (code: number) => void;
  readonly signals?: readonly ShutdownSignal[];
}

/** Conventional exit codes for a process ended by a signal: 128 + signal number. */
const SIGNAL_EXIT_CODES: Readonly<Record<ShutdownSignal, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * onShutdownSignals runs `handler` once, on the first SIGTERM or SIGINT, for a graceful
 * shutdown, and returns a disposer that removes the listeners.
 *
 * Contract: when the handler resolves the process exits 0, when it rejects the error is
 * logged and the process exits 1 (the handler may also exit by itself). A second signal
 * while the handler runs is logged and exits at once with 128 + signal number. The handler
 * should bound its own work (e.g. `shutdownGraceMs`).
 */
export function onShutdownSignals(
  handler: (signal: ShutdownSignal) => Promise<void>,
  logger?: Logger,
  options: ShutdownOptions = {},
): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? (['SIGTERM', 'SIGINT'] as const);
  let stopping = false;
  const listener = (signal: ShutdownSignal): void => {
    if (stopping) {
      logger?.warn({ signal }, 'second shutdown signal: exiting now');
      exit(SIGNAL_EXIT_CODES[signal]);
      return;
    }
    stopping = true;
    logger?.info({ signal }, 'shutting down');
    handler(signal).then(
      () => exit(0),
      (err: unknown) => {
        logger?.error({ err, signal }, 'shutdown failed');
        exit(1);
      },
    );
  };
  // One listener per signal, so the handler learns which signal arrived whatever the emitter
  // passes as arguments.
  const bound = signals.map((signal) => [signal, () => listener(signal)] as const);
  for (const [signal, fn] of bound) process.on(signal, fn);
  return () => {
    for (const [signal, fn] of bound) process.off(signal, fn);
  };
}
