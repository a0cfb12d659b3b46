import { Metadata, status as GrpcStatus, type StatusObject } from '@grpc/grpc-js';
import { AssertionFailure } from '@shoal/assert';
import {
  errorCodeForGrpcStatus,
  grpcStatusFor,
  isShoalError,
  ShoalError,
  type ErrorDetails,
} from '@shoal/errors';
import type { Logger } from '@shoal/logging';

/** ERROR_CODE_METADATA_KEY carries the precise ErrorCode beside the coarser gRPC status. */
export const ERROR_CODE_METADATA_KEY = 'shoal-error-code';

/** ERROR_DETAILS_METADATA_KEY carries a ShoalError's details as a JSON object of strings. */
export const ERROR_DETAILS_METADATA_KEY = 'shoal-error-details';

/** INTERNAL_ERROR_MESSAGE is all a client learns about an unexpected server failure. */
export const INTERNAL_ERROR_MESSAGE = 'internal error';

/**
 * statusName returns the gRPC status name for a numeric code (`5` → `NOT_FOUND`), used as
 * the `code` metric label; unknown numbers render as `UNKNOWN_<n>`.
 */
export function statusName(code: number): string {
  const name = (GrpcStatus as unknown as Record<number, string | undefined>)[code];
  return name ?? `UNKNOWN_${code}`;
}

/**
 * toGrpcError maps any thrown value to the status a handler returns, in one place.
 *
 * Contract: a ShoalError keeps its message and becomes `grpcStatusFor(code)`, with the exact
 * code and details in metadata. Anything else becomes INTERNAL with the generic message
 * "internal error" and is logged (with its stack) on `logger`; the client never sees a stack
 * trace or an internal message.
 */
export function toGrpcError(err: unknown, logger?: Logger): Partial<StatusObject> {
  if (isShoalError(err)) {
    const metadata = new Metadata();
    metadata.set(ERROR_CODE_METADATA_KEY, err.code);
    if (err.details !== undefined) {
      metadata.set(ERROR_DETAILS_METADATA_KEY, JSON.stringify(err.details));
    }
    if (err.code === 'INTERNAL') logger?.error({ err }, 'internal error in gRPC handler');
    return { code: grpcStatusFor(err.code), details: err.message, metadata };
  }
  logger?.error({ err }, 'unexpected error in gRPC handler');
  return { code: GrpcStatus.INTERNAL, details: INTERNAL_ERROR_MESSAGE, metadata: new Metadata() };
}

/** Reads a ShoalError's details back from metadata, ignoring anything malformed. */
function detailsFrom(metadata: Metadata | undefined): ErrorDetails | undefined {
  const raw = metadata?.get(ERROR_DETAILS_METADATA_KEY)[0];
  if (typeof raw !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    const entries = Object.entries(parsed).filter((e): e is [string, string] => {
      return typeof e[1] === 'string';
    });
    return Object.fromEntries(entries);
  } catch {
    return undefined;
  }
}

/**
 * fromGrpcError turns a failed call's error (a grpc-js ServiceError, or any status-shaped
 * object) back into a ShoalError with the precise code the server sent, so client code
 * branches on `code` exactly as server code does. Non-status values become INTERNAL, with
 * the original as `cause`.
 */
export function fromGrpcError(err: unknown): ShoalError {
  if (isShoalError(err)) return err;
  const candidate = err as Partial<StatusObject> | null;
  if (candidate === null || typeof candidate !== 'object' || typeof candidate.code !== 'number') {
    return ShoalError.internal(INTERNAL_ERROR_MESSAGE, { cause: err });
  }
  const metadata = candidate.metadata instanceof Metadata ? candidate.metadata : undefined;
  const hint = metadata?.get(ERROR_CODE_METADATA_KEY)[0];
  const message = candidate.details ?? '';
  const code = errorCodeForGrpcStatus(
    candidate.code,
    message,
    typeof hint === 'string' ? hint : undefined,
  );
  return new ShoalError(code, message, detailsFrom(metadata), { cause: err });
}

/**
 * isAssertionFailure reports whether `err` is a broken programmer invariant, which Shoal
 * never turns into a response: it must crash the process (style guide §22).
 */
export function isAssertionFailure(err: unknown): err is AssertionFailure {
  return err instanceof AssertionFailure;
}
