// `shoal cert admin`: another admin client bundle (ca.pem, cert.pem, key.pem) for the docker CLI.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newId } from '@shoal/ids';
import {
  certificateDigest,
  CERT_BUNDLE_FILES,
  issueCertificate,
  writeCertBundle,
  type Identity,
} from '@shoal/pki';
import { CliError, EXIT_REFUSED } from './cli-error';
import { parseDurationText } from './duration-text';
import { exists } from './files';
import type { CliDeps } from './init';
import type { CertAdminOptions } from './options';
import { CA_DIR, readClusterRecord, ROOT_KEY_FILE } from './state-layout';

/** ADMIN_NAME_ID_CHARS is how much of a random ID a default admin name carries. */
const ADMIN_NAME_ID_CHARS = 10;

/**
 * runCertAdmin issues an admin client certificate from the root that `shoal init` left in
 * `<stateDir>/ca/` and writes the bundle to `opts.out`, the directory DOCKER_CERT_PATH names.
 *
 * Contract: refuses (CliError, exit 1) when `opts.out` already holds a bundle, unless
 * `force`, and when the state directory has no cluster or its root does not match cluster.json.
 */
export async function runCertAdmin(opts: CertAdminOptions, deps: CliDeps): Promise<Identity> {
  if (!opts.force && (await exists(join(opts.out, CERT_BUNDLE_FILES.key)))) {
    throw new CliError(
      `${opts.out} already holds a certificate bundle; pass --force to replace it`,
      EXIT_REFUSED,
    );
  }
  const root = await readRoot(opts.stateDir);
  const id = opts.name ?? `admin-${newId(deps.random).slice(0, ADMIN_NAME_ID_CHARS)}`;
  const issued = await issueCertificate({
    ca: root,
    id,
    role: 'admin',
    clusterId: root.clusterId,
    now: deps.now(),
    validityMs: parseDurationText(opts.certValidity) as number,
  });
  await writeCertBundle(opts.out, { caPem: root.certPem, certPem: issued.certPem,
    keyPem: issued.keyPem });
  deps.print(`shoal cert admin: ${id} (role admin, cluster ${root.clusterId}) → ${opts.out}/`);
  deps.print(`Docker CLI: DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=${opts.out} docker -H tcp://…`);
  return issued.identity;
}

async function readRoot(
  stateDir: string,
): Promise<{ certPem: string; keyPem: string; clusterId: string }> {
  let record: Awaited<ReturnType<typeof readClusterRecord>>;
  let certPem: string;
  let keyPem: string;
  try {
    record = await readClusterRecord(stateDir);
    certPem = await readFile(join(stateDir, CA_DIR, CERT_BUNDLE_FILES.ca), 'utf8');
    keyPem = await readFile(join(stateDir, CA_DIR, ROOT_KEY_FILE), 'utf8');
  } catch (err) {
    throw new CliError(
      `${stateDir} holds no cluster made by \`shoal init\` (${(err as Error).message})`,
      EXIT_REFUSED,
    );
  }
  if (certificateDigest(certPem).hex !== record.rootDigest) {
    throw new CliError(`${stateDir}: the root certificate does not match cluster.json`, EXIT_REFUSED);
  }
  return { certPem, keyPem, clusterId: record.clusterId };
}
