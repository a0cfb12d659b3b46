// Small helpers for the dispatcher's server streams.
import type { ServerWritableStream } from '@grpc/grpc-js';
import { toGrpcError } from '@shoal/grpc';
import type { Logger } from '@shoal/logging';

/** AnyStream is a server-streaming call of any request and response types. */
export type AnyStream<Req, Res> = ServerWritableStream<Req, Res>;

/** isOpen reports whether a server stream can still be written. */
export function isOpen<Req, Res>(call: AnyStream<Req, Res>): boolean {
  return !call.cancelled && !call.writableEnded && !call.destroyed;
}

/** endWithError ends an open stream with the status `err` maps to (no-op once over). */
export function endWithError<Req, Res>(call: AnyStream<Req, Res>, err: unknown, logger?: Logger): void {
  if (!isOpen(call)) return;
  call.emit('error', toGrpcError(err, logger));
}

/** onStreamGone calls `fn` once when the client cancels or the stream closes. */
export function onStreamGone<Req, Res>(call: AnyStream<Req, Res>, fn: () => void): void {
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    fn();
  };
  call.on('cancelled', once);
  call.on('close', once);
  call.on('finish', once);
}

/** peerHost returns the IP of a grpc-js peer string (`ipv4:1.2.3.4:5`, `[::1]:5`, ...). */
export function peerHost(peer: string): string {
  const bare = peer.replace(/^ipv[46]:/, '');
  const v6 = /^\[([^\]]+)\]:\d+$/.exec(bare);
  if (v6 !== null) return v6[1] ?? '';
  const idx = bare.lastIndexOf(':');
  return idx > 0 ? bare.slice(0, idx) : bare;
}
