/**
 * Progress: the leader's view of one follower's log and the flow-control state machine
 * that decides how MsgApps are sent to it.
 *
 *            +--------------------------------------------------------+
 *            |                  send snapshot                         |
 *            |                                                        v
 *   +-----------------+      first ack      +------------------+  +-----------------+
 *   |  StateProbe     | ------------------> | StateReplicate   |  | StateSnapshot   |
 *   |  1 MsgApp per   | <------------------ |  pipelined, up   |  |  no MsgApp      |
 *   |  heartbeat      |  reject/unreachable |  to the window   |  |                 |
 *   +-----------------+                     +------------------+  +-----------------+
 *            ^                                                        |
 *            +---- snapshot reported done/failed, or any ack that ----+
 *                  reconnects the follower to the log
 */
import { assert, assertNever } from '@shoal/assert';
import { Inflights } from './inflights';

/** ProgressState is the flow-control mode of one follower. */
export enum ProgressState {
  Probe = 'StateProbe',
  Replicate = 'StateReplicate',
  Snapshot = 'StateSnapshot',
}

/** ProgressOptions create a Progress: its first `next` and its window limits. */
export interface ProgressOptions {
  next: number;
  maxInflight: number;
  maxInflightBytes: number;
  isLearner: boolean;
  /** An existing window to adopt (clone only). */
  inflights?: Inflights;
}

/**
 * Progress tracks one peer.
 * Invariant: 0 <= match < next.
 * Invariant: state === Snapshot iff pendingSnapshot > 0 was set by becomeSnapshot (it may be
 * 0 afterwards only when a snapshot failed and the state left Snapshot).
 */
export class Progress {
  match = 0;
  next: number;
  /** sentCommit is the highest commit index sent to this peer (MsgApp or heartbeat). */
  sentCommit = 0;
  state: ProgressState = ProgressState.Probe;
  /** pendingSnapshot is the index of the snapshot in flight (StateSnapshot only). */
  pendingSnapshot = 0;
  /** recentActive is set by any message from the peer; CheckQuorum clears it. */
  recentActive = false;
  /** msgAppFlowPaused stops MsgApps: a probe is outstanding, or the window is full. */
  msgAppFlowPaused = false;
  readonly inflights: Inflights;
  isLearner: boolean;

  /** The constructor creates a probing progress with the given `next` and window limits. */
  constructor(options: ProgressOptions) {
    assert(options.next >= 1, 'progress next >= 1');
    this.next = options.next;
    this.inflights =
      options.inflights ?? new Inflights(options.maxInflight, options.maxInflightBytes);
    this.isLearner = options.isLearner;
  }

  /** clone copies every field (the window included) for a conf change to work on. */
  clone(): Progress {
    const c = new Progress({
      next: this.next,
      maxInflight: this.inflights.capacity,
      maxInflightBytes: this.inflights.maxBytes,
      isLearner: this.isLearner,
      inflights: this.inflights.clone(),
    });
    c.match = this.match;
    c.sentCommit = this.sentCommit;
    c.state = this.state;
    c.pendingSnapshot = this.pendingSnapshot;
    c.recentActive = this.recentActive;
    c.msgAppFlowPaused = this.msgAppFlowPaused;
    return c;
  }

  /** resetState enters `state` with an empty window and no pause. */
  resetState(state: ProgressState): void {
    this.msgAppFlowPaused = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
  }

  /**
   * becomeProbe enters Probe. After a snapshot, probing resumes after the snapshot index
   * (the follower has it, or will); otherwise right after the last known match.
   */
  becomeProbe(): void {
    if (this.state === ProgressState.Snapshot) {
      const pending = this.pendingSnapshot;
      this.resetState(ProgressState.Probe);
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.resetState(ProgressState.Probe);
      this.next = this.match + 1;
    }
    this.sentCommit = Math.min(this.sentCommit, this.next - 1);
  }

  /** becomeReplicate enters Replicate, streaming from match + 1. */
  becomeReplicate(): void {
    this.resetState(ProgressState.Replicate);
    this.next = this.match + 1;
  }

  /** becomeSnapshot enters Snapshot while the snapshot at `snapshotIndex` is in flight. */
  becomeSnapshot(snapshotIndex: number): void {
    this.resetState(ProgressState.Snapshot);
    this.pendingSnapshot = snapshotIndex;
    this.next = snapshotIndex + 1;
    this.sentCommit = snapshotIndex;
  }

  /**
   * sentEntries updates the state after a MsgApp with `entries` entries of `bytes` payload
   * was sent: Replicate advances next optimistically and fills the window; Probe pauses
   * until the probe is answered.
   */
  sentEntries(entries: number, bytes: number): void {
    switch (this.state) {
      case ProgressState.Replicate:
        if (entries > 0) {
          this.next += entries;
          this.inflights.add(this.next - 1, bytes);
        }
        this.msgAppFlowPaused = this.inflights.full();
        return;
      case ProgressState.Probe:
        if (entries > 0) this.msgAppFlowPaused = true;
        return;
      case ProgressState.Snapshot:
        assert(false, 'sending append in StateSnapshot');
        return;
      default:
        assertNever(this.state, 'progress state');
    }
  }

  /** canBumpCommit reports whether an empty MsgApp would tell the peer a newer commit. */
  canBumpCommit(index: number): boolean {
    return index > this.sentCommit && this.sentCommit < this.next - 1;
  }

  /** sentCommit records that `commit` was sent to the peer. */
  recordSentCommit(commit: number): void {
    this.sentCommit = commit;
  }

  /** maybeUpdate raises match to `n` (an ack); returns false for a stale ack. */
  maybeUpdate(n: number): boolean {
    if (n <= this.match) return false;
    this.match = n;
    this.next = Math.max(this.next, n + 1);
    this.msgAppFlowPaused = false;
    return true;
  }

  /**
   * maybeDecrTo handles a rejection of the MsgApp whose previous index was `rejected`;
   * `matchHint` is the follower's hint of the highest index that may match. Returns false
   * when the rejection is stale (an older probe, or below match).
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === ProgressState.Replicate) {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      this.sentCommit = Math.min(this.sentCommit, this.next - 1);
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.sentCommit = Math.min(this.sentCommit, this.next - 1);
    this.msgAppFlowPaused = false;
    return true;
  }

  /** isPaused reports whether MsgApps to this peer must wait (Snapshot always waits). */
  isPaused(): boolean {
    switch (this.state) {
      case ProgressState.Probe:
      case ProgressState.Replicate:
        return this.msgAppFlowPaused;
      case ProgressState.Snapshot:
        return true;
      default:
        return assertNever(this.state, 'progress state');
    }
  }

  /** toString renders the progress the way datadriven outputs and logs show it. */
  toString(): string {
    let s = `${this.state} match=${this.match} next=${this.next}`;
    if (this.isLearner) s += ' learner';
    if (this.isPaused()) s += ' paused';
    if (this.pendingSnapshot > 0) s += ` pendingSnap=${this.pendingSnapshot}`;
    if (!this.recentActive) s += ' inactive';
    const n = this.inflights.count();
    if (n > 0) s += ` inflight=${n}${this.inflights.full() ? '[full]' : ''}`;
    return s;
  }
}
