// Goal: the CA issues certificates whose identity, SANs, usages and dates are what the CA
// decided (never what the CSR asked for), and verifyChain accepts exactly those chains.
// Method: one real RSA root and a few real keys made once (key generation is the slow part),
// then table-style checks through forge, Node's X509Certificate and verifyChain.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { isShoalError } from '@shoal/errors';
import { createKeyAndCsr } from './csr';
import { certificateDigest } from './digest';
import { parseIdentity } from './identity';
import {
  CERT_BACKDATE_MS,
  MIN_NODE_CERT_VALIDITY_MS,
  NODE_CERT_VALIDITY_MS,
  ROOT_CA_VALIDITY_MS,
} from '@shoal/limits';
import { createRootCa, type RootCa } from './root-ca';
import { issueCertificate, signCsr } from './sign';
import { verifyChain } from './verify-chain';

// RSA key generation is slow and variable (0.2-2 s per key, more on a loaded CI machine).
jest.setTimeout(60_000);

const NOW = Date.UTC(2030, 0, 1);
const CLUSTER = 'cluster0';
const NODE_ID = 'n0000000000000000000000001';

let root: RootCa;
let otherRoot: RootCa;
let worker: { keyPem: string; csrPem: string };

beforeAll(async () => {
  [root, otherRoot, worker] = await Promise.all([
    createRootCa({ clusterId: CLUSTER, now: NOW }),
    createRootCa({ clusterId: CLUSTER, now: NOW }),
    createKeyAndCsr({ id: NODE_ID, role: 'worker', clusterId: CLUSTER }),
  ]);
});

describe('createRootCa', () => {
  it('makes a self-signed 20-year CA named shoal-ca with the cluster as O', () => {
    const cert = forge.pki.certificateFromPem(root.certPem);
    expect(cert.subject.getField('CN').value).toBe('shoal-ca');
    expect(cert.subject.getField('O').value).toBe(CLUSTER);
    expect(cert.issuer.hash).toBe(cert.subject.hash);
    expect(cert.verify(cert)).toBe(true);
    expect(cert.validity.notAfter.getTime()).toBe(NOW + ROOT_CA_VALIDITY_MS);
    expect(cert.validity.notBefore.getTime()).toBe(NOW - CERT_BACKDATE_MS);
    const x509 = new X509Certificate(root.certPem);
    expect(x509.ca).toBe(true);
    expect(x509.verify(x509.publicKey)).toBe(true);
  });

  it('uses a 3072-bit RSA key and reports the SHA-256 of its DER in hex and base 36', () => {
    const key = new X509Certificate(root.certPem).publicKey;
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(3072);
    expect(root.digest).toEqual(certificateDigest(root.certPem));
    expect(root.digest.hex).toBe(new X509Certificate(root.certPem).fingerprint256
      .replace(/:/g, '').toLowerCase());
    expect(root.digest.base36).toMatch(/^[0-9a-z]{50}$/);
    expect(BigInt(`0x${root.digest.hex}`).toString(36).padStart(50, '0')).toBe(root.digest.base36);
  });

  it('honours a custom CN and validity', async () => {
    const small = await createRootCa({ clusterId: 'c1', now: NOW, validityMs: 3_600_000, cn: 'x' });
    const cert = forge.pki.certificateFromPem(small.certPem);
    expect(cert.subject.getField('CN').value).toBe('x');
    expect(cert.validity.notAfter.getTime()).toBe(NOW + 3_600_000);
  });
});

describe('signCsr', () => {
  it('issues a leaf with CN = id, OU = role, O = cluster, 90 days, backdated 1 h', () => {
    const { certPem, identity } = signCsr({
      ca: root, csrPem: worker.csrPem, id: NODE_ID, role: 'worker', clusterId: CLUSTER, now: NOW,
    });
    expect(identity).toEqual({
      id: NODE_ID,
      role: 'worker',
      clusterId: CLUSTER,
      notBefore: NOW - CERT_BACKDATE_MS,
      notAfter: NOW + NODE_CERT_VALIDITY_MS,
      serial: expect.stringMatching(/^[4-7][0-9a-f]{31}$/),
    });
    expect(parseIdentity(certPem)).toEqual(identity);
    expect(verifyChain(certPem, root.certPem, NOW)).toEqual({ ok: true, identity });
  });

  it('sets SANs, usages and the key from the CSR; loopback adds localhost and 127.0.0.1', () => {
    const plain = signCsr({
      ca: root, csrPem: worker.csrPem, id: NODE_ID, role: 'worker', clusterId: CLUSTER, now: NOW,
    });
    const x509 = new X509Certificate(plain.certPem);
    expect(x509.subjectAltName).toBe(`DNS:${NODE_ID}, DNS:worker`);
    expect(x509.keyUsage?.sort()).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(x509.ca).toBe(false);
    expect(x509.checkIssued(new X509Certificate(root.certPem))).toBe(true);
    expect(x509.checkPrivateKey(createPrivateKey(worker.keyPem))).toBe(true);
    const forgeCert = forge.pki.certificateFromPem(plain.certPem);
    expect(forgeCert.getExtension('keyUsage')).toMatchObject({
      digitalSignature: true, keyEncipherment: true, keyCertSign: false,
    });
    const loop = signCsr({
      ca: root, csrPem: worker.csrPem, id: 'store-1', role: 'store', clusterId: CLUSTER, now: NOW,
      loopback: true,
    });
    expect(new X509Certificate(loop.certPem).subjectAltName)
      .toBe('DNS:store-1, DNS:store, DNS:localhost, IP Address:127.0.0.1');
  });

  it('ignores the CN, OU and O the CSR asks for: the server decides', async () => {
    const greedy = await createKeyAndCsr({ id: 'evil', role: 'manager', clusterId: 'other' });
    const { certPem, identity } = signCsr({
      ca: root, csrPem: greedy.csrPem, id: NODE_ID, role: 'worker', clusterId: CLUSTER, now: NOW,
    });
    expect(identity.id).toBe(NODE_ID);
    expect(identity.role).toBe('worker');
    expect(identity.clusterId).toBe(CLUSTER);
    expect(new X509Certificate(certPem).subject).toBe(`CN=${NODE_ID}\nOU=worker\nO=${CLUSTER}`);
    expect(new X509Certificate(certPem).subjectAltName).not.toContain('evil');
  });

  it('clamps notAfter to the root and accepts the 1-minute minimum validity', async () => {
    const shortRoot = await createRootCa({ clusterId: CLUSTER, now: NOW, validityMs: 600_000 });
    const clamped = signCsr({
      ca: shortRoot, csrPem: worker.csrPem, id: NODE_ID, role: 'worker', clusterId: CLUSTER,
      now: NOW,
    });
    expect(clamped.identity.notAfter).toBe(NOW + 600_000);
    const minute = signCsr({
      ca: root, csrPem: worker.csrPem, id: NODE_ID, role: 'worker', clusterId: CLUSTER, now: NOW,
      validityMs: MIN_NODE_CERT_VALIDITY_MS,
    });
    expect(minute.identity.notAfter).toBe(NOW + 60_000);
    expect(() => signCsr({
      ca: root, csrPem: worker.csrPem, id: NODE_ID, role: 'worker', clusterId: CLUSTER, now: NOW,
      validityMs: MIN_NODE_CERT_VALIDITY_MS - 1,
    })).toThrow(/validity is at least the minimum/);
  });

  it('refuses garbage, tampered CSRs and roots that are not valid now', () => {
    const base = { ca: root, id: NODE_ID, role: 'worker' as const, clusterId: CLUSTER, now: NOW };
    expectCode(() => signCsr({ ...base, csrPem: 'not a csr' }), 'INVALID_ARGUMENT');
    const csr = forge.pki.certificationRequestFromPem(worker.csrPem);
    csr.setSubject([{ name: 'commonName', value: 'tampered' }]); // signature no longer matches
    csr.certificationRequestInfo = null;
    const tampered = forge.pki.certificationRequestToPem(csr);
    expectCode(() => signCsr({ ...base, csrPem: tampered }), 'INVALID_ARGUMENT');
    const later = NOW + ROOT_CA_VALIDITY_MS + 1;
    const tooLate = { ...base, csrPem: worker.csrPem, now: later };
    expectCode(() => signCsr(tooLate), 'FAILED_PRECONDITION');
  });

  it('asserts that the identity it is told to write is well formed', () => {
    const base = { ca: root, csrPem: worker.csrPem, clusterId: CLUSTER, now: NOW };
    expect(() => signCsr({ ...base, id: 'Bad_ID', role: 'worker' })).toThrow(/DNS label/);
    // @ts-expect-error: an unknown role is a programmer error
    expect(() => signCsr({ ...base, id: NODE_ID, role: 'root' })).toThrow(/role is known/);
    // A worker called `dispatcher` would carry DNS:dispatcher and could pose as one.
    expect(() => signCsr({ ...base, id: 'dispatcher', role: 'worker' })).toThrow(/role name/);
    expect(signCsr({ ...base, id: 'ca', role: 'ca' }).identity.id).toBe('ca');
    expect(() => signCsr({ ...base, id: NODE_ID, role: 'worker', clusterId: 'other' }))
      .toThrow(/root belongs to this cluster/);
  });
});

describe('issueCertificate', () => {
  it('makes a key and a matching certificate in one step', async () => {
    const issued = await issueCertificate({
      ca: root, id: 'orchestrator-1', role: 'orchestrator', clusterId: CLUSTER, now: NOW,
    });
    const x509 = new X509Certificate(issued.certPem);
    expect(x509.checkPrivateKey(createPrivateKey(issued.keyPem))).toBe(true);
    expect(issued.identity.role).toBe('orchestrator');
  });
});

describe('verifyChain', () => {
  let leafPem: string;
  beforeAll(() => {
    leafPem = signCsr({
      ca: root, csrPem: worker.csrPem, id: NODE_ID, role: 'worker', clusterId: CLUSTER, now: NOW,
      validityMs: 2 * 60_000,
    }).certPem;
  });

  it.each([
    ['at notBefore', true, NOW - CERT_BACKDATE_MS],
    ['at issuance', true, NOW],
    ['at notAfter', true, NOW + 120_000],
    ['1 ms after notAfter', 'expired', NOW + 120_001],
    ['1 ms before notBefore', 'not-yet-valid', NOW - CERT_BACKDATE_MS - 1],
  ])('%s → %s', (_label, expected, at) => {
    const verdict = verifyChain(leafPem, root.certPem, at);
    if (expected === true) expect(verdict.ok).toBe(true);
    else expect(verdict).toMatchObject({ ok: false, reason: expected });
  });

  it('refuses a leaf from another root, even with the same subject', () => {
    expect(verifyChain(leafPem, otherRoot.certPem, NOW)).toMatchObject({
      ok: false, reason: 'untrusted',
    });
  });

  it('refuses a root as a leaf and garbage as either', () => {
    expect(verifyChain(root.certPem, root.certPem, NOW)).toMatchObject({ ok: false });
    expect(verifyChain('junk', root.certPem, NOW)).toMatchObject({ reason: 'malformed' });
    expect(verifyChain(leafPem, 'junk', NOW)).toMatchObject({ reason: 'malformed' });
  });
});

function expectCode(f: () => unknown, code: string): void {
  try {
    f();
  } catch (err) {
    expect(isShoalError(err)).toBe(true);
    expect((err as { code: string }).code).toBe(code);
    return;
  }
  throw new Error(`expected a ShoalError ${code}`);
}
