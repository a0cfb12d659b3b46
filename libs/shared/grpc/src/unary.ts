import type { handleUnaryCall, ServerUnaryCall } from '@grpc/grpc-js';
import type { Logger } from '@shoal/logging';
import { isAssertionFailure, toGrpcError } from './status';

/** UnaryHandler is a unary RPC's logic: take the request, return (or resolve) the response. */
export type UnaryHandler<Req, Res> = (
  request: Req,
  call: ServerUnaryCall<Req, Res>,
) => Promise<Res> | Res;

/**
 * WrapOptions tune {@link wrapUnary}. `onAssertionFailure` defaults to re-throwing on the
 * next tick, which crashes the process as the style guide requires; tests may override it.
 */
export interface WrapOptions {
  readonly logger?: Logger;
  readonly onAssertionFailure?: (err: Error) => void;
}

function crash(err: Error): void {
  process.nextTick(() => {
    throw err;
  });
}

/**
 * wrapUnary adapts an async handler to grpc-js's callback style: a returned value is sent as
 * the response, and a thrown or rejected error becomes its mapped status via `toGrpcError`
 * (ShoalError → its status; anything else → INTERNAL, logged).
 *
 * Contract: the callback is called exactly once. An AssertionFailure is answered INTERNAL,
 * logged as fatal, then handed to `onAssertionFailure` (default: crash the process).
 */
export function wrapUnary<Req, Res>(
  handler: UnaryHandler<Req, Res>,
  options: WrapOptions = {},
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => handler(call.request, call))
      .then(
        (response) => callback(null, response),
        (err: unknown) => {
          const broken = isAssertionFailure(err);
          callback(toGrpcError(err, broken ? undefined : options.logger));
          if (broken) {
            options.logger?.fatal({ err }, 'assertion failed in gRPC handler');
            (options.onAssertionFailure ?? crash)(err);
          }
        },
      );
  };
}
