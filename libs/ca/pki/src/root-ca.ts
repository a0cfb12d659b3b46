// The cluster root CA: a self-signed certificate whose key signs every node certificate.
import forge from 'node-forge';
import { assert } from '@shoal/assert';
import { certificateDigest, type RootDigest } from './digest';
import { forgePublicKeyOf, generateRsaKeyPem, signNatively } from './keys';
import {
  CERT_BACKDATE_MS,
  MIN_NODE_CERT_VALIDITY_MS,
  ROOT_CA_COMMON_NAME,
  ROOT_CA_VALIDITY_MS,
  ROOT_KEY_BITS,
} from '@shoal/limits';
import { isIdentityName } from './role';
import { randomSerialHex } from './serial';

/**
 * RootCa is a cluster's signing root: its certificate and private key as PEM, and the digest
 * that join tokens pin. The key is a secret (SwarmKit keeps it in raft, readable by managers).
 */
export interface RootCa {
  readonly certPem: string;
  readonly keyPem: string;
  readonly digest: RootDigest;
}

/** CreateRootCaOptions parameterise {@link createRootCa}. */
export interface CreateRootCaOptions {
  /** The cluster ID, written in the subject O. */
  readonly clusterId: string;
  /** Wall-clock time in ms since the epoch; notBefore is `now` − 1 h (CERT_BACKDATE_MS). */
  readonly now: number;
  /** Lifetime from `now`; default ROOT_CA_VALIDITY_MS (20 years). */
  readonly validityMs?: number;
  /** Subject CN; default ROOT_CA_COMMON_NAME (`shoal-ca`). */
  readonly cn?: string;
}

/**
 * createRootCa generates a root key (RSA, ROOT_KEY_BITS) and a self-signed CA certificate for
 * the cluster: subject CN = `cn`, O = `clusterId`; basicConstraints CA (critical); keyUsage
 * keyCertSign, cRLSign, digitalSignature (critical); a subject key identifier.
 *
 * Contract: `clusterId` is an identity name (see isIdentityName); `validityMs` ≥ 1 minute.
 * Resolves to the new root and its digest. Takes about half a second (key generation).
 */
export async function createRootCa(options: CreateRootCaOptions): Promise<RootCa> {
  const validityMs = options.validityMs ?? ROOT_CA_VALIDITY_MS;
  const cn = options.cn ?? ROOT_CA_COMMON_NAME;
  assert(isIdentityName(options.clusterId), 'cluster ID is a DNS label');
  assert(Number.isSafeInteger(options.now), 'now is an integer of ms');
  assert(validityMs >= MIN_NODE_CERT_VALIDITY_MS, 'root validity is at least the minimum');
  assert(cn.length > 0, 'root CN is not empty');

  const keyPem = await generateRsaKeyPem(ROOT_KEY_BITS);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forgePublicKeyOf(keyPem);
  cert.serialNumber = randomSerialHex();
  cert.validity.notBefore = new Date(options.now - CERT_BACKDATE_MS);
  cert.validity.notAfter = new Date(options.now + validityMs);
  const subject = [
    { name: 'commonName', value: cn },
    { name: 'organizationName', value: options.clusterId },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signNatively(cert, keyPem);
  const certPem = forge.pki.certificateToPem(cert);
  return { certPem, keyPem, digest: certificateDigest(certPem) };
}
