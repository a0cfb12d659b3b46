/**
 * RaftNodeOptions: everything a RaftNode is started with, and their defaults.
 */
import { assert } from '@shoal/assert';
import type { Timers } from '@shoal/clock';
import { RAFT_LIMITS } from '@shoal/limits';
import type { Logger } from '@shoal/logging';
import type { Metrics } from '@shoal/metrics';
import type { Config } from '@shoal/raft';
import type { Random } from '@shoal/random';
import type { Applier } from './applier';
import { RAFT_NODE_LIMITS } from '@shoal/limits';
import type { RaftPersistence } from './persistence';
import type { Transport } from './transport';

/** RaftTuning are the raft core's knobs a shell may override (see `@shoal/raft` Config). */
export type RaftTuning = Partial<Omit<Config, 'id' | 'storage' | 'random' | 'applied' | 'logger'>>;

/** RaftNodeOptions configure a {@link RaftNode}. Optional fields take the documented defaults. */
export interface RaftNodeOptions<R = void> {
  /** This member's raft id: positive, never reused after a removal. */
  id: number;
  /**
   * The voters of a new cluster, this member included: on its first start the member writes
   * the bootstrap log (one AddNode per voter). Empty or omitted: the member joins an
   * existing cluster and waits for the leader to send it the log. Ignored on a restart.
   */
  peers?: readonly number[];
  /** Durable storage: WalPersistence in production, MemoryPersistence in unit tests. */
  persistence: RaftPersistence;
  /** The peer network. */
  transport: Transport;
  /** The replicated state machine; `apply` returns what the proposer's promise gets. */
  applier: Applier<R>;
  /** Timers for ticks and deadlines (systemTimers in production, ManualClock in tests). */
  timers: Timers;
  /** Randomness for election timeouts and request ids. */
  random: Random;
  /** Monotonic milliseconds for latency metrics (default performance.now). */
  now?: () => number;
  /** Registry for `shoal_raft_*` metrics (default: none). */
  metrics?: Metrics;
  /** Structured logger (default: silent). */
  logger?: Logger;
  /** Raft core overrides (election and heartbeat ticks, message sizes, ...). */
  raft?: RaftTuning;
  /** Ms between ticks (default RAFT_LIMITS.tickMs). */
  tickMs?: number;
  /** Applied entries between snapshots (default RAFT_NODE_LIMITS.snapshotIntervalEntries). */
  snapshotIntervalEntries?: number;
  /** Entries kept behind a snapshot (default RAFT_NODE_LIMITS.logEntriesForSlowFollowers). */
  logEntriesForSlowFollowers?: number;
  /** Ms a proposal waits to be applied (default RAFT_NODE_LIMITS.proposalTimeoutMs). */
  proposalTimeoutMs?: number;
  /** Ms a read waits for its read index (default RAFT_NODE_LIMITS.readIndexTimeoutMs). */
  readIndexTimeoutMs?: number;
}

/** ResolvedOptions are RaftNodeOptions with every default filled in. */
export interface ResolvedOptions extends Omit<RaftNodeOptions<unknown>, 'applier'> {
  peers: readonly number[];
  now: () => number;
  raft: RaftTuning;
  tickMs: number;
  snapshotIntervalEntries: number;
  logEntriesForSlowFollowers: number;
  proposalTimeoutMs: number;
  readIndexTimeoutMs: number;
  electionTimeoutMs: number;
}

/** resolveOptions fills defaults and validates; invalid options are a programmer error. */
export function resolveOptions<R>(o: RaftNodeOptions<R>): ResolvedOptions {
  const tickMs = o.tickMs ?? RAFT_LIMITS.tickMs;
  const electionTicks = o.raft?.electionTicks ?? RAFT_LIMITS.electionTicks;
  const { applier: _applier, ...rest } = o;
  const r: ResolvedOptions = {
    ...rest,
    peers: o.peers ?? [],
    now: o.now ?? (() => performance.now()),
    raft: o.raft ?? {},
    tickMs,
    snapshotIntervalEntries: o.snapshotIntervalEntries ?? RAFT_NODE_LIMITS.snapshotIntervalEntries,
    logEntriesForSlowFollowers:
      o.logEntriesForSlowFollowers ?? RAFT_NODE_LIMITS.logEntriesForSlowFollowers,
    proposalTimeoutMs: o.proposalTimeoutMs ?? RAFT_NODE_LIMITS.proposalTimeoutMs,
    readIndexTimeoutMs: o.readIndexTimeoutMs ?? RAFT_NODE_LIMITS.readIndexTimeoutMs,
    electionTimeoutMs: electionTicks * tickMs,
  };
  assert(Number.isSafeInteger(r.id) && r.id > 0, 'raft id is a positive integer');
  assert(r.tickMs > 0, 'tick interval is positive');
  assert(r.snapshotIntervalEntries > 0, 'snapshot interval is positive');
  assert(r.logEntriesForSlowFollowers >= 0, 'kept log tail is not negative');
  assert(
    r.logEntriesForSlowFollowers < r.snapshotIntervalEntries,
    'kept log tail is shorter than the snapshot interval',
  );
  assert(r.proposalTimeoutMs > 0, 'proposal timeout is positive');
  assert(r.readIndexTimeoutMs > 0, 'read timeout is positive');
  return r;
}
