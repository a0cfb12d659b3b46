// CA-side half of issuance: certify a CSR's public key under an identity the CA decides.
import forge from 'node-forge';
import { assert } from '@shoal/assert';
import { ShoalError } from '@shoal/errors';
import { createKeyAndCsr } from './csr';
import { parseIdentity, type Identity } from './identity';
import { signNatively } from './keys';
import {
  CERT_BACKDATE_MS,
  MIN_CSR_KEY_BITS,
  MIN_NODE_CERT_VALIDITY_MS,
  NODE_CERT_VALIDITY_MS,
} from '@shoal/limits';
import { isIdentityName, isRole, type Role } from './role';
import { randomSerialHex } from './serial';

/** SigningCa is what signing needs from a root: its certificate and key, as PEM. */
export interface SigningCa {
  readonly certPem: string;
  readonly keyPem: string;
}

/** CertificateDecision is what the CA decides about a certificate, whatever the CSR says. */
export interface CertificateDecision {
  readonly ca: SigningCa;
  /** Subject CN and a DNS SAN: the node or component ID. */
  readonly id: string;
  /** Subject OU and a DNS SAN. */
  readonly role: Role;
  /** Subject O; must equal the root's O when the root has one. */
  readonly clusterId: string;
  /** Wall-clock ms since the epoch; notBefore = now − CERT_BACKDATE_MS. */
  readonly now: number;
  /** Lifetime from `now`, ≥ MIN_NODE_CERT_VALIDITY_MS; default NODE_CERT_VALIDITY_MS. */
  readonly validityMs?: number;
  /** Also name `localhost` (DNS) and 127.0.0.1 (IP), for servers on loopback. */
  readonly loopback?: boolean;
}

/** SignCsrOptions parameterise {@link signCsr}: the decision plus the node's CSR. */
export interface SignCsrOptions extends CertificateDecision {
  readonly csrPem: string;
}

/** SignedCertificate is a new leaf certificate (PEM) and the identity it carries. */
export interface SignedCertificate {
  readonly certPem: string;
  readonly identity: Identity;
}

/**
 * signCsr issues a leaf certificate for the public key in `csrPem`. Following SwarmKit's CSR
 * whitelist, it takes ONLY the public key from the CSR: subject (CN = id, OU = role,
 * O = clusterId), SANs (DNS id, DNS role, and with `loopback` DNS localhost and IP 127.0.0.1),
 * usages (digitalSignature, keyEncipherment; serverAuth, clientAuth) and validity come from
 * the caller. notAfter is clamped to the root's notAfter.
 *
 * Contract: identity fields and `validityMs` are programmer input (asserted; an ID may not be a
 * role name other than its own, since clients address servers by role). The CSR is
 * untrusted: an unparseable CSR, a bad self-signature or an RSA key under MIN_CSR_KEY_BITS
 * throws ShoalError INVALID_ARGUMENT. A root that is not valid at `now` throws
 * FAILED_PRECONDITION.
 */
export function signCsr(options: SignCsrOptions): SignedCertificate {
  assertDecision(options);
  const publicKey = csrPublicKey(options.csrPem);
  const caCert = forge.pki.certificateFromPem(options.ca.certPem);
  const caOrg = caCert.subject.getField('O') as { value?: unknown } | null;
  assert(caOrg === null || caOrg.value === options.clusterId, 'root belongs to this cluster');
  const caNotBefore = caCert.validity.notBefore.getTime();
  const caNotAfter = caCert.validity.notAfter.getTime();
  if (options.now < caNotBefore || options.now >= caNotAfter) {
    throw ShoalError.failedPrecondition('the root CA certificate is not valid now');
  }
  const validityMs = options.validityMs ?? NODE_CERT_VALIDITY_MS;
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = randomSerialHex();
  cert.validity.notBefore = new Date(options.now - CERT_BACKDATE_MS);
  cert.validity.notAfter = new Date(Math.min(options.now + validityMs, caNotAfter));
  cert.setSubject([
    { name: 'commonName', value: options.id },
    { name: 'organizationalUnitName', value: options.role },
    { name: 'organizationName', value: options.clusterId },
  ]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions(leafExtensions(options, caCert));
  signNatively(cert, options.ca.keyPem);
  const certPem = forge.pki.certificateToPem(cert);
  const identity = parseIdentity(certPem);
  assert(identity.id === options.id, 'issued certificate names the decided ID');
  assert(identity.role === options.role, 'issued certificate names the decided role');
  return { certPem, identity };
}

/** IssuedCertificate is a key pair made locally plus its certificate. */
export interface IssuedCertificate extends SignedCertificate {
  readonly keyPem: string;
}

/**
 * issueCertificate makes a key, a CSR and a certificate in one step, for identities the CA
 * process creates itself (components at bootstrap, admin client certificates). Same contract
 * as {@link createKeyAndCsr} followed by {@link signCsr}.
 */
export async function issueCertificate(decision: CertificateDecision): Promise<IssuedCertificate> {
  assertDecision(decision);
  const { keyPem, csrPem } = await createKeyAndCsr(decision);
  return { keyPem, ...signCsr({ ...decision, csrPem }) };
}

function assertDecision(d: CertificateDecision): void {
  assert(isIdentityName(d.id), 'certificate ID is a DNS label');
  assert(isRole(d.role), 'certificate role is known');
  // A worker named `dispatcher` would get DNS:dispatcher and could serve as any dispatcher.
  assert(!isRole(d.id) || d.id === d.role, 'certificate ID is not another role name');
  assert(isIdentityName(d.clusterId), 'cluster ID is a DNS label');
  assert(Number.isSafeInteger(d.now), 'now is an integer of ms');
  const validityMs = d.validityMs ?? NODE_CERT_VALIDITY_MS;
  assert(Number.isSafeInteger(validityMs), 'validity is an integer of ms');
  assert(validityMs >= MIN_NODE_CERT_VALIDITY_MS, 'validity is at least the minimum');
}

/** csrPublicKey parses and checks an untrusted CSR and returns only its RSA public key. */
function csrPublicKey(csrPem: string): forge.pki.rsa.PublicKey {
  let csr: ReturnType<typeof forge.pki.certificationRequestFromPem>;
  try {
    csr = forge.pki.certificationRequestFromPem(csrPem);
  } catch (err) {
    throw ShoalError.invalidArgument(`CSR cannot be parsed: ${(err as Error).message}`);
  }
  const key = csr.publicKey as forge.pki.rsa.PublicKey | null;
  if (key === null || typeof key.n?.bitLength !== 'function') {
    throw ShoalError.invalidArgument('CSR public key is not RSA');
  }
  if (key.n.bitLength() < MIN_CSR_KEY_BITS) {
    throw ShoalError.invalidArgument(`CSR key is under ${MIN_CSR_KEY_BITS} bits`);
  }
  if (!csr.verify()) throw ShoalError.invalidArgument('CSR signature does not verify');
  return forge.pki.setRsaPublicKey(key.n, key.e);
}

/** leafExtensions lists a leaf's X.509 extensions for `d`, issued by `caCert`. */
function leafExtensions(d: CertificateDecision, caCert: forge.pki.Certificate): object[] {
  const altNames: { type: number; value?: string; ip?: string }[] = [
    { type: 2, value: d.id },
  ];
  if (d.role !== d.id) altNames.push({ type: 2, value: d.role });
  if (d.loopback === true) {
    altNames.push({ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' });
  }
  return [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames },
    { name: 'subjectKeyIdentifier' },
    {
      name: 'authorityKeyIdentifier',
      keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes(),
    },
  ];
}
