/**
 * LocalTransportHub connects RaftNodes of one process without a network: for tests, the
 * simulator and the benchmark. Messages are delivered asynchronously (never inside `send`),
 * in order per link, batched per macrotask. Faults: partitions, cut links, a drop rate and
 * a delivery delay; a dropped message is reported unreachable to its sender, as a real
 * transport would when a connection fails.
 */
import { assert } from '@shoal/assert';
import type { Timers } from '@shoal/clock';
import { MessageType, SnapshotStatus, type Message } from '@shoal/raft';
import type { Random } from '@shoal/random';
import type { Transport, TransportHandler } from './transport';

/** LocalTransportOptions: timers for delays; randomness for the drop rate. */
export interface LocalTransportOptions {
  timers: Timers;
  random?: Random;
}

/** LocalTransportStats count what the hub did since it was made. */
export interface LocalTransportStats {
  delivered: number;
  dropped: number;
}

interface Envelope {
  from: number;
  message: Message;
}

/**
 * LocalTransportHub is the in-memory network; `connect(id)` gives each member its
 * Transport. Faults apply to messages at delivery time.
 */
export class LocalTransportHub {
  /** stats count delivered and dropped messages. */
  readonly stats: LocalTransportStats = { delivered: 0, dropped: 0 };
  private readonly endpoints = new Map<number, TransportHandler>();
  private readonly blocked = new Set<string>();
  private queue: Envelope[] = [];
  private flushScheduled = false;
  private dropRate = 0;
  private delayMs = 0;

  constructor(private readonly options: LocalTransportOptions) {}

  /** connect returns the Transport of member `id` (one per member at a time). */
  connect(id: number): Transport {
    return new LocalTransport(this, id);
  }

  /** cut blocks the link between `a` and `b` in both directions until `heal`. */
  cut(a: number, b: number): void {
    this.blocked.add(linkKey(a, b));
    this.blocked.add(linkKey(b, a));
  }

  /** isolate cuts `id` from every other member (known now or later, until `heal`). */
  isolate(id: number): void {
    this.blocked.add(`${id}:*`);
  }

  /** partition cuts every link between members of different groups. */
  partition(...groups: readonly (readonly number[])[]): void {
    for (const [i, g] of groups.entries()) {
      for (const h of groups.slice(i + 1)) for (const a of g) for (const b of h) this.cut(a, b);
    }
  }

  /** heal removes every cut, isolation, drop rate and delay. */
  heal(): void {
    this.blocked.clear();
    this.dropRate = 0;
    this.delayMs = 0;
  }

  /** setDropRate drops each message with probability `rate` (needs options.random). */
  setDropRate(rate: number): void {
    assert(rate >= 0 && rate <= 1, 'drop rate is a probability');
    assert(rate === 0 || this.options.random !== undefined, 'a drop rate needs a Random');
    this.dropRate = rate;
  }

  /** setDelay delays every later delivery by `ms` on the hub's timers. */
  setDelay(ms: number): void {
    assert(ms >= 0, 'delay is not negative');
    this.delayMs = ms;
  }

  /** attach registers the handler of member `id` (called by LocalTransport.start). */
  attach(id: number, handler: TransportHandler): void {
    assert(!this.endpoints.has(id), `member ${id} is connected once`);
    this.endpoints.set(id, handler);
  }

  /** detach removes member `id`; messages to it are dropped from now on. */
  detach(id: number): void {
    this.endpoints.delete(id);
  }

  /** enqueue queues `messages` from `from` for asynchronous delivery. */
  enqueue(from: number, messages: readonly Message[]): void {
    for (const m of messages) this.queue.push({ from, message: copyMessage(m) });
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (this.delayMs > 0) {
      this.options.timers.setTimeout(() => this.deliverAll(batch), this.delayMs);
    } else {
      this.deliverAll(batch);
    }
  }

  private deliverAll(batch: readonly Envelope[]): void {
    for (const e of batch) this.deliver(e);
  }

  private deliver(e: Envelope): void {
    const to = e.message.to;
    const target = this.endpoints.get(to);
    const sender = this.endpoints.get(e.from);
    if (target === undefined || !this.linkUp(e.from, to) || this.randomDrop()) {
      this.stats.dropped += 1;
      if (sender === undefined) return;
      sender.reportUnreachable(to);
      if (e.message.type === MessageType.MsgSnap) sender.reportSnapshot(to, SnapshotStatus.Failure);
      return;
    }
    this.stats.delivered += 1;
    target.receive(e.message);
    if (e.message.type === MessageType.MsgSnap && sender !== undefined) {
      sender.reportSnapshot(to, SnapshotStatus.Finish);
    }
  }

  private linkUp(from: number, to: number): boolean {
    if (this.blocked.size === 0) return true;
    if (this.blocked.has(`${from}:*`) || this.blocked.has(`${to}:*`)) return false;
    return !this.blocked.has(linkKey(from, to));
  }

  private randomDrop(): boolean {
    if (this.dropRate === 0) return false;
    const random = this.options.random;
    assert(random !== undefined, 'a drop rate needs a Random');
    return random.float() < this.dropRate;
  }
}

/** LocalTransport is one member's end of a {@link LocalTransportHub}. */
export class LocalTransport implements Transport {
  private started = false;

  constructor(
    private readonly hub: LocalTransportHub,
    readonly id: number,
  ) {}

  /** start attaches this member to the hub. */
  async start(handler: TransportHandler): Promise<void> {
    assert(!this.started, 'a local transport is started once');
    this.started = true;
    this.hub.attach(this.id, handler);
  }

  /** send queues messages on the hub; nothing is delivered before `send` returns. */
  send(messages: readonly Message[]): void {
    if (!this.started) return;
    this.hub.enqueue(this.id, messages);
  }

  /** stop detaches this member; later messages to and from it are dropped. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.hub.detach(this.id);
  }
}

function linkKey(from: number, to: number): string {
  return `${from}>${to}`;
}

/** copyMessage gives the receiver its own message and entry list (entries are immutable). */
function copyMessage(m: Message): Message {
  return { ...m, entries: [...m.entries] };
}
