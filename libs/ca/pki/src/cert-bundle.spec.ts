// Goal: bundles written to disk read back identically, the key file is private (0600), files
// are replaced atomically, and a mismatched key is caught. Method: a real root and leaf in a
// temp directory, checked with fs.stat and readCertBundle.
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isShoalError } from '@shoal/errors';
import { readCertBundle, writeCertBundle, type CertBundle } from './cert-bundle';
import { createRootCa } from './root-ca';
import { issueCertificate } from './sign';

// RSA key generation is slow and variable (0.2-2 s per key, more on a loaded CI machine).
jest.setTimeout(60_000);

const NOW = Date.UTC(2030, 0, 1);
let dir: string;
let bundle: CertBundle;
let otherKeyPem: string;

beforeAll(async () => {
  const root = await createRootCa({ clusterId: 'c', now: NOW });
  const decision = { ca: root, role: 'admin' as const, clusterId: 'c', now: NOW };
  const [admin, other] = await Promise.all([
    issueCertificate({ ...decision, id: 'admin' }),
    issueCertificate({ ...decision, id: 'other' }),
  ]);
  bundle = { caPem: root.certPem, certPem: admin.certPem, keyPem: admin.keyPem };
  otherKeyPem = other.keyPem;
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-pki-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeCertBundle / readCertBundle', () => {
  it('writes ca.pem, cert.pem, key.pem (key 0600) and reads them back', async () => {
    const target = join(dir, 'certs', 'admin');
    await writeCertBundle(target, bundle);
    expect((await readdir(target)).sort()).toEqual(['ca.pem', 'cert.pem', 'key.pem']);
    expect((await stat(join(target, 'key.pem'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(target, 'cert.pem'))).mode & 0o777).toBe(0o644);
    expect((await stat(target)).mode & 0o777).toBe(0o700);
    expect(await readCertBundle(target)).toEqual(bundle);
  });

  it('replaces an existing bundle and leaves no temp files', async () => {
    await writeFile(join(dir, 'key.pem'), 'old', { mode: 0o644 });
    await writeCertBundle(dir, bundle);
    await writeCertBundle(dir, bundle);
    expect((await readdir(dir)).sort()).toEqual(['ca.pem', 'cert.pem', 'key.pem']);
    expect((await stat(join(dir, 'key.pem'))).mode & 0o777).toBe(0o600);
  });

  it('reports a key that does not belong to the certificate', async () => {
    await writeCertBundle(dir, { ...bundle, keyPem: otherKeyPem });
    const err = await readCertBundle(dir).catch((e: unknown) => e);
    expect(isShoalError(err, 'FAILED_PRECONDITION')).toBe(true);
    expect((err as Error).message).toMatch(/does not belong/);
  });

  it('refuses to write something that is not PEM', async () => {
    await expect(writeCertBundle(dir, { ...bundle, keyPem: 'nope' })).rejects.toThrow(/PEM/);
  });

  it('fails on a missing file', async () => {
    await expect(readCertBundle(dir)).rejects.toThrow(/ENOENT/);
  });
});
