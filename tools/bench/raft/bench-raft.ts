/**
 * `npm run bench:raft`: three RaftNodes in one process over LocalTransportHub, each with a
 * real WAL (node:fs, real fdatasync) in a temp directory. Phase 1: one proposer, sequential.
 * Phase 2: N concurrent proposers (default 64). Each proposal is `--payload-bytes` of data
 * proposed on the leader and timed until it is applied there (commit latency). Prints ONE
 * JSON object on stdout (figures per phase, machine, the raw fsync floor of this disk, and
 * the goals); progress goes to stderr.
 *
 *   npm run bench:raft -- [--seconds 5] [--payload-bytes 256] [--proposers 64] [--dir /tmp]
 *                         [--segment-mib 64]
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SeededRandom } from '@shoal/random';
import {
  LocalTransportHub,
  RaftNode,
  WalPersistence,
  type Applier,
  type AppliedEntry,
  type RaftNodeStats,
} from '@shoal/raft-node';
import { systemTimers } from '@shoal/runtime';

const args = process.argv.slice(2);
function flag(name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : fallback;
}
const SECONDS = Number(flag('seconds', '5'));
const PAYLOAD_BYTES = Number(flag('payload-bytes', '256'));
const PROPOSERS = Number(flag('proposers', '64'));
const BASE_DIR = flag('dir', os.tmpdir());
/** WAL segment size in MiB (the WAL's default is 64); each new segment is zero-filled inline. */
const SEGMENT_MIB = Number(flag('segment-mib', '64'));
/** Goals of the raft benchmark issue, at PROPOSERS concurrent proposers through the WAL. */
const GOALS = { entriesPerSecondMin: 20_000, p99MsMax: 10, proposers: PROPOSERS };
/** Raw fsync probe: this many 256 B append + fdatasync rounds, at most this long. */
const FSYNC_PROBE_ROUNDS = 2000;
const FSYNC_PROBE_MAX_MS = 2000;
const LEADER_WAIT_MS = 10_000;
/** Seconds of load before measuring (JIT warm-up, first segment writes). */
const WARMUP_SECONDS = 1;
const log = (msg: string): void => void process.stderr.write(`bench:raft ${msg}\n`);

interface Summary {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

function summarize(samples: number[]): Summary {
  if (samples.length === 0) return { count: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, maxMs: 0, meanMs: 0 };
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  let sum = 0;
  for (const x of sorted) sum += x;
  return {
    count: sorted.length,
    p50Ms: round(at(0.5)),
    p90Ms: round(at(0.9)),
    p99Ms: round(at(0.99)),
    maxMs: round(sorted[sorted.length - 1] ?? 0),
    meanMs: round(sum / sorted.length),
  };
}

/** CountingApplier is a minimal state machine: a count and a running checksum. */
class CountingApplier implements Applier {
  count = 0;
  checksum = 0;

  apply(entry: AppliedEntry): void {
    this.count += 1;
    this.checksum = (this.checksum * 31 + (entry.data[0] ?? 0) + entry.index) % 2_147_483_647;
  }

  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify({ count: this.count, checksum: this.checksum }));
  }

  restore(data: Uint8Array): void {
    const s = JSON.parse(new TextDecoder().decode(data)) as { count: number; checksum: number };
    this.count = s.count;
    this.checksum = s.checksum;
  }
}

/** probeFsync measures append + fdatasync of 256 B on this disk: the floor of one commit. */
async function probeFsync(dir: string): Promise<Summary> {
  const file = await fsp.open(path.join(dir, 'fsync-probe'), 'w+');
  const buffer = Buffer.alloc(256, 7);
  const samples: number[] = [];
  const deadline = performance.now() + FSYNC_PROBE_MAX_MS;
  try {
    for (let i = 0; i < FSYNC_PROBE_ROUNDS && performance.now() < deadline; i++) {
      await file.write(buffer, 0, buffer.length, i * buffer.length);
      const started = performance.now();
      await file.datasync();
      samples.push(performance.now() - started);
    }
  } finally {
    await file.close();
  }
  return summarize(samples);
}

async function startCluster(
  dir: string,
): Promise<{ nodes: RaftNode[]; appliers: CountingApplier[] }> {
  const random = new SeededRandom(42);
  const hub = new LocalTransportHub({ timers: systemTimers });
  const ids = [1, 2, 3];
  const nodes: RaftNode[] = [];
  const appliers: CountingApplier[] = [];
  for (const id of ids) {
    const applier = new CountingApplier();
    const node = new RaftNode({
      id,
      peers: ids,
      persistence: new WalPersistence({
        dir: path.join(dir, `member-${id}`),
        nodeId: id,
        segmentBytes: SEGMENT_MIB * 1024 * 1024,
      }),
      transport: hub.connect(id),
      applier,
      timers: systemTimers,
      random: random.fork(),
    });
    nodes.push(node);
    appliers.push(applier);
  }
  await Promise.all(nodes.map((n) => n.start()));
  return { nodes, appliers };
}

async function waitForLeader(nodes: RaftNode[]): Promise<RaftNode> {
  (nodes[0] as RaftNode).campaign();
  const deadline = performance.now() + LEADER_WAIT_MS;
  for (;;) {
    const leader = nodes.find((n) => n.isLeader);
    if (leader !== undefined) return leader;
    if (performance.now() > deadline) throw new Error('no leader elected');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface PhaseResult {
  proposers: number;
  seconds: number;
  proposals: number;
  errors: number;
  proposalsPerSecond: number;
  commitLatency: Summary;
  leader: { fsyncs: number; entriesPerFsync: number; fsyncsPerSecond: number; readys: number };
  followersEntriesPerFsync: number;
  eventLoopDelayP99Ms: number;
  cpuSecondsPerSecond: number;
}

function statsDelta(a: RaftNodeStats, b: RaftNodeStats): RaftNodeStats {
  return {
    readys: b.readys - a.readys,
    fsyncs: b.fsyncs - a.fsyncs,
    entriesSynced: b.entriesSynced - a.entriesSynced,
    entriesApplied: b.entriesApplied - a.entriesApplied,
    snapshots: b.snapshots - a.snapshots,
  };
}

async function runPhase(
  nodes: RaftNode[],
  leader: RaftNode,
  proposers: number,
  seconds: number,
): Promise<PhaseResult> {
  const payload = new Uint8Array(PAYLOAD_BYTES).fill(1);
  const latencies: number[] = [];
  let errors = 0;
  const before = nodes.map((n) => n.status().stats);
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const end = started + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        await leader.propose(payload);
        latencies.push(performance.now() - t0);
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: proposers }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  loopDelay.disable();
  const deltas = nodes.map((n, i) => statsDelta(before[i] as RaftNodeStats, n.status().stats));
  const leaderDelta = deltas[nodes.indexOf(leader)] as RaftNodeStats;
  const followers = deltas.filter((_, i) => nodes[i] !== leader);
  const followerFsyncs = followers.reduce((a, d) => a + d.fsyncs, 0);
  const followerEntries = followers.reduce((a, d) => a + d.entriesSynced, 0);
  const round2 = (x: number): number => Math.round(x * 100) / 100;
  return {
    proposers,
    seconds: round2(elapsed),
    proposals: latencies.length,
    errors,
    proposalsPerSecond: Math.round(latencies.length / elapsed),
    commitLatency: summarize(latencies),
    leader: {
      fsyncs: leaderDelta.fsyncs,
      entriesPerFsync: round2(leaderDelta.entriesSynced / Math.max(1, leaderDelta.fsyncs)),
      fsyncsPerSecond: Math.round(leaderDelta.fsyncs / elapsed),
      readys: leaderDelta.readys,
    },
    followersEntriesPerFsync: round2(followerEntries / Math.max(1, followerFsyncs)),
    eventLoopDelayP99Ms: round2(loopDelay.percentile(99) / 1e6),
    cpuSecondsPerSecond: round2((cpu.user + cpu.system) / 1e6 / elapsed),
  };
}

async function main(): Promise<void> {
  const loadBefore = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const dir = await fsp.mkdtemp(path.join(BASE_DIR, 'shoal-bench-raft-'));
  log(`data in ${dir}; ${SECONDS}s per phase, ${PAYLOAD_BYTES} B payloads`);
  try {
    const fsync = await probeFsync(dir);
    log(`raw fsync p50 ${fsync.p50Ms} ms`);
    const { nodes, appliers } = await startCluster(dir);
    const leader = await waitForLeader(nodes);
    log(`leader is member ${leader.id}`);
    await runPhase(nodes, leader, PROPOSERS, WARMUP_SECONDS);
    log('warmed up');
    const sequential = await runPhase(nodes, leader, 1, SECONDS);
    log(`1 proposer: ${sequential.proposalsPerSecond}/s p99 ${sequential.commitLatency.p99Ms} ms`);
    const concurrent = await runPhase(nodes, leader, PROPOSERS, SECONDS);
    const { proposalsPerSecond, commitLatency } = concurrent;
    log(`${PROPOSERS} proposers: ${proposalsPerSecond}/s p99 ${commitLatency.p99Ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const counts = appliers.map((a) => a.count);
    await Promise.all(nodes.map((n) => n.stop()));
    const walSegments = await Promise.all(
      nodes.map(async (n) => (await fsp.readdir(path.join(dir, `member-${n.id}`, 'wal'))).length),
    );
    const snapshots = nodes.map((n) => n.status().stats.snapshots);
    const result = {
      bench: 'raft',
      config: {
        seconds: SECONDS,
        payloadBytes: PAYLOAD_BYTES,
        members: 3,
        transport: 'local',
        wal: 'node:fs',
        walSegmentMiB: SEGMENT_MIB,
      },
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        /** 1-minute load average before and after: other work on a shared box skews results. */
        loadAverage1m: {
          before: loadBefore[0],
          after: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
        },
      },
      fsyncFloor: { bytes: 256, ...fsync },
      phases: { sequential, concurrent },
      appliedPerMember: counts,
      /** WAL segment files left per member (each new 64 MiB segment is zero-filled inline). */
      walSegmentsPerMember: walSegments,
      snapshotsPerMember: snapshots,
      goals: {
        ...GOALS,
        met:
          concurrent.proposalsPerSecond >= GOALS.entriesPerSecondMin &&
          concurrent.commitLatency.p99Ms <= GOALS.p99MsMax,
      },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
