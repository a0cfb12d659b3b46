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
import readline from 'node:readline';

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

/** startApp spawns a built app and resolves once it logs "listening". */
export function startApp(name: string, main: string, args: string[], logDir: string): Promise<ChildProcess> {
  const log = fs.createWriteStream(path.join(logDir, `${name}.log`), { flags: 'a' });
  const child = spawn(process.execPath, [main, ...args], {
    env: { ...process.env, SHOAL_ALLOW_TEST_IDENTITY: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.pipe(log);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start; see ${logDir}`)), START_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`${name} exited ${code}; see ${logDir}`)));
    let up = false;
    readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      log.write(`${line}\n`);
      if (up || !line.includes('"listening"')) return;
      up = true;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve(child);
    });
  });
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
