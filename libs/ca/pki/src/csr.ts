// Node-side half of issuance: a fresh key and a certificate signing request.
import forge from 'node-forge';
import { assert } from '@shoal/assert';
import { forgePublicKeyOf, generateRsaKeyPem, signNatively } from './keys';
import { NODE_KEY_BITS } from '@shoal/limits';
import { isIdentityName, isRole, type Role } from './role';

/** KeyAndCsr is a new private key (PKCS#8 PEM, secret) and a CSR for it (PEM, public). */
export interface KeyAndCsr {
  readonly keyPem: string;
  readonly csrPem: string;
}

/** CsrSubject is the identity a node asks for; the CA may ignore all of it (see signCsr). */
export interface CsrSubject {
  readonly id: string;
  readonly role: Role;
  readonly clusterId: string;
}

/**
 * createKeyAndCsr generates an RSA key of NODE_KEY_BITS bits and a CSR signed by it (proof of
 * possession), with subject CN = `id`, OU = `role`, O = `clusterId`.
 *
 * Contract: `id` and `clusterId` are identity names and `role` a Role (asserted). The key never
 * leaves the caller; only `csrPem` is sent to the CA, which takes nothing but its public key.
 * Takes about 0.2 s (key generation, off the event loop).
 */
export async function createKeyAndCsr(subject: CsrSubject): Promise<KeyAndCsr> {
  assert(isIdentityName(subject.id), 'CSR id is a DNS label');
  assert(isRole(subject.role), 'CSR role is known');
  assert(isIdentityName(subject.clusterId), 'CSR cluster ID is a DNS label');
  const keyPem = await generateRsaKeyPem(NODE_KEY_BITS);
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forgePublicKeyOf(keyPem);
  csr.setSubject([
    { name: 'commonName', value: subject.id },
    { name: 'organizationalUnitName', value: subject.role },
    { name: 'organizationName', value: subject.clusterId },
  ]);
  signNatively(csr, keyPem);
  return { keyPem, csrPem: forge.pki.certificationRequestToPem(csr) };
}
