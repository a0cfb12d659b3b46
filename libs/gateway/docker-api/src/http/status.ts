// One place that maps Shoal's error codes to the HTTP statuses dockerd uses.
import { assertNever } from '@shoal/assert';
import type { ErrorCode } from '@shoal/errors';

/**
 * httpStatusFor maps an ErrorCode to the status dockerd returns for the same failure (its
 * gRPC-to-HTTP table: invalid 400, not found 404, conflict 409, unavailable 503, ...).
 * Deviations, on purpose: a stale version ("update out of sequence") is 409 Conflict, not
 * dockerd's 500; a deadline that ran out is 503, since it means the store did not answer.
 */
export function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case 'INVALID_ARGUMENT':
    case 'FAILED_PRECONDITION':
      return 400;
    case 'UNAUTHENTICATED':
      return 401;
    case 'PERMISSION_DENIED':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'ALREADY_EXISTS':
    case 'NAME_CONFLICT':
    case 'SEQUENCE_CONFLICT':
      return 409;
    case 'UNIMPLEMENTED':
      return 501;
    case 'UNAVAILABLE':
    case 'NOT_LEADER':
    case 'DEADLINE_EXCEEDED':
      return 503;
    case 'RESOURCE_EXHAUSTED':
    case 'CANCELLED':
    case 'COMPACTED':
    case 'INTERNAL':
      return 500;
    default:
      return assertNever(code, 'error code');
  }
}
