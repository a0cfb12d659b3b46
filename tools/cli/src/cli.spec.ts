// Goal: `shoal init` writes a complete cluster identity: every bundle verifies against the root
// and carries the right CN and role, the root key matches the root, the join tokens pin the
// root, secrets are mode 0600; a second init refuses without --force (and replaces everything
// with it); `shoal cert admin` issues another admin bundle; bad flags are usage errors.
// Method: run the command in-process (runCli) into temp directories with a seeded Random and
// read back every file.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  readCertBundle,
  verifyChain,
  verifyRootAgainstToken,
  type Role,
} from '@shoal/pki';
import { SeededRandom } from '@shoal/random';
import { runCli, type CliIo } from './cli';
import type { ClusterRecord, JoinTokensRecord } from './state-layout';

// RSA key generation is slow and variable (0.2-2 s per key, more on a loaded CI machine).
jest.setTimeout(120_000);

let dir: string;
const out: string[] = [];
const err: string[] = [];

function io(seed = 1): CliIo {
  return {
    now: () => Date.now(),
    random: new SeededRandom(seed),
    print: (line) => out.push(line),
    err: (line) => err.push(line),
    env: {},
  };
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

async function mode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-cli-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  out.length = 0;
  err.length = 0;
});

describe('shoal init', () => {
  const state = (): string => join(dir, 'state');
  let record: ClusterRecord;
  let rootPem: string;

  beforeAll(async () => {
    const code = await runCli(['init', '--state-dir', join(dir, 'state'), '--store-members', '3',
      '--cert-validity', '30d'], io());
    expect(err).toEqual([]);
    expect(code).toBe(0);
    record = await readJson<ClusterRecord>(join(state(), 'cluster.json'));
    rootPem = await readFile(join(state(), 'ca', 'ca.pem'), 'utf8');
  });

  it('issues store-1..3, one certificate per control component, and admin', () => {
    const expected: [string, Role][] = [
      ['store-1', 'store'], ['store-2', 'store'], ['store-3', 'store'],
      ['orchestrator', 'orchestrator'], ['scheduler', 'scheduler'], ['allocator', 'allocator'],
      ['dispatcher', 'dispatcher'], ['ca', 'ca'], ['gateway', 'gateway'], ['admin', 'admin'],
    ];
    expect(record.identities.map((i) => [i.id, i.role])).toEqual(expected);
    expect(record.clusterId).toHaveLength(25);
    expect(record.certValidityMs).toBe(30 * 86_400_000);
  });

  it('writes bundles that verify against the root and carry the right CN, role and cluster', async () => {
    for (const identity of record.identities) {
      const bundle = await readCertBundle(join(state(), identity.dir));
      expect(bundle.caPem).toBe(rootPem);
      const verdict = verifyChain(bundle.certPem, rootPem, Date.now());
      expect(verdict.ok && verdict.identity).toMatchObject({
        id: identity.id, role: identity.role, clusterId: record.clusterId,
      });
      expect(await mode(join(state(), identity.dir, 'key.pem'))).toBe(0o600);
      const days = verdict.ok ? (verdict.identity.notAfter - Date.now()) / 86_400_000 : 0;
      expect(Math.round(days)).toBe(30);
    }
  });

  it('puts the admin bundle where DOCKER_CERT_PATH expects it, as a client-only certificate', async () => {
    const bundle = await readCertBundle(join(state(), 'admin'));
    const san = new X509Certificate(bundle.certPem).subjectAltName ?? '';
    expect(san).not.toContain('127.0.0.1');
    const gateway = new X509Certificate((await readCertBundle(join(state(), 'gateway'))).certPem);
    expect(gateway.subjectAltName).toContain('IP Address:127.0.0.1');
  });

  it('keeps the root key (0600) next to the ca bundle, matching the root', async () => {
    const keyPath = join(state(), 'ca', 'root-key.pem');
    expect(await mode(keyPath)).toBe(0o600);
    const root = new X509Certificate(rootPem);
    expect(root.checkPrivateKey(createPrivateKey(await readFile(keyPath, 'utf8')))).toBe(true);
    expect(root.ca).toBe(true);
  });

  it('writes join tokens (0600) that pin this root', async () => {
    const tokensPath = join(state(), 'tokens.json');
    expect(await mode(tokensPath)).toBe(0o600);
    const tokens = await readJson<JoinTokensRecord>(tokensPath);
    expect(tokens.worker).not.toBe(tokens.manager);
    for (const token of [tokens.worker, tokens.manager]) {
      expect(token).toMatch(/^SHLTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/);
      expect(verifyRootAgainstToken(rootPem, token).ok).toBe(true);
    }
  });

  it('refuses to overwrite without --force, with a clear message', async () => {
    const code = await runCli(['init', '--state-dir', state()], io(2));
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/already holds a cluster .*Pass --force/s);
    expect((await readJson<ClusterRecord>(join(state(), 'cluster.json'))).clusterId)
      .toBe(record.clusterId);
  });

  it('replaces the cluster with --force and reports each step', async () => {
    const code = await runCli(['init', '--state-dir', state(), '--force', '--store-members', '1',
      '--cluster-id', 'replaced'], io(3));
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/cluster replaced/);
    expect(out.join('\n')).toMatch(/store-1/);
    expect(out.join('\n')).toMatch(/tokens\.json \(mode 0600\)/);
    const next = await readJson<ClusterRecord>(join(state(), 'cluster.json'));
    expect(next.clusterId).toBe('replaced');
    const bundle = await readCertBundle(join(state(), 'store-1'));
    expect(verifyChain(bundle.certPem, bundle.caPem, Date.now()).ok).toBe(true);
    // The old cluster's store-2 and store-3 are gone, not left behind with a dead root.
    await expect(stat(join(state(), 'store-2'))).rejects.toThrow();
    record = next;
    rootPem = bundle.caPem;
  });

  it('issues another admin bundle with `shoal cert admin`', async () => {
    const target = join(dir, 'admin-2');
    const code = await runCli(['cert', 'admin', '--state-dir', state(), '--out', target,
      '--name', 'alice'], io(4));
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const bundle = await readCertBundle(target);
    const verdict = verifyChain(bundle.certPem, rootPem, Date.now());
    expect(verdict.ok && verdict.identity).toMatchObject({ id: 'alice', role: 'admin',
      clusterId: record.clusterId });
    const again = await runCli(['cert', 'admin', '--state-dir', state(), '--out', target], io(5));
    expect(again).toBe(1);
    expect(err.join('\n')).toMatch(/already holds a certificate bundle/);
  });
});

describe('usage', () => {
  it.each([
    [['init'], /--state-dir/],
    [['init', '--state-dir', '/tmp/x', '--store-members', '9'], /--store-members/],
    [['init', '--state-dir', '/tmp/x', '--cert-validity', '10m'], /at least 1h/],
    [['init', '--state-dir', '/tmp/x', '--cluster-id', 'Not_A_Label'], /DNS label/],
    [['init', '--state-dir', '/tmp/x', '--bogus'], /unknown flag --bogus/],
    [['frobnicate'], /unknown command/],
  ])('%j is a usage error', async (argv, message) => {
    expect(await runCli(argv, io())).toBe(64);
    expect(err.join('\n')).toMatch(message);
  });

  it('prints help', async () => {
    expect(await runCli(['init', '--help'], io())).toBe(0);
    expect(out.join('\n')).toMatch(/--store-members/);
    expect(await runCli([], io())).toBe(0);
    expect(out.join('\n')).toMatch(/cert admin/);
  });

  it('refuses cert admin without a cluster', async () => {
    const code = await runCli(['cert', 'admin', '--state-dir', join(dir, 'nothing'), '--out',
      join(dir, 'nothing-out')], io());
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/holds no cluster/);
  });
});
