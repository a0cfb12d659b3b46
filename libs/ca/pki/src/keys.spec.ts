// Goal: native signing is a drop-in for forge's own: same bytes, verifiable by forge and Node;
// keys come out as PKCS#8 PEM of the requested size. Method: sign the same certificate both
// ways and compare the PEM; check key details with Node's KeyObject.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { forgePublicKeyOf, generateRsaKeyPem, signNatively } from './keys';

// RSA key generation is slow and variable (0.2-2 s per key, more on a loaded CI machine).
jest.setTimeout(60_000);

let keyPem: string;

beforeAll(async () => {
  keyPem = await generateRsaKeyPem(2048);
});

function unsignedCertificate(): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forgePublicKeyOf(keyPem);
  cert.serialNumber = '4a';
  cert.validity.notBefore = new Date(Date.UTC(2030, 0, 1));
  cert.validity.notAfter = new Date(Date.UTC(2031, 0, 1));
  cert.setSubject([{ name: 'commonName', value: 'self' }]);
  cert.setIssuer([{ name: 'commonName', value: 'self' }]);
  return cert;
}

describe('generateRsaKeyPem', () => {
  it('returns a PKCS#8 PEM RSA key of the requested size with exponent 65537', () => {
    expect(keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const details = createPrivateKey(keyPem).asymmetricKeyDetails;
    expect(details?.modulusLength).toBe(2048);
    expect(details?.publicExponent).toBe(65537n);
  });

  it('asserts a supported size', async () => {
    await expect(generateRsaKeyPem(1024)).rejects.toThrow(/2048, 3072 or 4096/);
  });
});

describe('signNatively', () => {
  it('produces exactly the bytes forge would, verifiable by forge and by Node', () => {
    const native = unsignedCertificate();
    signNatively(native, keyPem);
    const pure = unsignedCertificate();
    pure.sign(forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey,
      forge.md.sha256.create());
    const nativePem = forge.pki.certificateToPem(native);
    expect(nativePem).toBe(forge.pki.certificateToPem(pure));
    expect(forge.pki.certificateFromPem(nativePem).verify(forge.pki.certificateFromPem(nativePem)))
      .toBe(true);
    const x509 = new X509Certificate(nativePem);
    expect(x509.verify(x509.publicKey)).toBe(true);
  });

  it('signs CSRs too', () => {
    const csr = forge.pki.createCertificationRequest();
    csr.publicKey = forgePublicKeyOf(keyPem);
    csr.setSubject([{ name: 'commonName', value: 'n1' }]);
    signNatively(csr, keyPem);
    const parsed = forge.pki.certificationRequestFromPem(forge.pki.certificationRequestToPem(csr));
    expect(parsed.verify()).toBe(true);
  });
});
