/**
 * The processes of the dispatcher benchmark: one raft-store member and one dispatcher, both
 * the built apps (dist/apps/<app>/main.js; the dispatcher is rebuilt unless
 * SHOAL_BENCH_NO_BUILD=1, the raft-store built when missing), on loopback with the test
 * identity, logs in a temporary directory.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const START_TIMEOUT_MS = 60_000;

/** freePort asks the kernel for an unused loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** mainOf is the built bundle of `app`, built first when needed. */
export function mainOf(app: string, rebuild: boolean): string {
  const main = path.join(ROOT, 'dist', 'apps', app, 'main.js');
  if (!fs.existsSync(main) || (rebuild && process.env['SHOAL_BENCH_NO_BUILD'] !== '1')) {
    process.stderr.write(`bench: building ${app}…\n`);
    execFileSync('npx', ['nx', 'build', app, '--outputStyle=static'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return main;
}

/**
 * startApp spawns a built app with its stdout and stderr going straight to `<logDir>/<name>.log`
 * (never through this process: a busy driver must not block the app's logging), and resolves
 * once the log says "listening".
 */
export async function startApp(name: string, main: string, args: string[], logDir: string): Promise<ChildProcess> {
  const file = path.join(logDir, `${name}.log`);
  const fd = fs.openSync(file, 'a');
  const child = spawn(process.execPath, [main, ...args], {
    env: { ...process.env, SHOAL_ALLOW_TEST_IDENTITY: '1' }, stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`${name} exited ${exited}; see ${file}`);
    if (fs.readFileSync(file, 'utf8').includes('"msg":"listening"')) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not start; see ${file}`);
}

/** stopApp sends SIGTERM and waits for the exit (SIGKILL after 10 s). */
export async function stopApp(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** rssBytesOfPid reads a process's resident set size from /proc (Linux). */
export function rssBytesOfPid(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  return kb === undefined ? 0 : Number(kb) * 1024;
}

/** metricValue fetches one unlabelled sample of `name` from an app's /metrics. */
export async function metricValue(httpPort: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}
