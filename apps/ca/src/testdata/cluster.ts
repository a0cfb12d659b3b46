// A real cluster for the ca's acceptance tests: `shoal init` run as the CLI, one raft-store
// member as a child process (built app) serving mutual TLS, and clients from the init bundles.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { isShoalError } from '@shoal/errors';
import { connectStore, type StoreClient } from '@shoal/store-client';
import { channelCredentials, loadTlsMaterial, type TlsMaterial } from '@shoal/tls';

/** ROOT is the repository root. */
export const ROOT = resolve(__dirname, '../../../..');

/** silent swallows in-process app logs. */
export const silent = new Writable({ write: (_c, _e, done) => done() });

/** freePort asks the OS for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = net.createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => ok(port));
    });
  });
}

/** shoalInit runs `shoal init` (the real CLI) into `dir` with one store member. */
export function shoalInit(dir: string): void {
  execFileSync('npx', ['tsx', '--tsconfig', 'tsconfig.base.json', 'tools/cli/src/main.ts', 'init',
    '--state-dir', dir, '--store-members', '1'], { cwd: ROOT, stdio: 'ignore', timeout: 120_000 });
}

/** bundleFlags are the three TLS flags for bundle directory `dir` (ca.pem, cert.pem, key.pem). */
export function bundleFlags(dir: string): string[] {
  return ['--tls-ca-file', join(dir, 'ca.pem'), '--tls-cert-file', join(dir, 'cert.pem'),
    '--tls-key-file', join(dir, 'key.pem')];
}

/** bundleMaterial loads the TLS material of bundle directory `dir`. */
export function bundleMaterial(dir: string): TlsMaterial {
  const material = loadTlsMaterial({ tlsCaFile: join(dir, 'ca.pem'),
    tlsCertFile: join(dir, 'cert.pem'), tlsKeyFile: join(dir, 'key.pem') });
  if (material === undefined) throw new Error(`no TLS material in ${dir}`);
  return material;
}

/** storeClient connects to `address` over mTLS with `material`. */
export function storeClient(address: string, material: TlsMaterial): StoreClient {
  return connectStore({ endpoints: [address], credentials: channelCredentials(material, 'store'),
    deadlineMs: 5_000 });
}

/** startStore builds (cached by nx) and starts one raft-store member with the init's store-1 bundle. */
export async function startStore(initDir: string): Promise<{ address: string; child: ChildProcess }> {
  execFileSync('npx', ['nx', 'build', 'raft-store'], { cwd: ROOT, stdio: 'ignore', timeout: 300_000 });
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const child = spawn(process.execPath, [join(ROOT, 'dist/apps/raft-store/main.js'),
    '--node-id', '1', '--members', `1=${address}`, '--grpc-port', String(port), '--http-port', '0',
    '--state-dir', join(initDir, 'store-state'), '--log-level', 'warn',
    ...bundleFlags(join(initDir, 'store-1'))], { stdio: 'ignore', env: { ...process.env } });
  return { address, child };
}

/** eventually retries `fn` every 200 ms until it resolves, for up to `timeoutMs`. */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** failure resolves the ShoalError `promise` rejects with (and fails if it resolves). */
export async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    if (isShoalError(err)) return err;
    throw err;
  }
  throw new Error('expected a failure');
}
