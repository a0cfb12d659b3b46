// Writing server streams with back-pressure, and ending them with mapped statuses.
import type { ServerWritableStream } from '@grpc/grpc-js';
import { assert } from '@shoal/assert';
import { isShoalError, ShoalError } from '@shoal/errors';
import { isAssertionFailure, toGrpcError } from '@shoal/grpc';
import type { Logger } from '@shoal/logging';

/** AnyServerStream is a server-streaming call of any request and response types. */
export type AnyServerStream<Req, Res> = ServerWritableStream<Req, Res>;

/** isOpen reports whether a server stream can still be written (not cancelled, not ended). */
export function isOpen<Req, Res>(call: AnyServerStream<Req, Res>): boolean {
  return !call.cancelled && !call.writableEnded && !call.destroyed;
}

/**
 * writeMessage writes one message and, when the stream's buffer is full (`write` returned
 * false), waits for 'drain' before resolving, so a slow client slows the producer instead of
 * growing memory. Rejects CANCELLED if the client goes away while waiting.
 */
export function writeMessage<Req, Res>(call: AnyServerStream<Req, Res>, message: Res): Promise<void> {
  if (!isOpen(call)) return Promise.reject(ShoalError.cancelled('the client went away'));
  if (call.write(message)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      call.off('cancelled', onCancel);
      resolve();
    };
    const onCancel = (): void => {
      call.off('drain', onDrain);
      reject(ShoalError.cancelled('the client went away'));
    };
    call.once('drain', onDrain);
    call.once('cancelled', onCancel);
  });
}

/**
 * endWithError ends a server stream with the status `toGrpcError` maps `err` to (after the
 * messages already written). No-op on a stream that is already over.
 */
export function endWithError<Req, Res>(
  call: AnyServerStream<Req, Res>,
  err: unknown,
  logger?: Logger,
): void {
  if (!isOpen(call)) return;
  call.emit('error', toGrpcError(err, logger));
}

/**
 * serveStream runs a streaming handler body: on success the stream ends OK; a thrown
 * ShoalError ends it with its status; a client cancel is silent; anything else is INTERNAL,
 * and an assertion failure is also re-thrown on the next tick (it must crash the process).
 */
export function serveStream<Req, Res>(
  call: AnyServerStream<Req, Res>,
  logger: Logger,
  body: () => Promise<void>,
): void {
  body().then(
    () => {
      if (isOpen(call)) call.end();
    },
    (err: unknown) => {
      if (isShoalError(err, 'CANCELLED') && call.cancelled) return;
      endWithError(call, err, logger);
      if (isAssertionFailure(err)) {
        logger.fatal({ err }, 'assertion failed in a store stream');
        process.nextTick(() => {
          throw err;
        });
      }
    },
  );
}

/**
 * chunkBy cuts `items` into consecutive groups whose `sizeOf` sums stay within `maxBytes`
 * and whose length stays within `maxItems`; an item larger than `maxBytes` travels alone.
 * Always returns at least one (possibly empty) group.
 */
export function chunkBy<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  maxBytes: number,
  maxItems: number,
): T[][] {
  assert(maxBytes > 0 && maxItems > 0, 'chunks hold something');
  const chunks: T[][] = [];
  let chunk: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (chunk.length > 0 && (chunk.length >= maxItems || bytes + size > maxBytes)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(item);
    bytes += size;
  }
  chunks.push(chunk);
  assert(chunks.reduce((n, c) => n + c.length, 0) === items.length, 'every item is sent');
  return chunks;
}
