// A grpc-js server that enforces the authorization table on every call and refuses, at
// startup, a service with a method the table does not cover.
import type { Server, ServerCredentials, ServiceDefinition } from '@grpc/grpc-js';
import { assert } from '@shoal/assert';
import { createGrpcServer, type GrpcServerOptions } from '@shoal/grpc';
import { authorizationInterceptor, type AuthorizationTable } from './authorization';

/**
 * AuthorizedServerOptions configure {@link authorizedServer}: @shoal/grpc's server options,
 * with TLS credentials required, plus the authorization table.
 */
export interface AuthorizedServerOptions extends GrpcServerOptions {
  /** Who may call what; usually AUTHORIZATION from @shoal/proto-grpc. */
  readonly table: AuthorizationTable;
  /**
   * TLS server credentials: ReloadableCredentials.serverCredentials() (client certificate
   * required) for every server; the `ca` passes `{ clientCertificate: 'optional' }` so that
   * its insecure bootstrap RPCs are reachable by nodes that have no certificate yet.
   */
  readonly credentials: ServerCredentials;
}

/**
 * unauthorizedMethods lists the methods of `service` whose path has no rule in `table`
 * (missing or null); empty when the service is fully covered.
 */
export function unauthorizedMethods(
  table: AuthorizationTable,
  service: ServiceDefinition,
): string[] {
  return Object.values(service)
    .map((method) => method.path)
    .filter((path) => {
      const rule = Object.prototype.hasOwnProperty.call(table, path) ? table[path] : undefined;
      return rule === undefined || rule === null;
    });
}

/**
 * authorizedServer returns a @shoal/grpc server (createGrpcServer: limits, keepalive, metrics)
 * whose first interceptor after metrics is {@link authorizationInterceptor}, so every call on
 * every service is checked against `table` before its handler runs; the caller's own
 * `interceptors` run after it.
 *
 * Contract: `credentials` must be secure (asserted: Shoal has no plaintext listener).
 * `server.addService` asserts that every method of the added service has a rule in `table`,
 * so a service added without one fails at startup rather than refusing calls at run time.
 * Bind with `bindServer(server, address)` (the credentials are remembered).
 */
export function authorizedServer(opts: AuthorizedServerOptions): Server {
  assert(opts.credentials._isSecure(), 'an authorized server listens with TLS only');
  const { table, ...grpcOptions } = opts;
  const server = createGrpcServer({
    ...grpcOptions,
    interceptors: [
      authorizationInterceptor({ table, logger: opts.logger }),
      ...(opts.interceptors ?? []),
    ],
  });
  const addService = server.addService.bind(server);
  server.addService = (service, implementation) => {
    const missing = unauthorizedMethods(table, service);
    assert(missing.length === 0, `every method has an authorization rule (${missing.join(', ')})`);
    addService(service, implementation);
  };
  return server;
}
