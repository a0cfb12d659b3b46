// Test harness: raft-store members as real child processes of the built app
// (dist/apps/raft-store/main.js), on free loopback ports with temp state dirs.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { connectStore, type IdentityRole, type StoreClient } from '@shoal/store-client';

const ROOT = path.resolve(__dirname, '../../../..');
const MAIN = path.join(ROOT, 'dist', 'apps', 'raft-store', 'main.js');
/** Ms a member may take to log `listening` on a loaded machine. */
const START_TIMEOUT_MS = 30_000;
/** Ms a member may take to exit after SIGTERM before it is killed. */
const STOP_GRACE_MS = 10_000;
/** Log lines kept per member (for assertions and failure reports). */
const LOG_LINES_MAX = 20_000;

/** buildApp builds the raft-store bundle once (nx caches unchanged builds). */
export function buildApp(): void {
  execFileSync('npx', ['nx', 'build', 'raft-store'], {
    cwd: ROOT, stdio: 'ignore', timeout: 180_000,
  });
}

/** freePort asks the OS for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Member is one running (or dead) raft-store process. */
export interface Member {
  readonly raftId: number;
  readonly address: string;
  readonly dir: string;
  child: ChildProcess;
  httpPort: number;
  readonly lines: string[];
}

/** sleep waits `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * TestCluster runs members as processes. Members are keyed by raft id; `start` launches one
 * (bootstrapping with the founding list, or joining), `kill` sends a signal and waits for
 * the exit, `stopAll` ends every process and removes the temp directory.
 */
export class TestCluster {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-raft-store-'));
  readonly members = new Map<number, Member>();
  private readonly clients: StoreClient[] = [];

  private constructor(
    readonly founders: Map<number, string>,
    private readonly extraArgs: readonly string[],
  ) {}

  /** create picks ports for `size` founding members (nothing started yet). */
  static async create(size: number, extraArgs: readonly string[] = []): Promise<TestCluster> {
    const founders = new Map<number, string>();
    for (let id = 1; id <= size; id++) founders.set(id, `127.0.0.1:${await freePort()}`);
    return new TestCluster(founders, extraArgs);
  }

  /** membersFlag is the `--members` value of the founding members. */
  membersFlag(extra: ReadonlyMap<number, string> = new Map()): string {
    return [...this.founders, ...extra].map(([id, addr]) => `${id}=${addr}`).join(',');
  }

  /** startAll starts every founding member concurrently. */
  async startAll(): Promise<void> {
    await Promise.all([...this.founders.keys()].map((id) => this.start(id)));
  }

  /**
   * start launches member `raftId` at `address` (default: its founding address) with its
   * state dir (kept across restarts), resolving once it logs `listening`.
   */
  async start(raftId: number, options: { address?: string; args?: string[]; dirName?: string } = {}):
    Promise<Member> {
    const address = options.address ?? this.founders.get(raftId);
    if (address === undefined) throw new Error(`no address for member ${raftId}`);
    const dir = path.join(this.dir, options.dirName ?? `m${raftId}`);
    const port = address.split(':')[1] as string;
    const args = [MAIN, '--node-id', String(raftId), '--grpc-port', port, '--http-port', '0',
      '--state-dir', dir, '--allow-test-identity', '--log-level', 'info', ...this.extraArgs,
      ...(options.args ?? [])];
    if (!args.includes('--members')) args.push('--members', this.membersFlag());
    const child = spawn(process.execPath, args, {
      env: { ...process.env, SHOAL_ALLOW_TEST_IDENTITY: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const member: Member = { raftId, address, dir, child, httpPort: 0, lines: [] };
    this.members.set(raftId, member);
    member.httpPort = await waitListening(member);
    return member;
  }

  /** kill signals member `raftId` (SIGKILL by default) and waits for it to exit. */
  async kill(raftId: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    const member = this.members.get(raftId);
    if (member === undefined || member.child.exitCode !== null || member.child.signalCode !== null) {
      return member?.child.exitCode ?? null;
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => member.child.kill('SIGKILL'), STOP_GRACE_MS);
      member.child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
      member.child.kill(signal);
    });
  }

  /** client connects to the given members (default: every founding member) as `role`. */
  client(role: IdentityRole, ids?: readonly number[]): StoreClient {
    const endpoints = ids === undefined ? [...this.founders.values()]
      : ids.map((id) => this.members.get(id)?.address ?? this.founders.get(id) ?? '');
    const client = connectStore({ endpoints, identityForTests: role, deadlineMs: 2_000,
      writeDeadlineMs: 4_000 });
    this.clients.push(client);
    return client;
  }

  /** leaderId asks the live members who leads, until one knows (or the time is up). */
  async leaderId(timeoutMs = 20_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const member of this.live()) {
        const client = connectStore({ endpoints: [member.address], identityForTests: 'store',
          deadlineMs: 1_000 });
        try {
          const listed = await client.listMembers();
          if (listed.leader !== 0) return listed.leader;
        } catch {
          // Not this one; ask the next.
        } finally {
          client.close();
        }
      }
      await sleep(200);
    }
    throw new Error(`no leader within ${timeoutMs} ms`);
  }

  /** live lists members whose process runs. */
  live(): Member[] {
    return [...this.members.values()].filter((m) => m.child.exitCode === null &&
      m.child.signalCode === null);
  }

  /** stopAll closes clients, stops every member and deletes the temp directory. */
  async stopAll(): Promise<void> {
    for (const c of this.clients.splice(0)) c.close();
    await Promise.all([...this.members.keys()].map((id) => this.kill(id, 'SIGTERM')));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function waitListening(member: Member): Promise<number> {
  const { child, lines } = member;
  const keep = (line: string): void => {
    lines.push(line);
    if (lines.length > LOG_LINES_MAX) lines.splice(0, lines.length - LOG_LINES_MAX);
  };
  readline.createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', keep);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`member ${member.raftId} did not listen: ${lines.slice(-20).join('\n')}`));
    }, START_TIMEOUT_MS);
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`member ${member.raftId} exited (${code}): ${lines.slice(-20).join('\n')}`));
    };
    child.once('exit', onExit);
    readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      keep(line);
      if (!line.includes('"listening"')) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve((JSON.parse(line) as { httpPort: number }).httpPort);
    });
  });
}
