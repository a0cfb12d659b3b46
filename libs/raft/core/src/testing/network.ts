/**
 * Network: an in-process, synchronous network of raft state machines for the scenario tests,
 * modelled on etcd-raft's `network` helper. `send` delivers until no message is left; links
 * can drop a fraction of messages (seeded), `cut`, `isolate` and `recover` model partitions,
 * `ignore` drops a message type, and `msgHook` can veto any message.
 */
import { Config } from '../config';
import { Message, MessageType } from '../types';
import { Raft } from '../raft';
import { MemoryStorage } from '../storage';
import { idsBySize, newStorage, newTestRaft, SEED } from './helpers';
import { TestRandom } from './prng';

/** StateMachine is anything that can sit on the network: a raft node or a black hole. */
export interface StateMachine {
  step(m: Message): unknown;
  readMessages(): Message[];
  advanceMessagesAfterAppend(): void;
}

/** BlackHole swallows every message (a crashed or partitioned peer). */
export class BlackHole implements StateMachine {
  /** step ignores `m`. */
  step(_m: Message): null {
    return null;
  }
  /** readMessages returns nothing. */
  readMessages(): Message[] {
    return [];
  }
  /** advanceMessagesAfterAppend does nothing: a black hole has nothing to persist. */
  advanceMessagesAfterAppend(): void {
    return undefined;
  }
}

/** NOP_STEPPER is the shared black hole. */
export const NOP_STEPPER = new BlackHole();

/** A peer slot: null builds a fresh raft node with the network's config. */
export type PeerInit = Raft | BlackHole | null;

/** Network connects peers 1..n. */
export class Network {
  readonly peers = new Map<number, StateMachine>();
  readonly storage = new Map<number, MemoryStorage>();
  private dropRates = new Map<string, number>();
  private ignored = new Set<MessageType>();
  private readonly random = new TestRandom(SEED);
  /** msgHook vetoes a message when it returns false. */
  msgHook: ((m: Message) => boolean) | undefined = undefined;
  /** trace, when set, receives every delivered message. */
  trace: ((m: Message) => void) | undefined = undefined;

  /**
   * The constructor places `peers` at ids 1..n. A null slot becomes a raft node with the
   * test defaults plus `overrides`; a Raft instance must already have that id.
   */
  constructor(peers: PeerInit[], overrides: Partial<Config> = {}) {
    const ids = idsBySize(peers.length);
    peers.forEach((p, j) => {
      const id = ids[j] as number;
      if (p === null) {
        const s = newStorage(ids);
        this.storage.set(id, s);
        this.peers.set(id, newTestRaft(id, 10, 1, s, overrides));
      } else {
        if (p instanceof Raft && p.id !== id) throw new Error(`peer ${p.id} placed at ${id}`);
        this.peers.set(id, p);
      }
    });
  }

  /** raft returns peer `id` as a raft node (it must be one). */
  raft(id: number): Raft {
    const p = this.peers.get(id);
    if (!(p instanceof Raft)) throw new Error(`peer ${id} is not a raft node`);
    return p;
  }

  /** send delivers `msgs` and everything they cause, breadth first, until quiet. */
  send(...msgs: Message[]): void {
    const queue = [...msgs];
    for (let i = 0; i < 1_000_000 && queue.length > 0; i++) {
      const m = queue.shift() as Message;
      const p = this.peers.get(m.to);
      if (p === undefined) continue;
      this.trace?.(m);
      p.step(m);
      p.advanceMessagesAfterAppend();
      queue.push(...this.filter(p.readMessages()));
    }
    if (queue.length > 0) throw new Error('network did not quiesce');
  }

  /** drop makes the link from -> to lose a fraction `rate` of its messages. */
  drop(from: number, to: number, rate: number): void {
    this.dropRates.set(`${from}->${to}`, rate);
  }

  /** cut drops everything between `one` and `other`, both ways. */
  cut(one: number, other: number): void {
    this.drop(one, other, 2);
    this.drop(other, one, 2);
  }

  /** isolate drops everything to and from `id`. */
  isolate(id: number): void {
    for (const other of this.peers.keys()) {
      if (other !== id) this.cut(id, other);
    }
  }

  /** ignore drops every message of type `t`. */
  ignore(t: MessageType): void {
    this.ignored.add(t);
  }

  /** recover heals every link and stops ignoring types. */
  recover(): void {
    this.dropRates = new Map();
    this.ignored = new Set();
  }

  private filter(msgs: Message[]): Message[] {
    return msgs.filter((m) => {
      if (this.ignored.has(m.type)) return false;
      if (m.type === MessageType.MsgHup) throw new Error('unexpected MsgHup on the network');
      const rate = this.dropRates.get(`${m.from}->${m.to}`) ?? 0;
      if (rate > 0 && this.random.float() < rate) return false;
      return this.msgHook === undefined || this.msgHook(m);
    });
  }
}
