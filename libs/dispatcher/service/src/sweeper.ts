// Who marks a node DOWN when the dispatcher holding its session dies, and who orphans the tasks
// of nodes DOWN for 24 h: one replica at a time, the holder of the lease `dispatcher-sweeper`.
// Every replica proves it is alive with its own lease `dispatcher-replica/<id>`. See
// docs/design/dispatcher.md, "Who marks a node DOWN when its dispatcher dies".
import type { Clock, Timers } from '@shoal/clock';
import { HeartbeatTracker } from '@shoal/dispatcher-core';
import type { DispatcherLimits } from '@shoal/limits';
import type { Logger } from '@shoal/logging';
import { NodeStatus_State, observedTaskState, TaskState, type Node, type NodeStatus, type Task } from '@shoal/proto';
import type { Random } from '@shoal/random';
import { runLeaderElection, type LeaseObserver, type StoreClient } from '@shoal/store-client';

/** SWEEPER_LEASE is the lease the sweeping replica holds. */
export const SWEEPER_LEASE = 'dispatcher-sweeper';

/** replicaLease names the liveness lease of dispatcher replica `id`. */
export function replicaLease(id: string): string {
  return `dispatcher-replica/${id}`;
}

/** ORPHANED_MESSAGE is Task.status.message of tasks orphaned on a node DOWN too long. */
export const ORPHANED_MESSAGE = 'node down for too long: task orphaned';

/** SweeperDeps are what the sweeper reads and writes through its dispatcher. */
export interface SweeperDeps {
  readonly client: StoreClient;
  readonly dispatcherId: string;
  readonly clock: Clock;
  /** Timers of the lease loops (real time). */
  readonly timers: Timers;
  readonly random: Random;
  readonly logger: Logger;
  readonly limits: DispatcherLimits;
  /** Every node the dispatcher's informer holds. */
  readonly nodes: () => Iterable<Node>;
  /** The tasks assigned to a node. */
  readonly tasksOf: (nodeId: string) => Iterable<Task>;
  /** Whether this replica holds the node's session. */
  readonly holds: (nodeId: string) => boolean;
  /** Queue an agent-style status for a task (the dispatcher's batched writer). */
  readonly queueTaskStatus: (task: Task, state: TaskState, message: string) => void;
  /**
   * Queue the node's DOWN write, to apply only while its status still has `seen`'s state and
   * message (the dispatcher's batched node writer).
   */
  readonly queueDown: (nodeId: string, seen: Pick<NodeStatus, 'state' | 'message'>) => void;
}

/** holderOf returns the dispatcher ID in a READY node's status message, if any. */
export function holderOf(status: NodeStatus | undefined, prefix: string): string | undefined {
  const message = status?.message ?? '';
  return message.startsWith(prefix) ? message.slice(prefix.length) : undefined;
}

interface Holder {
  readonly observer: LeaseObserver;
  aliveUntilMs: number;
}

const WATCHED_STATES = new Set([NodeStatus_State.UNKNOWN, NodeStatus_State.READY, NodeStatus_State.DISCONNECTED]);

/**
 * NodeSweeper: contract.
 * - `run(signal)` keeps this replica's liveness lease and campaigns for SWEEPER_LEASE until
 *   `signal` aborts.
 * - While it holds SWEEPER_LEASE, `sweep(now)` gives every node in UNKNOWN, READY or
 *   DISCONNECTED that no live replica holds (not this one's session; for READY, the holder
 *   named in its message has no live lease) a grace of period × unknownGracePeriodMultiplier
 *   from when the sweeper first saw it so; a node that re-registers anywhere meanwhile is
 *   dropped. When the grace passes, the node is written DOWN "heartbeat failure" with a
 *   batched, conditional write that only applies if the node's status is still the one seen.
 * - It also remembers (in memory) when it first saw each node DOWN, and after
 *   nodeDownPeriodMs queues ORPHANED for every task of the node observed ASSIGNED..RUNNING.
 * - A holder counts as alive until ttl after the last lease change this replica observed
 *   (keep-alives change the expiry every ttl/3), so a dead holder is noticed within ttl.
 */
export class NodeSweeper {
  private leading = false;
  private readonly tracker: HeartbeatTracker;
  private readonly seen = new Map<string, NodeStatus | undefined>();
  private readonly holders = new Map<string, Holder>();
  private readonly downSince = new Map<string, number>();
  private readonly orphaned = new Set<string>();

  constructor(private readonly deps: SweeperDeps, readonly readyPrefix: string, readonly downMessage: string) {
    this.tracker = new HeartbeatTracker(deps.limits, deps.random);
  }

  /** isLeading reports whether this replica sweeps now. */
  get isLeading(): boolean {
    return this.leading;
  }

  /** tracked is the number of nodes waiting out their grace here (tests, metrics). */
  get tracked(): number {
    return this.tracker.size;
  }

  /** setPeriodMs follows the cluster's heartbeat period. */
  setPeriodMs(ms: number): void {
    this.tracker.setPeriodMs(ms);
  }

  /** postpone moves the sweeper's grace deadlines `ms` later (the dispatcher stalled). */
  postpone(ms: number): void {
    this.tracker.postpone(ms);
  }

  /** run holds the liveness lease and campaigns for the sweeper lease until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const { client, dispatcherId, timers, logger, limits } = this.deps;
    const log = logger.child({ component: 'sweeper' });
    await Promise.all([
      runLeaderElection({ client, name: replicaLease(dispatcherId), holder: dispatcherId, ttlMs: limits.replicaLeaseTtlMs,
        onStartedLeading: () => undefined, onStoppedLeading: () => undefined, signal, timers, logger: log }),
      runLeaderElection({ client, name: SWEEPER_LEASE, holder: dispatcherId, ttlMs: limits.sweeperLeaseTtlMs, signal, timers,
        logger: log,
        onStartedLeading: () => {
          this.leading = true;
          log.info('this replica sweeps nodes whose dispatcher is gone');
        },
        onStoppedLeading: () => this.stopLeading() }),
    ]);
    this.close();
  }

  /** close stops observing holders. */
  close(): void {
    for (const h of this.holders.values()) h.observer.close();
    this.holders.clear();
    this.stopLeading();
  }

  /** sweep runs one pass (see the class contract); a no-op unless this replica leads. */
  sweep(now: number): void {
    if (!this.leading) return;
    const referenced = new Set<string>();
    for (const node of this.deps.nodes()) this.consider(node, now, referenced);
    for (const [id, h] of this.holders) {
      if (referenced.has(id)) continue;
      h.observer.close();
      this.holders.delete(id);
    }
    for (const expired of this.tracker.expire(now)) this.markDown(expired.nodeId);
  }

  private stopLeading(): void {
    this.leading = false;
    for (const id of [...this.seen.keys()]) this.tracker.remove(id);
    this.seen.clear();
    this.downSince.clear();
    this.orphaned.clear();
  }

  private consider(node: Node, now: number, referenced: Set<string>): void {
    const state = node.status?.state ?? NodeStatus_State.UNKNOWN;
    if (state === NodeStatus_State.DOWN) {
      this.untrack(node.id);
      this.considerOrphans(node, now);
      return;
    }
    this.downSince.delete(node.id);
    this.orphaned.delete(node.id);
    if (!WATCHED_STATES.has(state) || this.deps.holds(node.id)) {
      this.untrack(node.id);
      return;
    }
    const holder = state === NodeStatus_State.READY ? holderOf(node.status, this.readyPrefix) : undefined;
    if (holder !== undefined && holder !== this.deps.dispatcherId) {
      referenced.add(holder);
      if (this.alive(holder, now)) {
        this.untrack(node.id);
        return;
      }
    }
    const seen = this.seen.get(node.id);
    if (this.seen.has(node.id) && sameStatus(seen, node.status)) return;
    this.seen.set(node.id, node.status);
    this.tracker.remove(node.id);
    this.tracker.markUnknown(node.id, now);
  }

  private untrack(nodeId: string): void {
    if (this.seen.delete(nodeId)) this.tracker.remove(nodeId);
  }

  private alive(holder: string, now: number): boolean {
    let h = this.holders.get(holder);
    if (h === undefined) {
      const entry: Holder = { aliveUntilMs: 0, observer: undefined as unknown as LeaseObserver };
      const observer = this.deps.client.observeLease(replicaLease(holder), (lease) => {
        const live = lease !== undefined && lease.holder === holder;
        entry.aliveUntilMs = live ? this.deps.clock.now() + lease.ttlMs : 0;
      });
      h = Object.assign(entry, { observer });
      this.holders.set(holder, h);
    }
    return h.aliveUntilMs > now;
  }

  private markDown(nodeId: string): void {
    const seen = this.seen.get(nodeId);
    this.seen.delete(nodeId);
    this.deps.queueDown(nodeId, { state: seen?.state ?? NodeStatus_State.UNKNOWN, message: seen?.message ?? '' });
    this.deps.logger.warn({ nodeId, was: seen?.message }, 'node DOWN: no live dispatcher holds it and it did not re-register');
  }

  private considerOrphans(node: Node, now: number): void {
    const since = this.downSince.get(node.id);
    if (since === undefined) {
      this.downSince.set(node.id, now);
      return;
    }
    if (this.orphaned.has(node.id) || now - since < this.deps.limits.nodeDownPeriodMs) return;
    this.orphaned.add(node.id);
    let count = 0;
    for (const task of this.deps.tasksOf(node.id)) {
      const state = observedTaskState(task);
      if (state < TaskState.ASSIGNED || state > TaskState.RUNNING) continue;
      this.deps.queueTaskStatus(task, TaskState.ORPHANED, ORPHANED_MESSAGE);
      count++;
    }
    if (count > 0) this.deps.logger.warn({ nodeId: node.id, tasks: count }, 'tasks ORPHANED: node DOWN too long');
  }
}

function sameStatus(a: NodeStatus | undefined, b: NodeStatus | undefined): boolean {
  return (a?.state ?? 0) === (b?.state ?? 0) && (a?.message ?? '') === (b?.message ?? '');
}
