/**
 * The Shoal target: three raft-store processes (the built app, dist/apps/raft-store/main.js,
 * built first when missing) on loopback, each with its own state dir in a temp directory,
 * driven through `@shoal/store-client` with the test identity `gateway` (writer `user`).
 * A key is a Config object (id derived from the key, data = key NUL value): put is a
 * create-or-update, get a linearizable Get, watch a Store.Watch of configs.
 */
import { createHash } from 'node:crypto';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { isShoalError } from '@shoal/errors';
import { Config, type Meta } from '@shoal/proto';
import { connectStore, objectKindOf, type StoreClient } from '@shoal/store-client';
import type { BenchClient, BenchTarget, TargetInfo } from './target';

const MEMBERS = 3;
const START_TIMEOUT_MS = 30_000;
const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.join(ROOT, 'dist', 'apps', 'raft-store', 'main.js');
/** The members' bundle: `SHOAL_BENCH_MEMBER_MAIN` swaps in another build (an instrumented copy, an A/B variant). */
const memberMain = (): string => process.env['SHOAL_BENCH_MEMBER_MAIN'] ?? MAIN;
/** Extra node flags for the members (diagnostics, e.g. `--cpu-prof`); they then stop with SIGTERM. */
const MEMBER_NODE_ARGS = (process.env['SHOAL_BENCH_MEMBER_ARGS'] ?? '').split(' ').filter((a) => a !== '');
const STOP_SIGNAL: NodeJS.Signals = MEMBER_NODE_ARGS.length > 0 ? 'SIGTERM' : 'SIGKILL';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** ensureBuilt builds the raft-store bundle when dist has none. */
function ensureBuilt(): void {
  if (fs.existsSync(memberMain())) return;
  process.stderr.write('bench: building raft-store…\n');
  execFileSync('npx', ['nx', 'build', 'raft-store'], { cwd: ROOT, stdio: 'inherit' });
}

function startMember(dir: string, i: number, addresses: string[]): Promise<ChildProcess> {
  const members = addresses.map((a, j) => `${j + 1}=${a}`).join(',');
  const args = [...MEMBER_NODE_ARGS, memberMain(), '--node-id', String(i + 1), '--members', members,
    '--grpc-port', addresses[i].split(':')[1], '--http-port', '0',
    '--state-dir', path.join(dir, `m${i + 1}`), '--allow-test-identity'];
  const log = fs.createWriteStream(path.join(dir, `m${i + 1}.log`), { flags: 'a' });
  const child = spawn(process.execPath, args, {
    env: { ...process.env, SHOAL_ALLOW_TEST_IDENTITY: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.pipe(log);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`raft-store ${i + 1} did not start; see ${dir}`)),
      START_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`raft-store ${i + 1} exited ${code}; see ${dir}`)));
    readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      log.write(`${line}\n`);
      if (!line.includes('"listening"')) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve(child);
    });
  });
}

/** waitForLeader asks each member who leads until one knows; returns its member index. */
async function waitForLeader(addresses: string[]): Promise<number> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    for (const address of addresses) {
      const client = connectStore({ endpoints: [address], identityForTests: 'store', deadlineMs: 500 });
      try {
        const { leader } = await client.listMembers({ signal: AbortSignal.timeout(1_000) });
        if (leader !== 0) return leader - 1;
      } catch {
        // Down or electing: ask the next member.
      } finally {
        client.close();
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the raft-store elected no leader within ${START_TIMEOUT_MS} ms`);
}

/** startShoal starts the three members and waits until one of them leads. */
export async function startShoal(): Promise<BenchTarget> {
  ensureBuilt();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-bench-raft-store-'));
  const addresses: string[] = [];
  for (let i = 0; i < MEMBERS; i++) addresses.push(`127.0.0.1:${await freePort()}`);
  const members = await Promise.all(addresses.map((_, i) => startMember(dir, i, addresses)));
  await waitForLeader(addresses);
  const info: TargetInfo = { system: 'shoal', endpoints: addresses };
  return {
    info,
    memberPids: () => members.map((m) => m.pid ?? 0).filter((pid) => pid > 0),
    async killLeader() {
      const leader = await waitForLeader(addresses);
      const exited = new Promise((r) => members[leader].once('exit', r));
      members[leader].kill('SIGKILL');
      await exited;
      return leader;
    },
    async restartMember(i) {
      members[i] = await startMember(dir, i, addresses);
      await waitForLeader(addresses);
    },
    async stop() {
      const exits = members.filter((m) => m.exitCode === null && m.signalCode === null)
        .map((m) => new Promise((r) => m.once('exit', r)));
      for (const m of members) m.kill(STOP_SIGNAL);
      await Promise.all(exits);
      if (process.env['SHOAL_BENCH_KEEP_DIR'] === '1') process.stderr.write(`bench: kept ${dir}\n`);
      else fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** keyId maps a bench key to a store id: 25 base-36 chars from its SHA-256, under MAX_ID. */
function keyId(key: string): string {
  const digest = BigInt(`0x${createHash('sha256').update(key).digest('hex')}`);
  return `0${digest.toString(36).slice(0, 24).padStart(24, '0')}`;
}

function configOf(key: string, value: Buffer, meta?: Meta): Config {
  const id = keyId(key);
  return Config.fromPartial({
    id, meta, spec: { annotations: { name: id, labels: {} }, data: Buffer.concat([Buffer.from(`${key}\0`), value]) },
  });
}

function keyValueOf(config: Config): [string, Buffer] | undefined {
  const data = config.spec?.data;
  if (data === undefined) return undefined;
  const bytes = Buffer.from(data);
  const nul = bytes.indexOf(0);
  return nul < 0 ? undefined : [bytes.subarray(0, nul).toString(), bytes.subarray(nul + 1)];
}

/** shoalClient is the load workers' client: one store client over every member. */
export function shoalClient(info: TargetInfo): BenchClient {
  const client: StoreClient = connectStore({ endpoints: info.endpoints, identityForTests: 'gateway' });
  const metas = new Map<string, Meta | undefined>();
  const write = async (key: string, value: Buffer, deadlineMs: number, update: boolean) => {
    const id = keyId(key);
    const object = configOf(key, value, metas.get(id));
    const committed = await client.transaction([{ action: update ? 'update' : 'create', kind: 'config', object }],
      { writer: 'user', deadlineMs, signal: AbortSignal.timeout(deadlineMs) });
    metas.set(id, (committed.objects[0]?.object as Config | undefined)?.meta);
  };
  return {
    async put(key, value, deadlineMs) {
      const id = keyId(key);
      try {
        await write(key, value, deadlineMs, metas.has(id));
      } catch (err) {
        if (!isShoalError(err, 'ALREADY_EXISTS') && !isShoalError(err, 'SEQUENCE_CONFLICT') &&
          !isShoalError(err, 'NOT_FOUND')) throw err;
        const current = await client.get('config', id, { deadlineMs, signal: AbortSignal.timeout(deadlineMs) });
        if (current === undefined) metas.delete(id);
        else metas.set(id, current.meta);
        await write(key, value, deadlineMs, current !== undefined);
      }
    },
    async get(key, deadlineMs) {
      await client.get('config', keyId(key), { deadlineMs, signal: AbortSignal.timeout(deadlineMs) });
    },
    async watch(prefix, onEvent) {
      const { version } = await client.list(['config'], { stale: true });
      const sub = client.watch({ fromVersion: version, filters: [{ kinds: [objectKindOf('config')] }] }, {
        onTransaction: (t) => {
          for (const e of t.events) {
            const kv = keyValueOf(e.object as Config);
            if (kv !== undefined && kv[0].startsWith(prefix)) onEvent(kv[0], kv[1]);
          }
        },
      });
      return async () => {
        sub.close();
      };
    },
    async close() {
      client.close();
    },
  };
}
