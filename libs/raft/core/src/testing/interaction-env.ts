/**
 * InteractionEnv: a scripted driver over a Cluster of RawNodes for the datadriven
 * interaction tests (testdata/*.txt), inspired by etcd-raft's rafttest.InteractionEnv.
 * Every command returns the text the script expects: Readys, delivered messages and the
 * nodes' log lines, in the order they happen.
 *
 * Commands: log-level, add-nodes, campaign, propose, propose-conf-change, process-ready,
 * deliver-msgs, stabilize, tick-heartbeat, tick-election, raft-state, raft-log, status,
 * read-index, transfer-leadership, forget-leader, report-unreachable, compact,
 * set-randomized-election-timeout. See each handler for its arguments.
 */
import { assert } from '@shoal/assert';
import { Message, MessageType, Snapshot } from '../types';
import { Config } from '../config';
import {
  ConfChangeSingle,
  ConfChangeTransition,
  ConfChangeType,
  confChangeV1,
  confChangeV2,
} from '../conf-change';
import { describeEntries, describeMessage, describeReady } from '../describe';
import { RaftLogger } from '../logger';
import { ReadOnlyOption } from '../read-only';
import { MemoryStorage } from '../storage';
import { Cluster } from './cluster';
import { bytes, textOf } from './helpers';
import { EMPTY_BYTES } from '../util';

/** Directive is the structural shape of a datadriven test case this env consumes. */
export interface Directive {
  cmd: string;
  cmdArgs: Array<{ key: string; vals: string[] }>;
  input: string;
}

const LEVELS = ['debug', 'info', 'warn', 'error', 'none'] as const;
type Level = (typeof LEVELS)[number];

/** InteractionEnv holds the cluster and the output being built for the current command. */
export class InteractionEnv {
  readonly cluster = new Cluster();
  private out: string[] = [];
  private indent = '';
  private level: Level = 'info';

  /** handle runs one directive and returns its output ("ok" when it printed nothing). */
  handle(d: Directive): string {
    this.out = [];
    this.indent = '';
    this.dispatch(d);
    const text = this.out.join('\n');
    return text === '' ? 'ok' : text;
  }

  private dispatch(d: Directive): void {
    const ids = positional(d);
    switch (d.cmd) {
      case 'log-level':
        this.level = parseLevel(d.cmdArgs[0]?.key ?? '');
        return;
      case 'add-nodes':
        this.addNodes(d);
        return;
      case 'campaign':
        this.cluster.node(first(ids)).rn.campaign();
        return;
      case 'propose':
        this.cluster.node(first(ids)).rn.propose(bytes(d.cmdArgs[1]?.key ?? ''));
        return;
      case 'propose-conf-change':
        this.proposeConfChange(d, first(ids));
        return;
      case 'process-ready':
        this.processReady(ids);
        return;
      case 'deliver-msgs':
        this.deliverMsgs(d, ids);
        return;
      case 'stabilize':
        this.stabilize(ids);
        return;
      default:
        this.dispatchMore(d, ids);
    }
  }

  private dispatchMore(d: Directive, ids: number[]): void {
    const rn = (): ReturnType<Cluster['node']>['rn'] => this.cluster.node(first(ids)).rn;
    switch (d.cmd) {
      case 'tick-heartbeat':
        for (let i = 0; i < rn().raft.heartbeatTimeout; i++) rn().tick();
        return;
      case 'tick-election':
        for (let i = 0; i < rn().raft.electionTimeout; i++) rn().tick();
        return;
      case 'raft-state':
        this.raftState();
        return;
      case 'raft-log':
        this.raftLog(first(ids));
        return;
      case 'status':
        this.status(first(ids));
        return;
      case 'read-index':
        rn().readIndex(bytes(d.cmdArgs[1]?.key ?? ''));
        return;
      case 'transfer-leadership':
        this.cluster.node(int(d, 'from')).rn.transferLeader(int(d, 'to'));
        return;
      case 'forget-leader':
        rn().forgetLeader();
        return;
      default:
        this.dispatchRest(d, ids);
    }
  }

  private dispatchRest(d: Directive, ids: number[]): void {
    switch (d.cmd) {
      case 'report-unreachable':
        this.cluster.node(first(ids)).rn.reportUnreachable(ids[1] as number);
        return;
      case 'compact':
        this.compact(first(ids), ids[1] as number);
        return;
      case 'set-randomized-election-timeout':
        this.cluster.node(first(ids)).rn.raft.randomizedElectionTimeout = int(d, 'timeout');
        return;
      default:
        throw new Error(`unknown command ${d.cmd}`);
    }
  }

  /**
   * add-nodes N [voters=(..)] [learners=(..)] [index=I] [content=S] [checkquorum=B]
   * [prevote=B] [inflight=N] [max-committed-size-per-ready=N] [read-only=safe|lease-based]
   * [step-down-on-removal=B] [disable-conf-change-validation=B]: adds N nodes numbered after
   * the existing ones. With index=I (> 1) each starts from a snapshot at (I, term 1) carrying
   * the membership, so nodes added later catch up from a leader's snapshot. Unlike etcd's
   * rafttest, the HardState is at term 1 too (etcd leaves it empty, at term 0): a node's term
   * is never below its last log term (Raft.raiseTermToLastLogTerm), so every term in these
   * scripts is one above etcd's.
   */
  private addNodes(d: Directive): void {
    const count = first(positional(d));
    const voters = ints(d, 'voters');
    const learners = ints(d, 'learners');
    const index = int(d, 'index', 0);
    const overrides = this.configFrom(d);
    for (let i = 0; i < count; i++) {
      const id = this.cluster.nodes.size + 1;
      const storage = new MemoryStorage();
      if (voters.length + learners.length > 0 || index > 0) {
        assert(index > 1, 'index must be specified as > 1 due to bootstrap');
        storage.applySnapshot(bootstrapSnapshot(voters, learners, index, str(d, 'content', '')));
        storage.setHardState({ term: 1, vote: 0, commit: index });
      }
      this.cluster.start(id, storage, { ...overrides, logger: this.logger(id) }, index);
    }
  }

  private configFrom(d: Directive): Partial<Config> {
    const readOnly = str(d, 'read-only', 'safe');
    const c: Partial<Config> = {
      electionTicks: 3,
      heartbeatTicks: 1,
      checkQuorum: bool(d, 'checkquorum'),
      preVote: bool(d, 'prevote'),
      stepDownOnRemoval: bool(d, 'step-down-on-removal'),
      disableConfChangeValidation: bool(d, 'disable-conf-change-validation'),
      readOnlyOption: readOnly === 'lease-based' ? ReadOnlyOption.LeaseBased : ReadOnlyOption.Safe,
      maxInflightMsgs: int(d, 'inflight', 1 << 30),
    };
    if (has(d, 'max-committed-size-per-ready')) {
      c.maxCommittedSizePerReadyBytes = int(d, 'max-committed-size-per-ready');
    }
    return c;
  }

  /**
   * propose-conf-change ID [v1=true] [transition=auto|implicit|explicit], with the changes on
   * the input line: `v2` adds voter 2, `l3` adds learner 3, `r1` removes 1, `u4` updates 4.
   */
  private proposeConfChange(d: Directive, id: number): void {
    const changes = d.input.split(/\s+/).filter((t) => t !== '').map(parseChange);
    const rn = this.cluster.node(id).rn;
    if (bool(d, 'v1')) {
      assert(changes.length === 1, 'v1 takes exactly one change');
      const c = changes[0] as ConfChangeSingle;
      rn.proposeConfChange(confChangeV1(c.type, c.nodeId));
      return;
    }
    const t = str(d, 'transition', 'auto');
    const transition =
      t === 'implicit' ? ConfChangeTransition.JointImplicit
      : t === 'explicit' ? ConfChangeTransition.JointExplicit
      : ConfChangeTransition.Auto;
    rn.proposeConfChange(confChangeV2(changes, transition));
  }

  /** process-ready ID...: handles one Ready on each node, printing it. */
  private processReady(ids: number[]): void {
    for (const id of ids) {
      if (ids.length > 1) this.print(`> ${id} handling Ready`);
      this.nested(ids.length > 1, () => this.readyOf(id));
    }
  }

  private readyOf(id: number): void {
    const n = this.cluster.node(id);
    if (!n.rn.hasReady()) {
      this.print('<empty Ready>');
      return;
    }
    // Print the Ready before handling it, so the log lines of advance() follow it.
    this.cluster.processReady(id, (rd) => this.print(describeReady(rd)));
  }

  /**
   * deliver-msgs [type=MsgX] [drop=(ids)] ID...: delivers the queued messages addressed to
   * each ID (only of type MsgX if given), printing them; drop=(ids) discards instead.
   */
  private deliverMsgs(d: Directive, ids: number[]): void {
    const type = has(d, 'type') ? messageType(str(d, 'type')) : undefined;
    for (const id of ints(d, 'drop')) {
      for (const m of this.take(id, type)) this.print(`dropped: ${describeMessage(m)}`);
    }
    for (const id of ids) this.deliverTo(id, type);
  }

  private deliverTo(id: number, type?: MessageType): number {
    const msgs = this.take(id, type);
    const rn = this.cluster.node(id).rn;
    for (const m of msgs) {
      this.print(describeMessage(m));
      rn.step(m);
    }
    return msgs.length;
  }

  private take(to: number, type?: MessageType): Message[] {
    const taken: Message[] = [];
    const keep: Message[] = [];
    for (const m of this.cluster.queue) {
      if (m.to === to && (type === undefined || m.type === type)) taken.push(m);
      else keep.push(m);
    }
    this.cluster.queue = keep;
    return taken;
  }

  /** stabilize [ID...]: alternates Readys and deliveries on the nodes until quiet. */
  private stabilize(only: number[]): void {
    const ids = only.length > 0 ? only : [...this.cluster.nodes.keys()].sort((a, b) => a - b);
    for (let round = 0; round < 1000; round++) {
      let done = true;
      for (const id of ids) {
        if (!this.cluster.node(id).rn.hasReady()) continue;
        this.print(`> ${id} handling Ready`);
        this.nested(true, () => this.readyOf(id));
        done = false;
      }
      for (const id of ids) {
        if (!this.cluster.queue.some((m) => m.to === id)) continue;
        this.print(`> ${id} receiving messages`);
        this.nested(true, () => this.deliverTo(id));
        done = false;
      }
      if (done) return;
    }
    throw new Error('stabilize did not converge');
  }

  /**
   * compact ID INDEX: the node snapshots its state machine at INDEX (which it must have
   * applied) and compacts its log up to it, as a shell does; then prints the log.
   * The state machine is an appender: its state is the applied payloads, concatenated.
   */
  private compact(id: number, index: number): void {
    const n = this.cluster.node(id);
    assert(index <= n.appliedIndex, `compact ${index} beyond applied ${n.appliedIndex}`);
    if (index > n.storage.snapshot().metadata.index) {
      const state = n.applied.filter((e) => e.index <= index).map((e) => textOf(e.data)).join('');
      n.storage.createSnapshot(index, undefined, bytes(state));
    }
    n.storage.compact(index);
    this.raftLog(id);
  }

  private raftState(): void {
    for (const n of [...this.cluster.nodes.values()].sort((a, b) => a.id - b.id)) {
      const st = n.rn.status();
      const voter = n.rn.raft.trk.isVoter(n.id) ? '(Voter)' : '(Non-Voter)';
      const hs = st.hardState;
      const ss = st.softState;
      this.print(`${n.id}: ${ss.raftState} ${voter} Term:${hs.term} Lead:${ss.lead}`);
    }
  }

  private raftLog(id: number): void {
    const s = this.cluster.node(id).storage;
    const first = s.firstIndex();
    const last = s.lastIndex();
    if (last < first) {
      this.print(`log is empty: first index=${first}, last index=${last}`);
      return;
    }
    this.print(describeEntries(s.entries(first, last + 1, Number.MAX_SAFE_INTEGER)));
  }

  private status(id: number): void {
    const st = this.cluster.node(id).rn.status();
    for (const [pid, p] of st.progress) this.print(`${pid}: ${p.description}`);
  }

  private logger(id: number): RaftLogger {
    const emit = (lvl: Level, tag: string) => (message: string) => {
      if (LEVELS.indexOf(lvl) >= LEVELS.indexOf(this.level)) this.print(`${tag} ${message}`);
    };
    void id;
    return {
      debug: emit('debug', 'DEBUG'),
      info: emit('info', 'INFO'),
      warn: emit('warn', 'WARN'),
      error: emit('error', 'ERROR'),
    };
  }

  private print(text: string): void {
    for (const line of text.split('\n')) this.out.push(`${this.indent}${line}`);
  }

  private nested(on: boolean, f: () => void): void {
    const saved = this.indent;
    if (on) this.indent += '  ';
    try {
      f();
    } finally {
      this.indent = saved;
    }
  }
}

function bootstrapSnapshot(
  voters: number[],
  learners: number[],
  index: number,
  content: string,
): Snapshot {
  return {
    metadata: {
      index,
      term: 1,
      confState: { voters, learners, votersOutgoing: [], learnersNext: [], autoLeave: false },
    },
    data: content === '' ? EMPTY_BYTES : bytes(content),
  };
}

function parseChange(token: string): ConfChangeSingle {
  const kinds: Record<string, ConfChangeType> = {
    v: ConfChangeType.AddNode,
    l: ConfChangeType.AddLearnerNode,
    r: ConfChangeType.RemoveNode,
    u: ConfChangeType.UpdateNode,
  };
  const type = kinds[token[0] ?? ''];
  const nodeId = Number(token.slice(1));
  assert(type !== undefined && Number.isInteger(nodeId), `bad conf change token ${token}`);
  return { type, nodeId };
}

function parseLevel(s: string): Level {
  const lvl = LEVELS.find((l) => l === s);
  assert(lvl !== undefined, `unknown log level ${s}`);
  return lvl;
}

function messageType(name: string): MessageType {
  const t = (MessageType as unknown as Record<string, number | undefined>)[name];
  assert(t !== undefined, `unknown message type ${name}`);
  return t as MessageType;
}

function positional(d: Directive): number[] {
  return d.cmdArgs
    .filter((a) => a.vals.length === 0 && /^\d+$/.test(a.key))
    .map((a) => Number(a.key));
}

function first(ids: number[]): number {
  assert(ids.length > 0, 'a node id is required');
  return ids[0] as number;
}

function has(d: Directive, key: string): boolean {
  return d.cmdArgs.some((a) => a.key === key);
}

function str(d: Directive, key: string, fallback?: string): string {
  const a = d.cmdArgs.find((x) => x.key === key);
  if (a === undefined) {
    assert(fallback !== undefined, `missing argument ${key}`);
    return fallback;
  }
  return a.vals[0] ?? '';
}

function int(d: Directive, key: string, fallback?: number): number {
  if (!has(d, key) && fallback !== undefined) return fallback;
  const n = Number(str(d, key));
  assert(Number.isInteger(n), `${key} is not an integer`);
  return n;
}

function bool(d: Directive, key: string): boolean {
  return has(d, key) && str(d, key) !== 'false';
}

function ints(d: Directive, key: string): number[] {
  return (d.cmdArgs.find((a) => a.key === key)?.vals ?? []).map(Number);
}
