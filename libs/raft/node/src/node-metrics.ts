/**
 * NodeMetrics: the raft shell's Prometheus series (`shoal_raft_*`). Every method is a no-op
 * when the node was given no registry, so the Ready loop never branches on it.
 */
import type { Counter, Gauge, Histogram, Metrics } from '@shoal/metrics';

/** Histogram buckets (seconds) for fsync, apply and commit latencies: 50 µs to 2.5 s. */
const LATENCY_SECONDS_BUCKETS: readonly number[] = Object.freeze([
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5,
]);

/** Histogram buckets for entries per fsync: powers of two up to RAFT_LIMITS.maxEntriesPerReady. */
const ENTRIES_BUCKETS: readonly number[] = Object.freeze([
  1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096,
]);

/** Histogram buckets (seconds) for snapshots, which may serialise the whole store. */
const SNAPSHOT_SECONDS_BUCKETS: readonly number[] = Object.freeze([
  0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30,
]);

/**
 * NodeMetrics records one node's raft series. Construct it with the process registry (or
 * undefined for none); each RaftNode of a process should carry a `raft_id` default label
 * through its registry when several share one.
 */
export class NodeMetrics {
  private readonly term?: Gauge;
  private readonly commitIndex?: Gauge;
  private readonly appliedIndex?: Gauge;
  private readonly hasLeader?: Gauge;
  private readonly isLeader?: Gauge;
  private readonly leaderChanges?: Counter;
  private readonly proposalsCommitted?: Counter;
  private readonly proposalsFailed?: Counter<'reason'>;
  private readonly proposalsPending?: Gauge;
  private readonly fsyncSeconds?: Histogram;
  private readonly entriesPerFsync?: Histogram;
  private readonly applySeconds?: Histogram;
  private readonly proposalSeconds?: Histogram;
  private readonly snapshotSeconds?: Histogram;

  constructor(metrics: Metrics | undefined) {
    if (metrics === undefined) return;
    const g = (name: string, help: string): Gauge => metrics.gauge(`raft_${name}`, help);
    this.term = g('term', 'Current raft term');
    this.commitIndex = g('commit_index', 'Highest log index known to be committed');
    this.appliedIndex = g('applied_index', 'Highest log index applied to the state machine');
    this.hasLeader = g('has_leader', '1 when a leader is known, else 0');
    this.isLeader = g('is_leader', '1 when this member is the leader, else 0');
    this.proposalsPending = g('proposals_pending', 'Proposals waiting to be applied');
    this.leaderChanges = metrics.counter('raft_leader_changes_total', 'Leader changes seen');
    this.proposalsCommitted = metrics.counter(
      'raft_proposals_committed_total',
      'Proposals of this member applied locally',
    );
    this.proposalsFailed = metrics.counter(
      'raft_proposals_failed_total',
      'Proposals of this member that failed, by reason',
      ['reason'],
    );
    const h = (name: string, help: string, buckets: readonly number[]): Histogram =>
      metrics.histogram(`raft_${name}`, help, [], buckets);
    this.fsyncSeconds = h(
      'wal_fsync_duration_seconds',
      'Duration of a synced WAL save (write + fdatasync)',
      LATENCY_SECONDS_BUCKETS,
    );
    this.entriesPerFsync = h(
      'entries_per_fsync',
      'Entries made durable by one fsync',
      ENTRIES_BUCKETS,
    );
    this.applySeconds = h(
      'apply_duration_seconds',
      'Duration of applying one Ready',
      LATENCY_SECONDS_BUCKETS,
    );
    this.proposalSeconds = h(
      'proposal_duration_seconds',
      'Time from propose to local apply on the proposer',
      LATENCY_SECONDS_BUCKETS,
    );
    this.snapshotSeconds = h(
      'snapshot_duration_seconds',
      'Duration of taking and saving a snapshot',
      SNAPSHOT_SECONDS_BUCKETS,
    );
  }

  /** hardState records the term and commit index of a persisted HardState. */
  hardState(term: number, commit: number): void {
    this.term?.set(term);
    this.commitIndex?.set(commit);
  }

  /** leader records the known leader after a change (`leaderId` 0 = none). */
  leader(leaderId: number, self: boolean, changed: boolean): void {
    this.hasLeader?.set(leaderId === 0 ? 0 : 1);
    this.isLeader?.set(self ? 1 : 0);
    if (changed) this.leaderChanges?.inc();
  }

  /** fsync records one synced save of `entries` entries that took `seconds`. */
  fsync(seconds: number, entries: number): void {
    this.fsyncSeconds?.observe(seconds);
    this.entriesPerFsync?.observe(entries);
  }

  /** applied records one Ready's apply pass and the new applied index. */
  applied(seconds: number, appliedIndex: number): void {
    this.applySeconds?.observe(seconds);
    this.appliedIndex?.set(appliedIndex);
  }

  /** proposalCommitted records a proposal applied `seconds` after it was proposed. */
  proposalCommitted(seconds: number): void {
    this.proposalsCommitted?.inc();
    this.proposalSeconds?.observe(seconds);
  }

  /** proposalFailed records a failed proposal with its raft reason. */
  proposalFailed(reason: string): void {
    this.proposalsFailed?.inc({ reason });
  }

  /** pending records how many proposals wait to be applied. */
  pending(count: number): void {
    this.proposalsPending?.set(count);
  }

  /** snapshot records one snapshot that took `seconds`. */
  snapshot(seconds: number): void {
    this.snapshotSeconds?.observe(seconds);
  }
}
