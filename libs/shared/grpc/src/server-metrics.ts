import {
  ResponderBuilder,
  ServerInterceptingCall,
  ServerListenerBuilder,
  status as GrpcStatus,
  type ServerInterceptor,
} from '@grpc/grpc-js';
import type { Logger } from '@shoal/logging';
import type { Metrics } from '@shoal/metrics';
import { statusName } from './status';

/** MethodName is a call's service and method, parsed from its path `/pkg.Service/Method`. */
export interface MethodName {
  readonly service: string;
  readonly method: string;
}

/** parseMethodPath splits `/shoal.v1.Store/Get` into service and method names. */
export function parseMethodPath(path: string): MethodName {
  const trimmed = path.startsWith('/') ? path.slice(1) : path;
  const slash = trimmed.lastIndexOf('/');
  if (slash === -1) return { service: 'unknown', method: trimmed };
  return { service: trimmed.slice(0, slash), method: trimmed.slice(slash + 1) };
}

/** How close to its deadline a cancelled call counts as having hit the deadline. */
const DEADLINE_SLACK_MS = 100;

/** Milliseconds until a grpc-js deadline, or undefined when the call has none. */
function msUntil(deadline: Date | number): number | undefined {
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/**
 * serverMetricsInterceptor records every call exactly once, when it ends:
 * `shoal_grpc_server_handled_total{service,method,code}` and
 * `shoal_grpc_server_handling_seconds{service,method}` (grpc-ecosystem naming).
 *
 * Contract: the code is the status the handler sent; a call the client cancels counts as
 * CANCELLED, and a call still running at its deadline counts as DEADLINE_EXCEEDED (grpc-js
 * answers those itself, bypassing interceptors). Non-OK endings are logged at debug, and
 * INTERNAL/UNKNOWN at warn.
 */
export function serverMetricsInterceptor(metrics: Metrics, logger?: Logger): ServerInterceptor {
  const handled = metrics.counter('grpc_server_handled_total', 'RPCs completed on the server', [
    'service',
    'method',
    'code',
  ]);
  const seconds = metrics.histogram(
    'grpc_server_handling_seconds',
    'Time from call start to status on the server',
    ['service', 'method'],
  );
  return (descriptor, call) => {
    const { service, method } = parseMethodPath(descriptor.path);
    const stopTimer = seconds.startTimer({ service, method });
    let done = false;
    let deadlineTimer: NodeJS.Timeout | undefined;
    const finish = (code: number, details?: string): void => {
      if (done) return;
      done = true;
      if (deadlineTimer !== undefined) clearTimeout(deadlineTimer);
      stopTimer();
      handled.inc({ service, method, code: statusName(code) });
      if (code === GrpcStatus.OK) return;
      const level = code === GrpcStatus.INTERNAL || code === GrpcStatus.UNKNOWN ? 'warn' : 'debug';
      logger?.[level]({ service, method, code: statusName(code), details }, 'rpc failed');
    };
    const responder = new ResponderBuilder()
      .withStart((next) => {
        const waitMs = msUntil(call.getDeadline());
        if (waitMs !== undefined) {
          deadlineTimer = setTimeout(() => finish(GrpcStatus.DEADLINE_EXCEEDED), waitMs);
          deadlineTimer.unref();
        }
        // A client gives up at its deadline too (RST_STREAM), which can beat grpc-js's own
        // deadline timer by the network latency: a cancel that close to (or past) the
        // deadline counts as DEADLINE_EXCEEDED.
        const onCancel = (): void => {
          const remainingMs = msUntil(call.getDeadline());
          const expired = remainingMs !== undefined && remainingMs <= DEADLINE_SLACK_MS;
          finish(expired ? GrpcStatus.DEADLINE_EXCEEDED : GrpcStatus.CANCELLED);
        };
        next(new ServerListenerBuilder().withOnCancel(onCancel).build());
      })
      .withSendStatus((status, next) => {
        finish(status.code ?? GrpcStatus.UNKNOWN, status.details);
        next(status);
      })
      .build();
    return new ServerInterceptingCall(call, responder);
  };
}
