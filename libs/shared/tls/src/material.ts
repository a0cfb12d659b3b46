// A process's certificate, key and root, read from its TLS files and replaceable while it runs.
import { readFileSync } from 'node:fs';
import { ConfigError } from '@shoal/config';
import { isShoalError } from '@shoal/errors';
import {
  parseIdentity,
  ReloadableCredentials,
  verifyChain,
  writeCertFiles,
  type CertBundle,
  type CertFiles,
  type Identity,
} from '@shoal/pki';
import type { TlsConfig } from './config';

/** A listener told about every new bundle (after the files were rewritten). */
export type MaterialListener = (bundle: CertBundle, identity: Identity) => void;

/**
 * TlsMaterial is one process's mutual-TLS material: the bundle read from its three files, the
 * {@link ReloadableCredentials} every server and client of the process is built from, and the
 * files to rewrite on renewal.
 *
 * Contract: `replace(bundle)` writes the files first (atomically, key 0600), then updates the
 * credentials, so every NEW connection of every server and channel made from this material
 * presents the new certificate; open connections and their RPCs carry on untouched. A bundle
 * whose key does not match its certificate is refused (FAILED_PRECONDITION) before anything
 * changes.
 */
export class TlsMaterial {
  /** The credentials servers and channels are built from (see serverSecurity, channelCredentials). */
  readonly credentials: ReloadableCredentials;
  private readonly listeners = new Set<MaterialListener>();

  /** Creates material for `bundle`, kept in `files`. */
  constructor(readonly files: CertFiles, bundle: CertBundle) {
    this.credentials = new ReloadableCredentials(bundle);
  }

  /** current is the bundle new connections use now. */
  current(): CertBundle {
    return this.credentials.current();
  }

  /** identity is who the current certificate names (ID, role, cluster, dates, serial). */
  identity(): Identity {
    return identityOf(this.current());
  }

  /** replace installs a renewed bundle: files first, then the live credentials, then listeners. */
  async replace(bundle: CertBundle): Promise<void> {
    const identity = identityOf(bundle);
    new ReloadableCredentials(bundle); // checks the key belongs to the certificate, before writing
    await writeCertFiles(this.files, bundle);
    this.credentials.update(bundle);
    for (const listener of this.listeners) listener(bundle, identity);
  }

  /** onReplace registers `listener` for every later replace; returns the unregister function. */
  onReplace(listener: MaterialListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}

function identityOf(bundle: CertBundle): Identity {
  return parseIdentity(bundle.certPem);
}

/**
 * loadTlsMaterial reads the TLS files named in `config`: all three set → the material; none
 * set → undefined (the caller decides whether plaintext is acceptable, e.g. tests with the
 * test identity). Synchronous, so the bootstrap's `grpcSecurity` hook can call it.
 *
 * Contract: throws ConfigError (the process prints it and exits 2) when only some files are
 * set, a file cannot be read, the key does not belong to the certificate, the certificate does
 * not chain to the CA file or carries no Shoal identity, or it is not valid now; and when
 * `--ca-endpoints` is set without the files.
 */
export function loadTlsMaterial(config: TlsConfig): TlsMaterial | undefined {
  const { tlsCaFile, tlsCertFile, tlsKeyFile } = config;
  const set = [tlsCaFile, tlsCertFile, tlsKeyFile].filter((f) => f !== undefined).length;
  if (set === 0) {
    if ((config.caEndpoints ?? []).length > 0) {
      throw new ConfigError(['ca-endpoints: renewal needs --tls-ca-file, --tls-cert-file and --tls-key-file']);
    }
    return undefined;
  }
  if (tlsCaFile === undefined || tlsCertFile === undefined || tlsKeyFile === undefined) {
    throw new ConfigError(['tls: set all of --tls-ca-file, --tls-cert-file and --tls-key-file, or none']);
  }
  const files = { caFile: tlsCaFile, certFile: tlsCertFile, keyFile: tlsKeyFile };
  const bundle = {
    caPem: readPem(tlsCaFile, 'tls-ca-file'),
    certPem: readPem(tlsCertFile, 'tls-cert-file'),
    keyPem: readPem(tlsKeyFile, 'tls-key-file'),
  };
  const verdict = verifyChain(bundle.certPem, bundle.caPem, Date.now());
  if (!verdict.ok) {
    throw new ConfigError([`tls-cert-file: ${tlsCertFile} is not usable (${verdict.reason}): ${verdict.message}`]);
  }
  try {
    return new TlsMaterial(files, bundle);
  } catch (err) {
    if (!isShoalError(err)) throw err;
    throw new ConfigError([`tls-key-file: ${tlsKeyFile}: ${err.message}`]);
  }
}

function readPem(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`${flag}: cannot read ${path}: ${(err as Error).message}`]);
  }
}
