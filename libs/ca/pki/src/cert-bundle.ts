// A process's TLS material on disk: ca.pem, cert.pem, key.pem (the DOCKER_CERT_PATH layout).
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ShoalError } from '@shoal/errors';

/**
 * CertBundle is everything a process needs for mutual TLS: the cluster root it trusts
 * (`caPem`), its own certificate (`certPem`) and that certificate's private key (`keyPem`).
 *
 * Invariant (checked by readCertBundle and ReloadableCredentials): `keyPem` is the private key
 * of `certPem`'s public key.
 */
export interface CertBundle {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** The file names of a bundle; the docker CLI expects exactly these under DOCKER_CERT_PATH. */
export const CERT_BUNDLE_FILES = Object.freeze({
  ca: 'ca.pem',
  cert: 'cert.pem',
  key: 'key.pem',
});

/** Mode of the private key file: owner read/write only, as docker and SwarmKit require. */
const KEY_FILE_MODE = 0o600;
/** Mode of the certificate files: public data. */
const CERT_FILE_MODE = 0o644;
/** Mode of a bundle directory created here: owner only, since it holds a key. */
const BUNDLE_DIR_MODE = 0o700;

/**
 * writeCertBundle writes `bundle` to `dir` as ca.pem, cert.pem and key.pem (key mode 0600,
 * certificates 0644), creating `dir` (mode 0700) if needed.
 *
 * Contract: each file is replaced atomically (write a temp file in `dir`, fsync, rename), so a
 * reader sees either the old or the new content of each file, never a torn one. The three
 * renames are not one atomic step: the key is written before the certificate, and a reader
 * that sees a key and certificate that do not match (readCertBundle reports it) should retry.
 */
export async function writeCertBundle(dir: string, bundle: CertBundle): Promise<void> {
  await mkdir(dir, { recursive: true, mode: BUNDLE_DIR_MODE });
  await writeCertFiles({
    caFile: join(dir, CERT_BUNDLE_FILES.ca),
    certFile: join(dir, CERT_BUNDLE_FILES.cert),
    keyFile: join(dir, CERT_BUNDLE_FILES.key),
  }, bundle);
}

/** CertFiles are the three paths of a bundle kept under any names (a process's TLS flags). */
export interface CertFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * writeCertFiles writes `bundle` to the three `files`, with the guarantees of
 * {@link writeCertBundle} (atomic per file, key 0600 written before the certificate, every
 * directory involved fsynced). The directories must exist.
 */
export async function writeCertFiles(files: CertFiles, bundle: CertBundle): Promise<void> {
  assertPem(bundle.caPem, 'CERTIFICATE', 'caPem');
  assertPem(bundle.certPem, 'CERTIFICATE', 'certPem');
  assertPem(bundle.keyPem, 'PRIVATE KEY', 'keyPem');
  await writeFileAtomic(files.caFile, bundle.caPem, CERT_FILE_MODE);
  await writeFileAtomic(files.keyFile, bundle.keyPem, KEY_FILE_MODE);
  await writeFileAtomic(files.certFile, bundle.certPem, CERT_FILE_MODE);
  const dirs = new Set([files.caFile, files.keyFile, files.certFile].map((f) => dirname(f)));
  for (const dir of dirs) await fsyncDir(dir);
}

/**
 * readCertBundle reads the bundle written by {@link writeCertBundle} from `dir`.
 *
 * Contract: rejects with Node's error if a file is missing or unreadable, and with ShoalError
 * FAILED_PRECONDITION if a file is not the PEM it should be or the key does not belong to the
 * certificate (e.g. read between the key's and the certificate's rename: retry).
 */
export async function readCertBundle(dir: string): Promise<CertBundle> {
  const [caPem, certPem, keyPem] = await Promise.all([
    readFile(join(dir, CERT_BUNDLE_FILES.ca), 'utf8'),
    readFile(join(dir, CERT_BUNDLE_FILES.cert), 'utf8'),
    readFile(join(dir, CERT_BUNDLE_FILES.key), 'utf8'),
  ]);
  const bundle = { caPem, certPem, keyPem };
  checkCertBundle(bundle);
  return bundle;
}

/**
 * checkCertBundle throws ShoalError FAILED_PRECONDITION unless `bundle` holds a CA
 * certificate, a certificate and that certificate's private key.
 */
export function checkCertBundle(bundle: CertBundle): void {
  try {
    new X509Certificate(bundle.caPem);
    const cert = new X509Certificate(bundle.certPem);
    if (!cert.checkPrivateKey(createPrivateKey(bundle.keyPem))) {
      throw new Error('the private key does not belong to the certificate');
    }
  } catch (err) {
    throw ShoalError.failedPrecondition(`invalid certificate bundle: ${(err as Error).message}`);
  }
}

function assertPem(pem: string, label: string, what: string): void {
  if (!new RegExp(`-----BEGIN [A-Z ]*${label}-----`).test(pem)) {
    throw ShoalError.invalidArgument(`${what} is not a PEM ${label}`);
  }
}

/** writeFileAtomic replaces `path` with `data` via a synced temp file and a rename. */
async function writeFileAtomic(path: string, data: string, mode: number): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.chmod(mode); // the umask may have narrowed `mode` at open
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  await rename(temp, path);
}

/** fsyncDir makes the renames in `dir` durable. */
async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
