// Mutual-TLS credentials for @grpc/grpc-js from a CertBundle, and the caller's identity.
import type { PeerCertificate } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { isShoalError, ShoalError } from '@shoal/errors';
import { PEER_IDENTITY_CACHE_MAX } from '@shoal/limits';
import type { CertBundle } from './cert-bundle';
import { parseIdentity, type Identity } from './identity';

/**
 * ChannelSecurity is what a client channel needs: the credentials and the channel options
 * that make TLS check the server's certificate against `serverName` rather than the address
 * dialled. Pass both to the client constructor: `new Client(addr, credentials, options)`.
 */
export interface ChannelSecurity {
  readonly credentials: grpc.ChannelCredentials;
  readonly options: grpc.ChannelOptions;
}

/** ChannelSecurityOptions parameterise channel credentials. */
export interface ChannelSecurityOptions {
  /**
   * The DNS SAN the server's certificate must carry: a role (`store`, `dispatcher`, `ca`, …),
   * which every server of that role has, or one component's ID.
   */
  readonly serverName: string;
}

/**
 * serverCredentials returns static grpc-js server credentials for `bundle` that require and
 * verify a client certificate issued by `bundle.caPem` (a client without one, or with one
 * from another root, fails the handshake; the client sees UNAVAILABLE). Use
 * ReloadableCredentials instead when the certificate will be renewed while serving.
 */
export function serverCredentials(bundle: CertBundle): grpc.ServerCredentials {
  const pair = { private_key: Buffer.from(bundle.keyPem), cert_chain: Buffer.from(bundle.certPem) };
  return grpc.ServerCredentials.createSsl(Buffer.from(bundle.caPem), [pair], true);
}

/**
 * channelCredentials returns static client credentials for `bundle`: it presents
 * `bundle.certPem` and trusts only `bundle.caPem`, and its options set
 * `grpc.ssl_target_name_override` and `grpc.default_authority` to `serverName`, so dialling
 * 127.0.0.1 still verifies the server by a DNS SAN (and sends `serverName` as SNI, avoiding
 * Node's DEP0123 warning about IP addresses as ServerName).
 */
export function channelCredentials(
  bundle: CertBundle,
  options: ChannelSecurityOptions,
): ChannelSecurity {
  const credentials = grpc.credentials.createSsl(
    Buffer.from(bundle.caPem),
    Buffer.from(bundle.keyPem),
    Buffer.from(bundle.certPem),
  );
  return { credentials, options: serverNameOptions(options.serverName) };
}

/** serverNameOptions are the channel options that verify the server as `serverName`. */
export function serverNameOptions(serverName: string): grpc.ChannelOptions {
  return {
    'grpc.ssl_target_name_override': serverName,
    'grpc.default_authority': serverName,
  };
}

/**
 * AuthContextSource is any grpc-js server call (unary, streaming, or NestJS's third handler
 * argument): something with `getAuthContext()`, added in @grpc/grpc-js 1.14.0.
 */
export interface AuthContextSource {
  getAuthContext(): { sslPeerCertificate?: PeerCertificate } | null;
}

/**
 * verifiedCalls maps a call's metadata object (created by grpc-js for that call alone) to the
 * identity the authorization interceptor verified for it, so the handler's `peerIdentity`
 * does not ask TLS for the peer certificate a second time.
 */
const verifiedCalls = new WeakMap<object, Identity>();

/** rememberCallIdentity records the identity verified for the call that carries `metadata`. */
export function rememberCallIdentity(metadata: object, identity: Identity): void {
  verifiedCalls.set(metadata, identity);
}

/**
 * identities maps a client certificate (DER, base64) to the identity it carries. A certificate
 * is immutable and the TLS handshake already verified it, so its identity is parsed once.
 */
const identities = new Map<string, Identity>();

/**
 * peerIdentity returns the {@link Identity} in the client certificate of the connection that
 * carries `call`. The TLS handshake has already verified that certificate against the root;
 * this only reads it.
 *
 * Contract: throws ShoalError UNAUTHENTICATED when the call has no TLS peer certificate
 * (insecure port, no client certificate) or the certificate carries no valid Shoal identity.
 * Authorization (which roles may call what) is the caller's job.
 */
export function peerIdentity(call: AuthContextSource): Identity {
  const metadata = (call as { metadata?: unknown }).metadata;
  const verified = typeof metadata === 'object' && metadata !== null ? verifiedCalls.get(metadata) : undefined;
  if (verified !== undefined) return verified;
  const peer = call.getAuthContext()?.sslPeerCertificate;
  if (peer === undefined || !Buffer.isBuffer(peer.raw) || peer.raw.length === 0) {
    throw ShoalError.unauthenticated('the caller presented no client certificate');
  }
  const key = peer.raw.toString('base64');
  const known = identities.get(key);
  if (known !== undefined) return known;
  let identity: Identity;
  try {
    identity = parseIdentity(peer);
  } catch (err) {
    if (!isShoalError(err)) throw err;
    throw ShoalError.unauthenticated(`the caller's certificate is not valid: ${err.message}`);
  }
  // Oldest first out: a renewed certificate replaces its predecessor in use soon enough.
  if (identities.size >= PEER_IDENTITY_CACHE_MAX) identities.delete(identities.keys().next().value as string);
  const frozen = Object.freeze({ ...identity });
  identities.set(key, frozen);
  return frozen;
}

