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

/** MethodLabels are one method's label sets, built once per method path. */
interface MethodLabels {
  readonly name: MethodName;
  readonly byCode: Map<number, { service: string; method: string; code: string }>;
}

/**
 * serverMetricsInterceptor records every call exactly once, when it ends:
 * `shoal_grpc_server_handled_total{service,method,code}` and
 * `shoal_grpc_server_handling_seconds{service,method}` (grpc-ecosystem naming).
 *
 * Contract: the code is the status the handler sent; a call the client cancels counts as
 * CANCELLED, and a call still running at its deadline counts as DEADLINE_EXCEEDED (grpc-js
 * answers those itself, bypassing interceptors, then reports the call cancelled: a cancel at
 * or near the deadline counts as DEADLINE_EXCEEDED, so no timer is armed per call). Non-OK
 * endings are logged at debug, and INTERNAL/UNKNOWN at warn.
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
  const methods = new Map<string, MethodLabels>();
  const labelsOf = (path: string): MethodLabels => {
    let labels = methods.get(path);
    if (labels === undefined) {
      labels = { name: parseMethodPath(path), byCode: new Map() };
      methods.set(path, labels);
    }
    return labels;
  };
  const codeLabels = (labels: MethodLabels, code: number) => {
    let withCode = labels.byCode.get(code);
    if (withCode === undefined) {
      withCode = { ...labels.name, code: statusName(code) };
      labels.byCode.set(code, withCode);
    }
    return withCode;
  };
  return (descriptor, call) => {
    const labels = labelsOf(descriptor.path);
    const startedMs = performance.now();
    let done = false;
    const finish = (code: number, details?: string): void => {
      if (done) return;
      done = true;
      seconds.observe(labels.name, (performance.now() - startedMs) / 1000);
      const withCode = codeLabels(labels, code);
      handled.inc(withCode);
      if (code === GrpcStatus.OK) return;
      const level = code === GrpcStatus.INTERNAL || code === GrpcStatus.UNKNOWN ? 'warn' : 'debug';
      logger?.[level]({ ...withCode, details }, 'rpc failed');
    };
    // A client gives up at its deadline too (RST_STREAM), which can beat grpc-js's own
    // deadline by the network latency: a cancel that close to (or past) the deadline counts
    // as DEADLINE_EXCEEDED.
    const onCancel = (): void => {
      const remainingMs = msUntil(call.getDeadline());
      const expired = remainingMs !== undefined && remainingMs <= DEADLINE_SLACK_MS;
      finish(expired ? GrpcStatus.DEADLINE_EXCEEDED : GrpcStatus.CANCELLED);
    };
    const responder = new ResponderBuilder()
      .withStart((next) => next(new ServerListenerBuilder().withOnCancel(onCancel).build()))
      .withSendStatus((status, next) => {
        finish(status.code ?? GrpcStatus.UNKNOWN, status.details);
        next(status);
      })
      .build();
    return new ServerInterceptingCall(call, responder);
  };
}
