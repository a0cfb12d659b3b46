// Reading who a certificate belongs to: CN = ID, OU = role, O = cluster ID.
import type { PeerCertificate } from 'node:tls';
import forge from 'node-forge';
import { ShoalError } from '@shoal/errors';
import { isIdentityName, isRole, type Role } from './role';

/**
 * Identity is who a certificate names and for how long, as decided by the CA that signed it.
 *
 * Invariant: `id` and `clusterId` are identity names; `notBefore` < `notAfter` (ms since the
 * epoch); `serial` is the certificate's serial number in lower-case hex.
 */
export interface Identity {
  readonly id: string;
  readonly role: Role;
  readonly clusterId: string;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly serial: string;
}

/**
 * parseIdentity reads the {@link Identity} out of a certificate, given as PEM or as the
 * `tls.PeerCertificate` of a TLS connection (its `raw` DER is parsed, so both inputs are read
 * by the same code).
 *
 * Contract: the subject must carry exactly one CN (a valid identity name), one OU (a known
 * {@link Role}) and one O (a valid cluster ID). It does not check signatures or dates: callers
 * use verifyChain for that, or rely on the TLS handshake that already did. Throws ShoalError
 * INVALID_ARGUMENT naming the problem (unparseable certificate, missing or repeated field,
 * unknown role).
 */
export function parseIdentity(certificate: string | PeerCertificate): Identity {
  const cert = parseCertificate(certificate);
  const id = singleAttribute(cert, 'CN');
  const role = singleAttribute(cert, 'OU');
  const clusterId = singleAttribute(cert, 'O');
  if (!isIdentityName(id)) throw invalid(`certificate CN ${JSON.stringify(id)} is not an ID`);
  if (!isRole(role)) throw invalid(`certificate OU ${JSON.stringify(role)} is not a known role`);
  if (!isIdentityName(clusterId)) {
    throw invalid(`certificate O ${JSON.stringify(clusterId)} is not a cluster ID`);
  }
  const notBefore = cert.validity.notBefore.getTime();
  const notAfter = cert.validity.notAfter.getTime();
  if (!(notBefore < notAfter)) throw invalid('certificate validity period is empty');
  return { id, role, clusterId, notBefore, notAfter, serial: cert.serialNumber.toLowerCase() };
}

/** parseCertificate turns PEM or a peer certificate's DER into a forge certificate. */
export function parseCertificate(certificate: string | PeerCertificate): forge.pki.Certificate {
  try {
    if (typeof certificate === 'string') return forge.pki.certificateFromPem(certificate);
    const raw: unknown = certificate.raw;
    if (!Buffer.isBuffer(raw)) throw new Error('peer certificate has no raw DER');
    return forge.pki.certificateFromAsn1(forge.asn1.fromDer(raw.toString('latin1')));
  } catch (err) {
    throw invalid(`certificate cannot be parsed: ${(err as Error).message}`);
  }
}

/** singleAttribute returns the only subject attribute with `shortName`, or throws. */
function singleAttribute(cert: forge.pki.Certificate, shortName: string): string {
  const found = cert.subject.attributes.filter((a) => a.shortName === shortName);
  if (found.length !== 1) {
    throw invalid(`certificate subject has ${found.length} ${shortName} fields, expected 1`);
  }
  const value: unknown = found[0]?.value;
  if (typeof value !== 'string') throw invalid(`certificate ${shortName} is not a string`);
  return value;
}

function invalid(message: string): ShoalError {
  return ShoalError.invalidArgument(message);
}
