/**
 * bench-scheduler measures the scheduler core's decisions in memory and compares them with
 * SwarmKit's scheduler benchmark (moby/swarmkit PR #193; perf.md §3.3): N ready nodes, T
 * pending tasks of one replicated service, no reservations, every third node with a network
 * plug-in (as `benchScheduler` in SwarmKit's scheduler_test.go).
 *
 * Phases, timed separately, median of `RUNS` runs:
 * - build: constructing the Node and Task objects (SwarmKit's figure includes creating them in
 *   its in-memory store);
 * - ingest: feeding them to SchedulerState as the shell's watch would (upsertNode/upsertTask);
 * - schedule: one `schedule()` pass producing every decision.
 * `ratio` = (build + ingest + schedule) / SwarmKit's figure (goal ≤ 0.5); `ratioScheduleOnly`
 * uses the schedule phase alone.
 *
 * Then `committed` (bench-committed.ts): a 10k-replica service placed on 1k nodes by the real
 * scheduler loop through a real three-member raft-store, as tasks/s (goal ≥ 2,000/s).
 * Prints one JSON object.
 *
 * Usage: npm run bench:scheduler [-- --runs 3] [--memory-only | --committed-only]
 */
import { performance } from 'node:perf_hooks';
import {
  NodeRole,
  NodeSpec_Availability,
  NodeSpec_Membership,
  NodeStatus_State,
  TaskState,
  type Node,
  type Task,
} from '@shoal/proto';
import { SchedulerState, schedule } from '@shoal/scheduler-core';
import { benchCommitted, type CommittedResult } from './bench-committed';

interface BenchCase {
  readonly name: string;
  readonly nodes: number;
  readonly tasks: number;
  readonly swarmkitMs: number;
}

const CASES: readonly BenchCase[] = [
  { name: '1kNodes1kTasks', nodes: 1_000, tasks: 1_000, swarmkitMs: 189 },
  { name: '1kNodes10kTasks', nodes: 1_000, tasks: 10_000, swarmkitMs: 1_800 },
  { name: '1kNodes100kTasks', nodes: 1_000, tasks: 100_000, swarmkitMs: 22_600 },
  { name: '100kNodes100kTasks', nodes: 100_000, tasks: 100_000, swarmkitMs: 29_200 },
];

function makeNode(i: number): Node {
  return {
    id: `node${String(i).padStart(7, '0')}`,
    meta: { version: { index: 1 } },
    spec: {
      annotations: { name: `name${i}`, labels: {} },
      desiredRole: NodeRole.WORKER,
      membership: NodeSpec_Membership.ACCEPTED,
      availability: NodeSpec_Availability.ACTIVE,
    },
    status: { state: NodeStatus_State.READY, message: '', addr: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
    description: {
      hostname: `host${i}`,
      fips: false,
      engine: {
        engineVersion: '27.0.0',
        labels: {},
        plugins: i % 3 === 0 ? [{ name: 'network', type: 'Network' }] : [],
      },
    },
    role: NodeRole.WORKER,
    attachments: [],
  };
}

function makeTask(i: number): Task {
  return {
    id: `task${i}`,
    specVersion: { index: 1 },
    serviceId: 'service1',
    slot: i + 1,
    nodeId: '',
    serviceAnnotations: { name: `task${i}`, labels: {} },
    allocatorStatus: { state: TaskState.PENDING, message: 'pending task scheduling', err: '', appliedBy: '' },
    desiredState: TaskState.RUNNING,
    networks: [],
    assignedGenericResources: [],
  };
}

interface RunTimes {
  readonly buildMs: number;
  readonly ingestMs: number;
  readonly scheduleMs: number;
}

function runOnce(c: BenchCase): RunTimes {
  const t0 = performance.now();
  const nodes = Array.from({ length: c.nodes }, (_, i) => makeNode(i));
  const tasks = Array.from({ length: c.tasks }, (_, i) => makeTask(i));
  const t1 = performance.now();
  const state = new SchedulerState();
  for (const node of nodes) state.upsertNode(node);
  const pending: Task[] = [];
  for (const task of tasks) if (state.upsertTask(task, 0) === 'unassigned') pending.push(task);
  const t2 = performance.now();
  const result = schedule(state, pending, 0);
  const t3 = performance.now();
  if (result.decisions.length !== c.tasks) throw new Error(`${c.name}: not every task placed`);
  return { buildMs: t1 - t0, ingestMs: t2 - t1, scheduleMs: t3 - t2 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function benchCase(c: BenchCase, runs: number): Record<string, number | string> {
  runOnce(c); // Warm-up: JIT and heap sizing.
  const times = Array.from({ length: runs }, () => runOnce(c));
  const buildMs = median(times.map((t) => t.buildMs));
  const ingestMs = median(times.map((t) => t.ingestMs));
  const scheduleMs = median(times.map((t) => t.scheduleMs));
  const totalMs = median(times.map((t) => t.buildMs + t.ingestMs + t.scheduleMs));
  return {
    nodes: c.nodes,
    tasks: c.tasks,
    buildMs: round(buildMs),
    ingestMs: round(ingestMs),
    scheduleMs: round(scheduleMs),
    totalMs: round(totalMs),
    tasksPerSecond: Math.round(c.tasks / (totalMs / 1000)),
    scheduleTasksPerSecond: Math.round(c.tasks / (scheduleMs / 1000)),
    swarmkitMs: c.swarmkitMs,
    ratio: round(totalMs / c.swarmkitMs, 4),
    ratioScheduleOnly: round(scheduleMs / c.swarmkitMs, 4),
  };
}

async function main(): Promise<void> {
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 3;
  const memory = !process.argv.includes('--committed-only');
  const committedToo = !process.argv.includes('--memory-only');
  const started = performance.now();
  const cases: Record<string, Record<string, number | string>> = {};
  if (memory) for (const c of CASES) cases[c.name] = benchCase(c, runs);
  const ratios = Object.values(cases).map((c) => c['ratio'] as number);
  const committed: CommittedResult | undefined = committedToo ? await benchCommitted() : undefined;
  const out = {
    bench: 'scheduler',
    node: process.version,
    runs,
    goal: 'ratio <= 0.5 for every in-memory case; >= 2,000 committed placements/s',
    goalMet: ratios.every((r) => r <= 0.5) && (committed?.goalMet ?? true),
    cases,
    committed,
    wallMs: Math.round(performance.now() - started),
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-scheduler failed: ${String(err)}\n`);
  process.exitCode = 1;
});
