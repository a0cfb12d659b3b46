// Who may call what: one server interceptor enforces the `authorization` method option of every
// RPC (AUTHORIZATION in @shoal/proto-grpc) on every Shoal server. docs/design/security.md.
import {
  status as GrpcStatus,
  ServerInterceptingCall,
  ServerListenerBuilder,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
} from '@grpc/grpc-js';
import { isShoalError, ShoalError } from '@shoal/errors';
import { toGrpcError } from '@shoal/grpc';
import type { Logger } from '@shoal/logging';
import { peerIdentity, rememberCallIdentity, type AuthContextSource } from './grpc-credentials';
import type { Identity } from './identity';

/**
 * AuthorizationRule says who may call one RPC: the certificate roles (OU) allowed, or
 * 'insecure' (anyone, with or without a client certificate). null, or no entry at all, means
 * nobody: a method without a rule is refused (fail closed).
 */
export type AuthorizationRule = readonly string[] | 'insecure' | null;

/**
 * AuthorizationTable maps gRPC method paths (`/shoal.v1.Store/Get`) to their rules. The
 * generated AUTHORIZATION of @shoal/proto-grpc is one; tests may pass their own.
 */
export type AuthorizationTable = Readonly<Record<string, AuthorizationRule | undefined>>;

/**
 * AuthorizationVerdict is {@link authorize}'s answer: allowed (with the caller's identity, or
 * null for an insecure method called without a certificate), or the error to answer with.
 */
export type AuthorizationVerdict =
  | { readonly allowed: true; readonly identity: Identity | null }
  | { readonly allowed: false; readonly error: ShoalError; readonly identity: Identity | null };

/** MethodCaller is what {@link authorize} reads: the method path and the TLS peer. */
export interface MethodCaller {
  readonly path: string;
  readonly call: AuthContextSource;
}

/**
 * authorize decides one call against `table`, SwarmKit's `tls_authorization` check.
 *
 * Contract, in order: a method with no rule (missing or null) is refused PERMISSION_DENIED
 * "method <path> has no authorization rule"; an insecure method is allowed whoever calls;
 * a call without a verified client certificate (or whose certificate carries no valid Shoal
 * identity) is refused UNAUTHENTICATED "<path> requires a client certificate"; a role not in
 * the rule is refused PERMISSION_DENIED `role "<role>" may not call <path>`. Never throws for
 * bad input. The TLS handshake already verified the certificate against the cluster root;
 * grpc-js hides certificates it did not verify (getAuthContext is empty then).
 */
export function authorize(table: AuthorizationTable, caller: MethodCaller): AuthorizationVerdict {
  const rule = Object.prototype.hasOwnProperty.call(table, caller.path)
    ? table[caller.path]
    : undefined;
  const identity = identityOf(caller.call);
  if (rule === undefined || rule === null) {
    const error = ShoalError.permissionDenied(`method ${caller.path} has no authorization rule`);
    return { allowed: false, error, identity };
  }
  if (rule === 'insecure') return { allowed: true, identity };
  if (identity === null) {
    const error = ShoalError.unauthenticated(`${caller.path} requires a client certificate`);
    return { allowed: false, error, identity };
  }
  if (!rule.includes(identity.role)) {
    const error = ShoalError.permissionDenied(
      `role ${JSON.stringify(identity.role)} may not call ${caller.path}`,
    );
    return { allowed: false, error, identity };
  }
  return { allowed: true, identity };
}

/** identityOf returns the caller's verified identity, or null when it has none. */
function identityOf(call: AuthContextSource): Identity | null {
  try {
    return peerIdentity(call);
  } catch (err) {
    if (isShoalError(err) && err.code === 'UNAUTHENTICATED') return null;
    throw err;
  }
}

/** AuthorizationInterceptorOptions configure {@link authorizationInterceptor}. */
export interface AuthorizationInterceptorOptions {
  /** Who may call what; usually AUTHORIZATION from @shoal/proto-grpc. */
  readonly table: AuthorizationTable;
  /** Denials are logged at warn with the method, role and ID. */
  readonly logger?: Logger;
}

/**
 * authorizationInterceptor returns a grpc-js (≥ 1.10) server interceptor that runs
 * {@link authorize} on every call, unary or streaming, when the client's metadata arrives and
 * before the handler starts. A refused call ends with the verdict's status (PERMISSION_DENIED
 * or UNAUTHENTICATED, with the ShoalError code in metadata, as every Shoal error) and its
 * handler never runs; an allowed call passes through untouched.
 *
 * Contract: install it on every server (see {@link authorizedServer}); it must be the only
 * place that decides by role, so the table in the protos is the whole truth. It does not
 * check per-object rights (a node touching only its own tasks): handlers do that.
 */
export function authorizationInterceptor(opts: AuthorizationInterceptorOptions): ServerInterceptor {
  return (descriptor, call) =>
    new ServerInterceptingCall(call, {
      start: (next) => {
        const listener = new ServerListenerBuilder()
          .withOnReceiveMetadata((metadata, nextMetadata) => {
            const verdict = authorize(opts.table, { path: descriptor.path, call });
            if (verdict.allowed) {
              if (verdict.identity !== null) rememberCallIdentity(metadata, verdict.identity);
              nextMetadata(metadata);
              return;
            }
            logDenial(opts.logger, descriptor.path, verdict);
            deny(call, verdict.error);
          })
          .build();
        next(listener);
      },
    });
}

function deny(call: ServerInterceptingCallInterface, error: ShoalError): void {
  const status = toGrpcError(error);
  call.sendStatus({
    code: status.code ?? GrpcStatus.UNKNOWN,
    details: status.details ?? error.message,
    metadata: status.metadata ?? null,
  });
}

function logDenial(
  logger: Logger | undefined,
  method: string,
  verdict: Extract<AuthorizationVerdict, { allowed: false }>,
): void {
  logger?.warn(
    {
      method,
      role: verdict.identity?.role,
      id: verdict.identity?.id,
      code: verdict.error.code,
    },
    'rpc refused by authorization',
  );
}
