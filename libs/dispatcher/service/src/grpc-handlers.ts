// The Dispatcher gRPC service bound to a Dispatcher: authentication per call, errors mapped
// to statuses in one place.
import type { ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import { wrapUnary } from '@shoal/grpc';
import type { Logger } from '@shoal/logging';
import type {
  AssignmentsRequest,
  AssignmentsResponse,
  HeartbeatRequest,
  SessionRequest,
  SessionResponse,
  UpdateTaskStatusRequest,
} from '@shoal/proto';
import type { Dispatcher } from './dispatcher';
import { nodeIdentity } from './identity';
import { endWithError, peerHost } from './streams';

/** DispatcherHandlerOptions: whether the test node header is trusted (tests only). */
export interface DispatcherHandlerOptions {
  readonly allowTestIdentity: boolean;
  readonly logger: Logger;
}

function serveStream<Req, Res>(call: ServerWritableStream<Req, Res>, logger: Logger, body: () => void): void {
  try {
    body();
  } catch (err) {
    endWithError(call, err, logger);
  }
}

/**
 * dispatcherGrpcHandlers returns the implementation of `DispatcherService` (keys lowerCamel).
 * Every call is authenticated first (certificate, or the test header when allowed).
 */
export function dispatcherGrpcHandlers(dispatcher: Dispatcher, opts: DispatcherHandlerOptions):
  UntypedServiceImplementation {
  const who = (call: Parameters<typeof nodeIdentity>[0]): string => nodeIdentity(call, opts.allowTestIdentity).nodeId;
  return {
    session: (call: ServerWritableStream<SessionRequest, SessionResponse>) => serveStream(call, opts.logger,
      () => dispatcher.openSession(who(call), call.request, peerHost(call.getPeer()), call)),
    heartbeat: wrapUnary<HeartbeatRequest, unknown>((request, call) =>
      dispatcher.heartbeat(who(call), request.sessionId), { logger: opts.logger }),
    updateTaskStatus: wrapUnary<UpdateTaskStatusRequest, unknown>((request, call) => {
      dispatcher.updateTaskStatus(who(call), request);
      return {};
    }, { logger: opts.logger }),
    assignments: (call: ServerWritableStream<AssignmentsRequest, AssignmentsResponse>) => serveStream(call, opts.logger,
      () => dispatcher.openAssignments(who(call), call.request, call)),
  };
}
