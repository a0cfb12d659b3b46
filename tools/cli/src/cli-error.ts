// Errors the CLI reports to the operator as one message and an exit code, without a stack.

/** EXIT_USAGE is the exit code of bad flags or arguments (as BSD sysexits EX_USAGE). */
export const EXIT_USAGE = 64;
/** EXIT_REFUSED is the exit code of a refusal, e.g. overwriting a cluster without --force. */
export const EXIT_REFUSED = 1;

/** CliError is a failure whose message is for the operator; `exitCode` is the process's. */
export class CliError extends Error {
  override readonly name = 'CliError';

  /** Creates the error with its operator-facing message and exit code. */
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
