import {
  grpcStatusFor,
  NOT_LEADER_MESSAGE,
  SEQUENCE_CONFLICT_MESSAGE,
  type ErrorCode,
} from './error-code';

/**
 * ErrorDetails are small string facts about a failure (object kind, id, leader address)
 * that travel with the error, also over gRPC metadata. Never put secrets here.
 */
export type ErrorDetails = Readonly<Record<string, string>>;

/**
 * ShoalError is an expected, classified failure: a domain outcome or an I/O failure that
 * crosses a service boundary. It carries a stable {@link ErrorCode}, a human message safe to
 * show to clients, and optional {@link ErrorDetails}. Programmer errors are not ShoalErrors;
 * they fail an assert.
 *
 * Contract: construct through the static helpers so messages stay uniform; the gRPC edge maps
 * `code` with grpcStatusFor and never sends `cause` or the stack.
 */
export class ShoalError extends Error {
  override readonly name = 'ShoalError';

  /** Creates an error with an explicit code; prefer the named static constructors. */
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** grpcStatus is the numeric gRPC status this error maps to. */
  get grpcStatus(): number {
    return grpcStatusFor(this.code);
  }

  /** invalidArgument: the request is malformed or fails validation (gRPC 3). */
  static invalidArgument(message: string, details?: ErrorDetails): ShoalError {
    return new ShoalError('INVALID_ARGUMENT', message, details);
  }

  /** notFound: no `kind` object has this id, e.g. "service abc not found" (gRPC 5). */
  static notFound(kind: string, id: string): ShoalError {
    return new ShoalError('NOT_FOUND', `${kind} ${id} not found`, { kind, id });
  }

  /** alreadyExists: an object with this id exists already (gRPC 6). */
  static alreadyExists(kind: string, id: string): ShoalError {
    return new ShoalError('ALREADY_EXISTS', `${kind} ${id} already exists`, { kind, id });
  }

  /** nameConflict: another `kind` object already uses this name (gRPC 6). */
  static nameConflict(kind: string, name: string): ShoalError {
    const message = `name conflicts with an existing object: ${kind} ${name} already exists`;
    return new ShoalError('NAME_CONFLICT', message, { kind, name });
  }

  /** sequenceConflict: the update's version is stale; message "update out of sequence" (9). */
  static sequenceConflict(): ShoalError {
    return new ShoalError('SEQUENCE_CONFLICT', SEQUENCE_CONFLICT_MESSAGE);
  }

  /** failedPrecondition: the system is not in a state that allows the request (gRPC 9). */
  static failedPrecondition(message: string, details?: ErrorDetails): ShoalError {
    return new ShoalError('FAILED_PRECONDITION', message, details);
  }

  /** compacted: a watch or read asked for history older than what is kept (gRPC 9). */
  static compacted(requestedVersion: number | bigint, oldestVersion?: number | bigint): ShoalError {
    const details: Record<string, string> = { requestedVersion: String(requestedVersion) };
    if (oldestVersion !== undefined) details['oldestVersion'] = String(oldestVersion);
    const message = `version ${requestedVersion} has been compacted`;
    return new ShoalError('COMPACTED', message, details);
  }

  /** permissionDenied: the caller is known but not allowed, e.g. a foreign task (gRPC 7). */
  static permissionDenied(message: string): ShoalError {
    return new ShoalError('PERMISSION_DENIED', message);
  }

  /** unauthenticated: the caller's identity is missing or invalid (gRPC 16). */
  static unauthenticated(message: string): ShoalError {
    return new ShoalError('UNAUTHENTICATED', message);
  }

  /** resourceExhausted: a named limit would be exceeded (gRPC 8). */
  static resourceExhausted(message: string, details?: ErrorDetails): ShoalError {
    return new ShoalError('RESOURCE_EXHAUSTED', message, details);
  }

  /** unavailable: a dependency is down or the service is stopping; retry later (gRPC 14). */
  static unavailable(message: string, options?: { cause?: unknown }): ShoalError {
    return new ShoalError('UNAVAILABLE', message, undefined, options);
  }

  /** notLeader: this replica cannot serve writes; `leaderHint` names the leader if known (14). */
  static notLeader(leaderHint?: string): ShoalError {
    if (leaderHint === undefined) return new ShoalError('NOT_LEADER', NOT_LEADER_MESSAGE);
    const message = `${NOT_LEADER_MESSAGE}; leader is ${leaderHint}`;
    return new ShoalError('NOT_LEADER', message, { leader: leaderHint });
  }

  /** deadlineExceeded: the operation ran out of time (gRPC 4). */
  static deadlineExceeded(message: string): ShoalError {
    return new ShoalError('DEADLINE_EXCEEDED', message);
  }

  /** cancelled: the caller or shutdown cancelled the operation (gRPC 1). */
  static cancelled(message = 'operation cancelled'): ShoalError {
    return new ShoalError('CANCELLED', message);
  }

  /** unimplemented: the operation is not supported by this service (gRPC 12). */
  static unimplemented(message: string): ShoalError {
    return new ShoalError('UNIMPLEMENTED', message);
  }

  /** internal: an unexpected failure; `message` must be safe for clients (gRPC 13). */
  static internal(message = 'internal error', options?: { cause?: unknown }): ShoalError {
    return new ShoalError('INTERNAL', message, undefined, options);
  }
}

/**
 * isShoalError reports whether `err` is a {@link ShoalError}, optionally with the given code.
 * Use it instead of `instanceof` at boundaries where duplicated module copies are possible.
 */
export function isShoalError(err: unknown, code?: ErrorCode): err is ShoalError {
  if (!(err instanceof Error) || err.name !== 'ShoalError') return false;
  const candidate = err as Partial<ShoalError>;
  if (typeof candidate.code !== 'string') return false;
  return code === undefined || candidate.code === code;
}
