// `shoal init`: a new cluster's identity on disk: root CA, component and admin certificates,
// join tokens.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { newClusterObject } from '@shoal/ca-service';
import { newId } from '@shoal/ids';
import {
  createRootCa,
  issueCertificate,
  writeCertBundle,
  type CertBundle,
  type RootCa,
} from '@shoal/pki';
import type { Random } from '@shoal/random';
import { CliError, EXIT_REFUSED } from './cli-error';
import { parseDurationText } from './duration-text';
import { exists, writeSecretFile } from './files';
import type { InitOptions } from './options';
import {
  ADMIN_DIR,
  CA_DIR,
  CLUSTER_FILE,
  CONTROL_COMPONENTS,
  readClusterRecord,
  ROOT_KEY_FILE,
  TOKENS_FILE,
  type ClusterRecord,
  type IssuedIdentity,
  type JoinTokensRecord,
} from './state-layout';

/** CliDeps are the ambient inputs of a command, injected so tests can pin them. */
export interface CliDeps {
  readonly now: () => number;
  /** A CSPRNG in production: it draws the cluster ID and the join token secrets. */
  readonly random: Random;
  /** Progress output, one line per call. */
  readonly print: (line: string) => void;
}

/** InitResult is what `shoal init` wrote. */
export interface InitResult {
  readonly record: ClusterRecord;
  readonly tokens: JoinTokensRecord;
}

/** The files whose presence means a state directory already holds a cluster. */
const CLUSTER_MARKERS = [CLUSTER_FILE, TOKENS_FILE, join(CA_DIR, ROOT_KEY_FILE)];

/**
 * runInit creates a cluster identity in `opts.stateDir`: cluster ID, root CA (key in
 * `ca/root-key.pem`), a bundle (ca.pem, cert.pem, key.pem) per raft-store member
 * (`store-1` … `store-N`), per control component (`orchestrator` … `gateway`) and for an admin
 * client (`admin/`, for DOCKER_CERT_PATH), the join tokens in `tokens.json` (0600) and
 * `cluster.json`, written last.
 *
 * Contract: refuses (CliError, exit 1) when the directory already holds a cluster, unless
 * `force`; then everything is replaced and the old cluster's certificates and tokens are
 * useless. The root key stays on disk until the ca app hands it to the store (docs/design/ca.md).
 */
export async function runInit(opts: InitOptions, deps: CliDeps): Promise<InitResult> {
  await refuseExisting(opts);
  const clusterId = opts.clusterId ?? newId(deps.random);
  const certValidityMs = parseDurationText(opts.certValidity) as number;
  deps.print(`shoal init: cluster ${clusterId} in ${opts.stateDir}`);
  const root = await createRootCa({ clusterId, now: deps.now() });
  deps.print(`  root CA created (sha256 ${root.digest.hex})`);
  await writeSecretFile(join(opts.stateDir, CA_DIR, ROOT_KEY_FILE), root.keyPem);
  deps.print(`  root key → ${join(CA_DIR, ROOT_KEY_FILE)} (mode 0600; the ca app hands it to the store later)`);
  const identities = plannedIdentities(opts.storeMembers);
  // Keys are generated in parallel (off the event loop); bundles are written in order.
  const bundles = await Promise.all(identities.map((identity) =>
    issueBundle(root, clusterId, identity, certValidityMs, deps.now())));
  for (const [i, identity] of identities.entries()) {
    await writeCertBundle(join(opts.stateDir, identity.dir), bundles[i] as CertBundle);
    deps.print(`  ${identity.role.padEnd(12)} ${identity.id.padEnd(12)} → ${identity.dir}/`);
  }
  const { tokens } = newClusterObject({ clusterId, root, random: deps.random });
  await writeSecretFile(join(opts.stateDir, TOKENS_FILE), `${JSON.stringify(tokens, null, 2)}\n`);
  deps.print(`  join tokens (worker, manager) → ${TOKENS_FILE} (mode 0600)`);
  const record: ClusterRecord = {
    clusterId,
    rootDigest: root.digest.hex,
    createdAt: new Date(deps.now()).toISOString(),
    certValidityMs,
    identities,
  };
  await writeSecretFile(join(opts.stateDir, CLUSTER_FILE), `${JSON.stringify(record, null, 2)}\n`);
  deps.print(`  ${CLUSTER_FILE} written; done.`);
  deps.print(`Docker CLI: DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=${join(opts.stateDir, ADMIN_DIR)}` +
    ' docker -H tcp://<gateway-host>:<port> …');
  return { record, tokens: { ...tokens } };
}

async function refuseExisting(opts: InitOptions): Promise<void> {
  for (const marker of CLUSTER_MARKERS) {
    if (!(await exists(join(opts.stateDir, marker)))) continue;
    if (opts.force) {
      await removePrevious(opts.stateDir);
      return;
    }
    throw new CliError(
      `${opts.stateDir} already holds a cluster (found ${marker}); refusing to overwrite it. ` +
        'Pass --force to replace it: every certificate and join token of the old cluster ' +
        'would stop working.',
      EXIT_REFUSED,
    );
  }
}

/** removePrevious deletes what an earlier init wrote (per its cluster.json) before --force. */
async function removePrevious(stateDir: string): Promise<void> {
  const previous = await readClusterRecord(stateDir).catch(() => null);
  const dirs = previous?.identities.map((identity) => identity.dir) ?? [];
  for (const path of [CLUSTER_FILE, TOKENS_FILE, CA_DIR, ADMIN_DIR, ...dirs]) {
    // Only names this command writes, and never anything outside stateDir.
    if (path.includes('/') || path.includes('..')) continue;
    await rm(join(stateDir, path), { recursive: true, force: true });
  }
}

/** plannedIdentities lists the certificates of a new cluster, in output order. */
function plannedIdentities(storeMembers: number): IssuedIdentity[] {
  const stores = Array.from({ length: storeMembers }, (_, i): IssuedIdentity => {
    const id = `store-${i + 1}`;
    return { id, role: 'store', dir: id };
  });
  const components = CONTROL_COMPONENTS.map((role): IssuedIdentity => ({ id: role, role, dir: role }));
  return [...stores, ...components, { id: 'admin', role: 'admin', dir: ADMIN_DIR }];
}

async function issueBundle(
  root: RootCa,
  clusterId: string,
  identity: IssuedIdentity,
  validityMs: number,
  now: number,
): Promise<CertBundle> {
  const issued = await issueCertificate({
    ca: root,
    id: identity.id,
    role: identity.role,
    clusterId,
    now,
    validityMs,
    // Servers on one machine are dialled on 127.0.0.1; admin is only ever a client.
    loopback: identity.role !== 'admin',
  });
  return { caPem: root.certPem, certPem: issued.certPem, keyPem: issued.keyPem };
}
