/**
 * ReadIndex bookkeeping on the leader: each read request waits, in arrival order, for a
 * quorum of heartbeat acks carrying its context (ReadOnlySafe).
 */
import { Message } from './types';
import { JointConfig, jointVoteResult, VoteResult } from './quorum';

/** ReadOnlyOption chooses how linearizable reads are confirmed. */
export enum ReadOnlyOption {
  /**
   * Safe: the leader confirms it is still leader with a quorum heartbeat round for each
   * batch of reads. Correct under any clock behaviour.
   */
  Safe = 'ReadOnlySafe',
  /**
   * LeaseBased: the leader answers from its CheckQuorum lease without a round trip. Unsafe if
   * clocks drift without bound; requires CheckQuorum.
   */
  LeaseBased = 'ReadOnlyLeaseBased',
}

/**
 * ReadState is a read answered by the leader: the shell may serve the read identified by
 * `requestCtx` once it has applied up to `index`.
 */
export interface ReadState {
  index: number;
  requestCtx: Uint8Array;
}

/** ReadIndexStatus is one pending read: the request, its read index and the acks so far. */
export interface ReadIndexStatus {
  req: Message;
  index: number;
  acks: Map<number, boolean>;
}

/** ReadOnly queues pending ReadIndex requests keyed by their context. */
export class ReadOnly {
  private readonly pending = new Map<string, ReadIndexStatus>();
  private queue: string[] = [];

  /** The constructor fixes the read mode. */
  constructor(readonly option: ReadOnlyOption) {}

  /** pendingCount is the number of reads waiting for a quorum. */
  pendingCount(): number {
    return this.queue.length;
  }

  /**
   * addRequest queues read `m` at read index `index` (the commit index when it arrived).
   * A request whose context is already pending is ignored: both are answered together.
   */
  addRequest(index: number, m: Message): void {
    const key = contextKey((m.entries[0] as { data: Uint8Array }).data);
    if (this.pending.has(key)) return;
    this.pending.set(key, { req: m, index, acks: new Map() });
    this.queue.push(key);
  }

  /** recvAck records that `id` acknowledged the heartbeat carrying `context`. */
  recvAck(id: number, context: Uint8Array): Map<number, boolean> | undefined {
    const rs = this.pending.get(contextKey(context));
    if (rs === undefined) return undefined;
    rs.acks.set(id, true);
    return rs.acks;
  }

  /**
   * advance returns the reads confirmed by a quorum ack of the request with `context`: that
   * one and every request queued before it, in order, and removes them from the queue.
   */
  advance(context: Uint8Array, voters: JointConfig): ReadIndexStatus[] {
    const key = contextKey(context);
    const rs = this.pending.get(key);
    if (rs === undefined) return [];
    if (jointVoteResult(voters, rs.acks) !== VoteResult.VoteWon) return [];
    const at = this.queue.indexOf(key);
    if (at < 0) return [];
    const done = this.queue.slice(0, at + 1);
    this.queue = this.queue.slice(at + 1);
    return done.map((k) => {
      const s = this.pending.get(k) as ReadIndexStatus;
      this.pending.delete(k);
      return s;
    });
  }

  /** lastPendingContext is the context of the newest pending request, if any. */
  lastPendingContext(): Uint8Array | undefined {
    const last = this.queue[this.queue.length - 1];
    if (last === undefined) return undefined;
    return (this.pending.get(last) as ReadIndexStatus).req.entries[0]?.data;
  }
}

function contextKey(ctx: Uint8Array): string {
  let s = '';
  for (let i = 0; i < ctx.byteLength; i++) s += String.fromCharCode(ctx[i] as number);
  return s;
}
