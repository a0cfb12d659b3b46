// The grpc-js face of CaService: the CA service definition's handlers.
import { isShoalError } from '@shoal/errors';
import { wrapUnary, type WrapOptions } from '@shoal/grpc';
import { peerIdentity, type AuthContextSource, type Identity } from '@shoal/pki';
import type { CAServer } from '@shoal/proto-grpc';
import type { CaService } from './ca-service';

/**
 * optionalPeerIdentity returns the verified identity of the call's client certificate, or null
 * when the client presented none (a joining node) or one the root did not sign (grpc-js hides
 * those). Only for insecure methods; elsewhere the authorization interceptor already refused.
 */
export function optionalPeerIdentity(call: AuthContextSource): Identity | null {
  try {
    return peerIdentity(call);
  } catch (err) {
    if (isShoalError(err) && err.code === 'UNAUTHENTICATED') return null;
    throw err;
  }
}

/**
 * caGrpcHandlers adapts `service` to grpc-js: pass the result to
 * `server.addService(CAService, …)` on an authorizedServer whose credentials accept an optional
 * client certificate (ReloadableCredentials.serverCredentials({ clientCertificate: 'optional' })).
 * Each handler only translates: ShoalErrors become their statuses through wrapUnary, and
 * IssueNodeCertificate receives the caller's identity, or null.
 */
export function caGrpcHandlers(service: CaService, options: WrapOptions = {}): CAServer {
  return {
    getRootCaCertificate: wrapUnary(() => service.getRootCaCertificate(), options),
    issueNodeCertificate: wrapUnary(
      (request, call) => service.issueNodeCertificate(request, optionalPeerIdentity(call)),
      options,
    ),
    nodeCertificateStatus: wrapUnary((request) => service.nodeCertificateStatus(request), options),
    getUnlockKey: wrapUnary(() => service.getUnlockKey(), options),
  };
}
