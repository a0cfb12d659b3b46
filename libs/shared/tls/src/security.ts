// gRPC server and client security built from a process's TLS material.
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { experimental, type ChannelCredentials } from '@grpc/grpc-js';
import type { GrpcSecurity } from '@shoal/bootstrap';
import type { Logger } from '@shoal/logging';
import {
  authorizationInterceptor,
  serverNameOptions,
  type AuthorizationTable,
  type ChannelSecurity,
} from '@shoal/pki';
import { AUTHORIZATION } from '@shoal/proto-grpc';
import type { TlsMaterial } from './material';

/** ServerSecurityOptions tune {@link serverSecurity}. */
export interface ServerSecurityOptions {
  /** Denials are logged here at warn (method, role, ID). */
  readonly logger?: Logger;
  /**
   * 'required' (default): the handshake fails without a client certificate from the root.
   * 'optional': only for the ca, whose bootstrap RPCs serve nodes without a certificate yet;
   * every other method still needs one (the interceptor answers UNAUTHENTICATED).
   */
  readonly clientCertificate?: 'required' | 'optional';
  /** Who may call what; default the generated AUTHORIZATION of @shoal/proto-grpc. */
  readonly table?: AuthorizationTable;
}

/**
 * serverSecurity returns the bootstrap's GrpcSecurity for `material`: mutual TLS that follows
 * renewals (new connections get the new certificate; no restart), and the authorization
 * interceptor over the AUTHORIZATION table, so a caller whose role may not call a method gets
 * PERMISSION_DENIED `role "<role>" may not call <path>` before any handler runs. Health is
 * 'insecure' in the table, so any client that completes the handshake may call it.
 */
export function serverSecurity(
  material: TlsMaterial,
  options: ServerSecurityOptions = {},
): GrpcSecurity {
  const credentials = material.credentials.serverCredentials({
    clientCertificate: options.clientCertificate ?? 'required',
  });
  const interceptor = authorizationInterceptor({
    table: options.table ?? AUTHORIZATION,
    logger: options.logger,
  });
  return { credentials, interceptors: [interceptor] };
}

const channelCache = new WeakMap<TlsMaterial, Map<string, ChannelCredentials>>();

/**
 * channelCredentials returns client security for calling servers of `serverName` (a role such
 * as 'store', 'ca', 'dispatcher', 'gateway', or one component's ID): the process's current
 * certificate is presented and the server must chain to the current root and carry
 * `serverName` as a DNS SAN, whatever address was dialled. Renewals apply to every new
 * connection of channels made from it. The name check is in the credentials themselves, so it
 * holds even where the channel options are not passed on (the raft peer transport); pass
 * `options` to the client as well, so that SNI and :authority name the server too.
 * The same credentials object is returned for the same material and name (grpc-js shares
 * subchannels between equal credentials).
 */
export function channelCredentials(material: TlsMaterial, serverName: string): ChannelSecurity {
  let byName = channelCache.get(material);
  if (byName === undefined) {
    byName = new Map();
    channelCache.set(material, byName);
  }
  let credentials = byName.get(serverName);
  if (credentials === undefined) {
    const provider = material.credentials;
    credentials = experimental.createCertificateProviderChannelCredentials(provider, provider, {
      checkServerIdentity: (_host: string, cert: PeerCertificate) =>
        checkServerIdentity(serverName, cert),
    });
    byName.set(serverName, credentials);
  }
  return { credentials, options: serverNameOptions(serverName) };
}
