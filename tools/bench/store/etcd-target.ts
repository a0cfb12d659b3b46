/**
 * The etcd reference target: three etcd 3.4 members on loopback (heartbeat 100 ms, election
 * 1000 ms, as measured in perf.md §9), each with its own data dir in a temp directory. Debian's
 * `etcd-server` is installed when `etcd` is missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import type { BenchClient, BenchTarget, TargetInfo } from './target';

const MEMBERS = 3;
const CLIENT_PORT_BASE = 23790;
const PEER_PORT_BASE = 23890;
const START_TIMEOUT_MS = 30_000;

/** ensureEtcd installs Debian's etcd-server when no `etcd` binary is on the PATH. */
export function ensureEtcd(): void {
  if (spawnSync('sh', ['-c', 'command -v etcd'], { stdio: 'ignore' }).status === 0) return;
  process.stderr.write('bench: installing Debian etcd-server…\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install = spawnSync('apt-get', ['install', '-y', '-qq', 'etcd-server'], { stdio: 'inherit', env });
  if (install.status !== 0) throw new Error('could not install etcd-server with apt-get');
}

const clientUrl = (i: number) => `http://127.0.0.1:${CLIENT_PORT_BASE + i}`;
const peerUrl = (i: number) => `http://127.0.0.1:${PEER_PORT_BASE + i}`;

function startMember(dir: string, i: number, state: 'new' | 'existing'): ChildProcess {
  const cluster = Array.from({ length: MEMBERS }, (_, j) => `m${j}=${peerUrl(j)}`).join(',');
  const args = [
    `--name=m${i}`, `--data-dir=${path.join(dir, `m${i}`)}`,
    `--listen-client-urls=${clientUrl(i)}`, `--advertise-client-urls=${clientUrl(i)}`,
    `--listen-peer-urls=${peerUrl(i)}`, `--initial-advertise-peer-urls=${peerUrl(i)}`,
    `--initial-cluster=${cluster}`, `--initial-cluster-state=${state}`,
    '--initial-cluster-token=shoal-bench', '--heartbeat-interval=100', '--election-timeout=1000',
    '--logger=zap', '--log-level=warn',
  ];
  const log = fs.openSync(path.join(dir, `m${i}.log`), 'a');
  return spawn('etcd', args, { stdio: ['ignore', log, log] });
}

async function memberStatus(i: number): Promise<{ isLeader: boolean } | undefined> {
  const client = new Etcd3({ hosts: clientUrl(i), dialTimeout: 500 });
  try {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 500));
    const status = await Promise.race([client.maintenance.status(), timeout]);
    return { isLeader: status.header.member_id === status.leader };
  } catch {
    return undefined;
  } finally {
    client.close();
  }
}

async function waitForLeader(): Promise<number> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    for (let i = 0; i < MEMBERS; i++) {
      if ((await memberStatus(i))?.isLeader) return i;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`etcd elected no leader within ${START_TIMEOUT_MS} ms`);
}

/** startEtcd starts the three members and waits until one of them leads. */
export async function startEtcd(): Promise<BenchTarget> {
  ensureEtcd();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-bench-etcd-'));
  const members: ChildProcess[] = Array.from({ length: MEMBERS }, (_, i) => startMember(dir, i, 'new'));
  try {
    await waitForLeader();
  } catch (err) {
    for (const m of members) m.kill('SIGKILL');
    throw new Error(`${(err as Error).message}; member logs in ${dir}`);
  }
  const info: TargetInfo = { system: 'etcd', endpoints: members.map((_, i) => clientUrl(i)) };
  return {
    info,
    memberPids: () => members.map((m) => m.pid ?? 0).filter((pid) => pid > 0),
    async killLeader() {
      const leader = await waitForLeader();
      members[leader].kill('SIGKILL');
      await new Promise((r) => members[leader].once('exit', r));
      return leader;
    },
    async restartMember(i) {
      members[i] = startMember(dir, i, 'existing');
      await waitForLeader();
    },
    async stop() {
      for (const m of members) m.kill('SIGKILL');
      await Promise.all(members.map((m) => (m.exitCode === null ? new Promise((r) => m.once('exit', r)) : 0)));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** etcdClient is the load workers' client: one etcd3 client over every endpoint. */
export function etcdClient(info: TargetInfo): BenchClient {
  const client = new Etcd3({ hosts: info.endpoints, dialTimeout: 1000 });
  return {
    async put(key, value, deadlineMs) {
      await client.put(key).value(value).options({ deadline: Date.now() + deadlineMs }).exec();
    },
    async get(key, deadlineMs) {
      await client.get(key).options({ deadline: Date.now() + deadlineMs }).buffer();
    },
    async watch(prefix, onEvent) {
      const watcher = await client.watch().prefix(prefix).create();
      watcher.on('put', (kv) => onEvent(kv.key.toString(), kv.value));
      return async () => {
        await watcher.cancel();
      };
    },
    async close() {
      client.close();
    },
  };
}
