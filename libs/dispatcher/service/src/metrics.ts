// The dispatcher's metrics (names get the `shoal_` prefix from @shoal/metrics).
import type { Counter, Gauge, Histogram, Metrics } from '@shoal/metrics';

/** DispatcherMetrics are the dispatcher's counters, gauges and histograms. */
export interface DispatcherMetrics {
  readonly sessions: Gauge;
  readonly registrations: Counter<'outcome'>;
  readonly heartbeats: Counter;
  /** How late a beat came relative to the period it was told (negative = early), seconds. */
  readonly heartbeatLagSeconds: Histogram;
  readonly nodesDown: Counter;
  /** Ticks that came so late the heartbeat deadlines were postponed. */
  readonly stalls: Counter;
  readonly nodesByState: Gauge<'state'>;
  readonly assignmentStreams: Gauge;
  readonly assignmentBatchChanges: Histogram;
  readonly statusUpdates: Counter<'verdict'>;
  readonly statusWrites: Counter<'outcome'>;
  readonly statusBatchSize: Histogram;
  readonly statusBatchSeconds: Histogram;
  readonly statusLatencySeconds: Histogram;
}

const SIZE_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000];
const LAG_BUCKETS = [-2, -1, -0.5, -0.1, 0, 0.1, 0.5, 1, 2, 5, 10];

/** dispatcherMetrics registers (idempotently) the dispatcher's metrics on `metrics`. */
export function dispatcherMetrics(metrics: Metrics): DispatcherMetrics {
  return {
    sessions: metrics.gauge('dispatcher_sessions', 'Agent sessions this replica serves'),
    registrations: metrics.counter('dispatcher_registrations_total', 'Session registrations by outcome', ['outcome']),
    heartbeats: metrics.counter('dispatcher_heartbeats_total', 'Heartbeats accepted'),
    heartbeatLagSeconds: metrics.histogram('dispatcher_heartbeat_lag_seconds',
      'Beat arrival minus the period the agent was given', [], LAG_BUCKETS),
    nodesDown: metrics.counter('dispatcher_nodes_down_total', 'Nodes marked DOWN (heartbeat failure)'),
    stalls: metrics.counter('dispatcher_stalls_total', 'Ticks so late that heartbeat deadlines were postponed'),
    nodesByState: metrics.gauge('dispatcher_nodes', 'Nodes in the store by status state', ['state']),
    assignmentStreams: metrics.gauge('dispatcher_assignment_streams', 'Open Assignments streams'),
    assignmentBatchChanges: metrics.histogram('dispatcher_assignment_batch_changes',
      'Changes per assignments message', [], SIZE_BUCKETS),
    statusUpdates: metrics.counter('dispatcher_status_updates_total', 'Reported task statuses by verdict', ['verdict']),
    statusWrites: metrics.counter('dispatcher_status_writes_total', 'Task status writes by outcome', ['outcome']),
    statusBatchSize: metrics.histogram('dispatcher_status_batch_size', 'Task statuses per flush', [], SIZE_BUCKETS),
    statusBatchSeconds: metrics.histogram('dispatcher_status_batch_duration_seconds', 'Duration of one status flush'),
    statusLatencySeconds: metrics.histogram('dispatcher_status_latency_seconds',
      'From a status being queued to its flush finishing'),
  };
}
