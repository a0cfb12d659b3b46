// Heartbeat expiry of the nodes whose sessions this dispatcher replica serves (SwarmKit
// `manager/dispatcher/nodes.go` + `heartbeat`): each beat draws a jittered period and moves the
// node's deadline to now + period × grace. Pure: time is passed in, randomness injected.
import { assert } from '@shoal/assert';
import type { Random } from '@shoal/random';

/** HeartbeatSettings are the period, its jitter and the two grace multipliers. */
export interface HeartbeatSettings {
  readonly heartbeatPeriodMs: number;
  /** Each period is drawn from period × [1 − ε, 1 + ε). */
  readonly heartbeatEpsilon: number;
  /** Periods without a beat before a registered node is DOWN (3). */
  readonly gracePeriodMultiplier: number;
  /** Periods a node marked UNKNOWN (dispatcher start or change) gets to re-register (6). */
  readonly unknownGracePeriodMultiplier: number;
}

/** TrackedNode is one node's heartbeat state. */
export interface TrackedNode {
  readonly nodeId: string;
  /** Ms (epoch) after which the node counts as expired. */
  readonly deadlineMs: number;
  /** True while the node was only marked unknown and has not registered here yet. */
  readonly unknown: boolean;
  /** Ms (epoch) of the last beat or registration; undefined for unknown nodes. */
  readonly lastBeatMs: number | undefined;
}

/**
 * HeartbeatTracker keeps one deadline per node. Contract:
 * - `register` and `beat` return the period the agent must wait before its next beat, drawn
 *   uniformly from period × [1 − ε, 1 + ε), and set deadline = now + that period × grace;
 * - `markUnknown` gives a node not (yet) registered here the longer grace (× 6);
 * - `expire(now)` removes and returns, in deadline order, every node whose deadline ≤ now;
 * - `beat` on a node that is not tracked (expired, never registered) returns undefined: the
 *   session is gone and the agent must register again.
 */
export class HeartbeatTracker {
  private readonly nodes = new Map<string, TrackedNode>();
  private periodMs: number;

  constructor(private readonly settings: HeartbeatSettings, private readonly random: Random) {
    assert(settings.heartbeatPeriodMs > 0, 'heartbeat period is positive');
    this.periodMs = settings.heartbeatPeriodMs;
    assert(settings.heartbeatEpsilon >= 0 && settings.heartbeatEpsilon < 1, 'heartbeat ε in [0, 1)');
    assert(settings.gracePeriodMultiplier >= 1, 'grace multiplier ≥ 1');
  }

  /** size is the number of tracked nodes. */
  get size(): number {
    return this.nodes.size;
  }

  /** period is the heartbeat period the jitter is drawn around (ms). */
  get period(): number {
    return this.periodMs;
  }

  /**
   * setPeriodMs changes the period for the beats and registrations that follow (the cluster's
   * `dispatcher.heartbeat_period`); deadlines already set stay.
   */
  setPeriodMs(ms: number): void {
    assert(ms > 0, 'heartbeat period is positive');
    this.periodMs = ms;
  }

  /** nextPeriodMs draws one jittered period (integer ms). */
  nextPeriodMs(): number {
    const p = this.periodMs;
    const e = this.settings.heartbeatEpsilon;
    const drawn = Math.floor(p * (1 - e) + this.random.float() * 2 * e * p);
    assert(drawn >= Math.floor(p * (1 - e)) && drawn < p * (1 + e) + 1, 'period in its jitter range');
    return drawn;
  }

  /** register (re)starts tracking a node that just opened a session; returns its period. */
  register(nodeId: string, nowMs: number): number {
    return this.arm(nodeId, nowMs);
  }

  /** beat extends a tracked node's deadline; undefined when the node is not tracked. */
  beat(nodeId: string, nowMs: number): number | undefined {
    const node = this.nodes.get(nodeId);
    if (node === undefined || node.unknown) return undefined;
    return this.arm(nodeId, nowMs);
  }

  /**
   * markUnknown tracks a node whose session this replica does not hold yet (after a
   * dispatcher start or change), with deadline now + period × unknown grace. A node already
   * registered here is left alone.
   */
  markUnknown(nodeId: string, nowMs: number): void {
    if (this.nodes.get(nodeId)?.unknown === false) return;
    const deadlineMs = nowMs + this.nextPeriodMs() * this.settings.unknownGracePeriodMultiplier;
    this.nodes.set(nodeId, { nodeId, deadlineMs, unknown: true, lastBeatMs: undefined });
  }

  /** remove stops tracking a node (session closed on purpose, node deleted). */
  remove(nodeId: string): boolean {
    return this.nodes.delete(nodeId);
  }

  /** get returns a node's heartbeat state, if tracked. */
  get(nodeId: string): TrackedNode | undefined {
    return this.nodes.get(nodeId);
  }

  /**
   * postpone moves every deadline `ms` later: the dispatcher's own stall (its event loop or
   * process did not run) is not the agents' fault, and their beats may be waiting unread.
   */
  postpone(ms: number): void {
    assert(ms >= 0, 'deadlines only move later');
    for (const [id, node] of this.nodes) this.nodes.set(id, { ...node, deadlineMs: node.deadlineMs + ms });
  }

  /** expire removes and returns every node whose deadline ≤ now, earliest first. */
  expire(nowMs: number): TrackedNode[] {
    const gone: TrackedNode[] = [];
    for (const node of this.nodes.values()) {
      if (node.deadlineMs <= nowMs) gone.push(node);
    }
    for (const node of gone) this.nodes.delete(node.nodeId);
    return gone.sort((a, b) => a.deadlineMs - b.deadlineMs);
  }

  private arm(nodeId: string, nowMs: number): number {
    const period = this.nextPeriodMs();
    const deadlineMs = nowMs + period * this.settings.gracePeriodMultiplier;
    this.nodes.set(nodeId, { nodeId, deadlineMs, unknown: false, lastBeatMs: nowMs });
    return period;
  }
}
