/**
 * AckHolder delays a follower's acks of appends that brought no new entries. The leader sends
 * such an append right after each commit to carry the new commit index; the follower applies
 * at once (its watchers hear of the write), but its ack carries nothing the leader is waiting
 * for. Sent at once, both followers' acks wake the leader again while it is answering the
 * client. Held, an ack leaves with the next message to the same peer (the ack of the next
 * write's entries) or after `holdMs`, whichever comes first.
 *
 * Raft tolerates any delay of a message; this one is bounded well under a heartbeat interval,
 * so a leader probing this member, or transferring leadership to it, waits at most `holdMs`
 * more. Held messages are never dropped and keep their order per peer.
 */
import type { TimerHandle, Timers } from '@shoal/clock';
import { MessageType, type Message } from '@shoal/raft';

/** AckHolder holds acks of empty appends per peer; see the file comment. */
export class AckHolder {
  private held: Message[] = [];
  private timer: TimerHandle | undefined;

  /** `send` hands messages to the transport; `holdMs` bounds how long an ack waits. */
  constructor(
    private readonly timers: Timers,
    private readonly holdMs: number,
    private readonly send: (messages: Message[]) => void,
  ) {}

  /**
   * outgoing returns what to send now of a follower's `messages`: when the Ready brought no
   * new entries (`emptyAppend`), its successful MsgAppResps are held; whatever goes to a peer
   * with held acks takes them along, in front.
   */
  outgoing(messages: readonly Message[], emptyAppend: boolean): Message[] {
    const now: Message[] = [];
    for (const m of messages) {
      if (emptyAppend && m.type === MessageType.MsgAppResp && !m.reject) {
        this.hold(m);
        continue;
      }
      this.release(m.to, now);
      now.push(m);
    }
    return now;
  }

  /** flush sends every held ack now (leadership change, stop). */
  flush(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    const held = this.held;
    this.held = [];
    if (held.length > 0) this.send(held);
  }

  /** drop forgets the held acks (the node stopped: nothing is sent any more). */
  drop(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.held = [];
  }

  private hold(m: Message): void {
    this.held.push(m);
    this.timer ??= this.timers.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.holdMs);
  }

  private release(to: number, into: Message[]): void {
    if (this.held.length === 0 || !this.held.some((h) => h.to === to)) return;
    into.push(...this.held.filter((h) => h.to === to));
    this.held = this.held.filter((h) => h.to !== to);
  }
}
