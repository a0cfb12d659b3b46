// Goal: parseIdentity reads CN/OU/O and dates from our certificates, given as PEM or as a TLS
// peer certificate, and refuses certificates that do not carry a valid Shoal identity.
// Method: real certificates from a test root, plus hand-built forge certificates with bad
// subjects signed by the same root.
import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import forge from 'node-forge';
import { isShoalError } from '@shoal/errors';
import { parseIdentity } from './identity';
import { signNatively } from './keys';
import { ROLES } from './role';
import { createRootCa, type RootCa } from './root-ca';
import { issueCertificate } from './sign';

// RSA key generation is slow and variable (0.2-2 s per key, more on a loaded CI machine).
jest.setTimeout(60_000);

const NOW = Date.UTC(2030, 0, 1);
let root: RootCa;

beforeAll(async () => {
  root = await createRootCa({ clusterId: 'c1', now: NOW });
});

/** A certificate with an arbitrary subject, signed by the test root. */
function withSubject(attributes: { shortName: string; value: string }[]): string {
  const key = forge.pki.privateKeyFromPem(root.keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(NOW);
  cert.validity.notAfter = new Date(NOW + 1000);
  cert.setSubject(attributes);
  cert.setIssuer(forge.pki.certificateFromPem(root.certPem).subject.attributes);
  signNatively(cert, root.keyPem);
  return forge.pki.certificateToPem(cert);
}

describe('parseIdentity', () => {
  it('reads every role from PEM', async () => {
    for (const role of ROLES) {
      const pem = withSubject([
        { shortName: 'CN', value: `${role}-1` },
        { shortName: 'OU', value: role },
        { shortName: 'O', value: 'c1' },
      ]);
      expect(parseIdentity(pem)).toEqual({
        id: `${role}-1`, role, clusterId: 'c1', notBefore: NOW, notAfter: NOW + 1000, serial: '01',
      });
    }
  });

  it('reads a tls.PeerCertificate through its raw DER', async () => {
    const issued = await issueCertificate({
      ca: root, id: 'dispatcher-0', role: 'dispatcher', clusterId: 'c1', now: NOW,
    });
    const peer = { raw: new X509Certificate(issued.certPem).raw } as PeerCertificate;
    expect(parseIdentity(peer)).toEqual(issued.identity);
  });

  it.each([
    ['an unknown role', [['CN', 'n1'], ['OU', 'swarm-manager'], ['O', 'c1']], /not a known role/],
    ['no OU', [['CN', 'n1'], ['O', 'c1']], /0 OU fields/],
    ['two OUs', [['CN', 'n1'], ['OU', 'worker'], ['OU', 'manager'], ['O', 'c1']], /2 OU/],
    ['no CN', [['OU', 'worker'], ['O', 'c1']], /0 CN fields/],
    ['a CN that is no DNS label', [['CN', 'n1.evil'], ['OU', 'worker'], ['O', 'c1']], /not an ID/],
    ['no O', [['CN', 'n1'], ['OU', 'worker']], /0 O fields/],
  ])('refuses %s', (_label, fields, message) => {
    const pem = withSubject(fields.map(([shortName, value]) => ({ shortName, value }) as {
      shortName: string; value: string;
    }));
    let caught: unknown;
    try {
      parseIdentity(pem);
    } catch (err) {
      caught = err;
    }
    expect(isShoalError(caught, 'INVALID_ARGUMENT')).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });

  it('refuses what is not a certificate', () => {
    expect(() => parseIdentity('junk')).toThrow(/cannot be parsed/);
    expect(() => parseIdentity({} as PeerCertificate)).toThrow(/no raw DER/);
  });
});
