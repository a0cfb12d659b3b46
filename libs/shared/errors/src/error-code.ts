import { assertNever } from '@shoal/assert';

/**
 * ErrorCode is the stable, wire-visible classification of every expected Shoal failure.
 * Callers branch on it, never on messages. Each maps to exactly one gRPC status
 * ({@link grpcStatusFor}); several codes share a status, and the precise code travels in
 * metadata so the client can recover it ({@link errorCodeForGrpcStatus}).
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'NAME_CONFLICT'
  | 'SEQUENCE_CONFLICT'
  | 'FAILED_PRECONDITION'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAVAILABLE'
  | 'NOT_LEADER'
  | 'DEADLINE_EXCEEDED'
  | 'CANCELLED'
  | 'COMPACTED'
  | 'UNIMPLEMENTED'
  | 'INTERNAL';

/** ERROR_CODES lists every {@link ErrorCode}, for validation and exhaustive tests. */
export const ERROR_CODES: readonly ErrorCode[] = Object.freeze([
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'NAME_CONFLICT',
  'SEQUENCE_CONFLICT',
  'FAILED_PRECONDITION',
  'PERMISSION_DENIED',
  'UNAUTHENTICATED',
  'RESOURCE_EXHAUSTED',
  'UNAVAILABLE',
  'NOT_LEADER',
  'DEADLINE_EXCEEDED',
  'CANCELLED',
  'COMPACTED',
  'UNIMPLEMENTED',
  'INTERNAL',
]);

/**
 * GRPC_STATUS names the numeric gRPC status codes Shoal uses (the values of grpc-js's
 * `status` enum, repeated here so core code needs no gRPC import).
 */
export const GRPC_STATUS = Object.freeze({
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
});

/** isErrorCode reports whether `s` is one of the {@link ERROR_CODES}. */
export function isErrorCode(s: unknown): s is ErrorCode {
  return typeof s === 'string' && (ERROR_CODES as readonly string[]).includes(s);
}

/**
 * grpcStatusFor maps an ErrorCode to its numeric gRPC status; this is the one place the
 * mapping lives (style guide §23). NAME_CONFLICT shares ALREADY_EXISTS, SEQUENCE_CONFLICT and
 * COMPACTED share FAILED_PRECONDITION, and NOT_LEADER shares UNAVAILABLE (so clients retry).
 */
export function grpcStatusFor(code: ErrorCode): number {
  switch (code) {
    case 'INVALID_ARGUMENT':
      return GRPC_STATUS.INVALID_ARGUMENT;
    case 'NOT_FOUND':
      return GRPC_STATUS.NOT_FOUND;
    case 'ALREADY_EXISTS':
    case 'NAME_CONFLICT':
      return GRPC_STATUS.ALREADY_EXISTS;
    case 'SEQUENCE_CONFLICT':
    case 'FAILED_PRECONDITION':
    case 'COMPACTED':
      return GRPC_STATUS.FAILED_PRECONDITION;
    case 'PERMISSION_DENIED':
      return GRPC_STATUS.PERMISSION_DENIED;
    case 'UNAUTHENTICATED':
      return GRPC_STATUS.UNAUTHENTICATED;
    case 'RESOURCE_EXHAUSTED':
      return GRPC_STATUS.RESOURCE_EXHAUSTED;
    case 'UNAVAILABLE':
    case 'NOT_LEADER':
      return GRPC_STATUS.UNAVAILABLE;
    case 'DEADLINE_EXCEEDED':
      return GRPC_STATUS.DEADLINE_EXCEEDED;
    case 'CANCELLED':
      return GRPC_STATUS.CANCELLED;
    case 'UNIMPLEMENTED':
      return GRPC_STATUS.UNIMPLEMENTED;
    case 'INTERNAL':
      return GRPC_STATUS.INTERNAL;
    default:
      return assertNever(code, 'error code');
  }
}

/** The code a bare status maps to when no finer code was sent along. */
const CODE_BY_STATUS: ReadonlyMap<number, ErrorCode> = new Map<number, ErrorCode>([
  [GRPC_STATUS.CANCELLED, 'CANCELLED'],
  [GRPC_STATUS.INVALID_ARGUMENT, 'INVALID_ARGUMENT'],
  [GRPC_STATUS.OUT_OF_RANGE, 'INVALID_ARGUMENT'],
  [GRPC_STATUS.DEADLINE_EXCEEDED, 'DEADLINE_EXCEEDED'],
  [GRPC_STATUS.NOT_FOUND, 'NOT_FOUND'],
  [GRPC_STATUS.ALREADY_EXISTS, 'ALREADY_EXISTS'],
  [GRPC_STATUS.PERMISSION_DENIED, 'PERMISSION_DENIED'],
  [GRPC_STATUS.RESOURCE_EXHAUSTED, 'RESOURCE_EXHAUSTED'],
  [GRPC_STATUS.FAILED_PRECONDITION, 'FAILED_PRECONDITION'],
  [GRPC_STATUS.ABORTED, 'FAILED_PRECONDITION'],
  [GRPC_STATUS.UNIMPLEMENTED, 'UNIMPLEMENTED'],
  [GRPC_STATUS.UNAVAILABLE, 'UNAVAILABLE'],
  [GRPC_STATUS.UNAUTHENTICATED, 'UNAUTHENTICATED'],
]);

/**
 * errorCodeForGrpcStatus is the inverse of {@link grpcStatusFor}, used on the client side.
 *
 * Contract: if `hint` (the `shoal-error-code` metadata value) is a known code whose status is
 * `status`, it wins. Otherwise well-known messages refine a shared status ("update out of
 * sequence" → SEQUENCE_CONFLICT, "not the leader…" → NOT_LEADER); otherwise each status maps
 * to its primary code, and OK, UNKNOWN, INTERNAL, DATA_LOSS or an unknown number → INTERNAL.
 */
export function errorCodeForGrpcStatus(status: number, message?: string, hint?: string): ErrorCode {
  if (isErrorCode(hint) && grpcStatusFor(hint) === status) return hint;
  if (status === GRPC_STATUS.FAILED_PRECONDITION && message === SEQUENCE_CONFLICT_MESSAGE) {
    return 'SEQUENCE_CONFLICT';
  }
  if (status === GRPC_STATUS.UNAVAILABLE && message?.startsWith(NOT_LEADER_MESSAGE)) {
    return 'NOT_LEADER';
  }
  return CODE_BY_STATUS.get(status) ?? 'INTERNAL';
}

/** SEQUENCE_CONFLICT_MESSAGE is SwarmKit's exact text for a stale `meta.version` update. */
export const SEQUENCE_CONFLICT_MESSAGE = 'update out of sequence';

/** NOT_LEADER_MESSAGE starts every not-leader error's message. */
export const NOT_LEADER_MESSAGE = 'not the leader';

/**
 * isTransientCode reports whether a failure with this code may succeed if retried unchanged
 * after a backoff (the leader may move, a deadline may have been a blip). Everything else is
 * permanent until the request or the state changes.
 */
export function isTransientCode(code: ErrorCode): boolean {
  return code === 'UNAVAILABLE' || code === 'NOT_LEADER' || code === 'DEADLINE_EXCEEDED';
}
