/**
 * Simulator: one deterministic run of a raft cluster. Every source of nondeterminism comes
 * from the seed: the network, the disks, the nemesis (faults), the clients and the nodes'
 * election timers each get their own forked random stream. One event queue orders message
 * deliveries, node ticks (each node's clock has its own period and phase, a simple drift),
 * client turns, restarts and fault decisions; nothing depends on real time.
 *
 * A run has two phases. Safety: faults on, every invariant (checkers.ts) checked after every
 * event. Liveness: faults healed and stopped, crashed nodes restarted; within a bound of
 * ticks a leader must exist, every member must have committed and applied the whole log,
 * and every client must have had an operation answered.
 */
import { assert } from '@shoal/assert';
import {
  ConfState,
  Entry,
  Message,
  MessageType,
  Ready,
  SnapshotStatus,
  Snapshot,
  StateType,
} from '@shoal/raft';
import type { Random } from '@shoal/random';
import type { KvOutput } from '@shoal/testing-linearizability';
import { check, ClusterChecker, Invariant } from './checkers';
import { SimDisk } from './disk';
import { EventQueue } from './event-queue';
import { SIM_LIMITS } from '@shoal/limits';
import { forgeCommit, mutationSetup, MutationSetup } from './mutations';
import { Nemesis, NemesisHost } from './nemesis';
import { NETWORK_HEALED, SimNetwork } from './network';
import { CrashPoint, ShellObserver, SimNode } from './node';
import { Scenario } from './scenario';
import { Trace, TraceKind } from './trace';
import { Workload } from './workload';

/** SimEvent is anything the scheduler runs. */
type SimEvent =
  | { kind: 'deliver'; m: Message; senderIncarnation: number }
  | { kind: 'tick'; node: number; incarnation: number }
  | { kind: 'client'; client: number }
  | { kind: 'nemesis' }
  | { kind: 'restart'; node: number }
  | { kind: 'decommission'; node: number }
  | { kind: 'heal' }
  | { kind: 'report'; node: number; incarnation: number; peer: number; report: Report };

type Report = 'unreachable' | 'snapshot-finished' | 'snapshot-failed';

/** Phase: faults on (safety) or healed (liveness). */
export type Phase = 'safety' | 'liveness';

const U = SIM_LIMITS.unitsPerTick;

/** Simulator: see the file comment. Construct, then {@link run}; it throws on a violation. */
export class Simulator implements ShellObserver, NemesisHost {
  readonly trace = new Trace(SIM_LIMITS.traceTailRecords);
  readonly checker = new ClusterChecker();
  readonly nodes = new Map<number, SimNode>();
  readonly disks = new Map<number, SimDisk>();
  readonly workload: Workload;
  readonly network: SimNetwork;
  phase: Phase = 'safety';
  time = 0;
  events = 0;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly setup: MutationSetup;
  private readonly nemesis: Nemesis;
  private readonly electionRandom: Random;
  private readonly diskRandom: Random;
  private readonly scheduleRandom: Random;
  private readonly founders: number[];
  private readonly tickPeriods = new Map<number, number>();
  /** Nodes that have been members of an applied configuration. */
  private readonly joined = new Set<number>();
  private maxConfIndex = 0;
  private nextNodeId: number;

  /** The constructor builds the founding cluster; nothing runs until {@link run}. */
  constructor(
    readonly scenario: Scenario,
    random: Random,
  ) {
    this.setup = mutationSetup(scenario.mutation);
    this.network = new SimNetwork(random.fork(), scenario.network);
    this.workload = new Workload(random.fork(), {
      clients: scenario.clients,
      keys: scenario.keys,
      issueProbability: scenario.issueProbability,
      readIndexProbability: scenario.readIndexProbability,
    });
    this.electionRandom = random.fork();
    this.diskRandom = random.fork();
    this.scheduleRandom = random.fork();
    this.nemesis = new Nemesis(this, scenario, random.fork());
    this.founders = [];
    for (let id = 1; id <= scenario.founders; id++) this.founders.push(id);
    this.nextNodeId = scenario.founders + 1;
  }

  /** run plays both phases; it returns normally only if every check passed. */
  run(): void {
    for (const id of this.founders) {
      this.createNode(id);
      this.joined.add(id);
    }
    for (const client of this.workload.clientIds) {
      this.queue.push(this.scheduleRandom.int(0, U), { kind: 'client', client });
    }
    this.queue.push(U, { kind: 'nemesis' });
    this.runUntil(this.scenario.safetyTicks * U);
    this.startLiveness();
    const deadline = this.time + SIM_LIMITS.livenessTicksMax * U;
    while (!this.converged()) {
      check(this.time < deadline, Invariant.Liveness, () => this.describeNotConverged());
      this.runUntil(this.time + U);
    }
    this.trace.record(this.time, TraceKind.Phase, 2);
  }

  /** ticks is the virtual time elapsed, in ticks. */
  get ticks(): number {
    return Math.floor(this.time / U);
  }

  // ---- NemesisHost -------------------------------------------------------------------

  /** upNodes lists running nodes, by id. */
  upNodes(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.state === 'up');
  }

  /** leader is the running leader with the highest term, if any. */
  leader(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const n of this.upNodes()) {
      const r = n.rawNode.raft;
      if (r.state !== StateType.Leader) continue;
      if (best === undefined || r.term > best.rawNode.raft.term) best = n;
    }
    return best;
  }

  /** memberCount is the number of joined, not decommissioned nodes. */
  memberCount(): number {
    return [...this.joined].filter((id) => this.nodes.get(id)?.state !== 'decommissioned').length;
  }

  /** crash stops a running node now (`reason`: where in a Ready, 0 between inputs), restarts it later. */
  crash(node: SimNode, reason: CrashPoint | 0): void {
    const loss = node.crash(this.diskRandom, this.scenario.tornTail);
    this.trace.record(this.time, TraceKind.Crash, node.id, reason, loss.lost, loss.kept);
    this.checker.checkDurable(this.disks);
    for (const op of this.workload.inFlightOperations()) {
      if (op.target === node.id) this.workload.giveUp(op.opId);
    }
    // A supervisor may restart a process at once or much later: anything from 1 unit.
    const downUnits = this.phase === 'liveness' ? 1 : this.scheduleRandom.int(1, this.scenario.downTicksMax * U + 1);
    this.queue.push(this.time + downUnits, { kind: 'restart', node: node.id });
  }

  /** partitioned schedules the heal of the partition the nemesis just made. */
  partitioned(durationTicks: number): void {
    this.queue.push(this.time + durationTicks * U, { kind: 'heal' });
  }

  /** addNode creates a new (not yet member) node and returns its id, or 0 if none left. */
  addNode(): number {
    if (this.nodes.size >= SIM_LIMITS.nodesMax) return 0;
    const id = this.nextNodeId++;
    this.createNode(id);
    return id;
  }

  /** settle hands out a node's pending Readies after an input from outside the network. */
  settle(node: SimNode): void {
    if (!node.handleReady()) this.crash(node, node.crashPoint);
    this.afterInput(node);
  }

  // ---- ShellObserver -----------------------------------------------------------------

  /** readyTaken checks a Ready's HardState and traces role changes. */
  readyTaken(node: SimNode, rd: Ready): void {
    // Observe before this Ready applies a conf change: what the node committed so far was
    // committed under the configuration it has now.
    this.checker.observe(node);
    const hs = rd.hardState;
    if (hs !== undefined) this.checker.hardStateTaken(node, hs.commit);
    if (rd.softState !== undefined) {
      const role = Object.values(StateType).indexOf(rd.softState.raftState);
      this.trace.record(this.time, TraceKind.Role, node.id, role, rd.softState.lead, rd.hardState?.term ?? 0);
    }
  }

  /** crashPoint decides whether a crash strikes inside this Ready (safety phase only). */
  crashPoint(node: SimNode, rd: Ready): CrashPoint | undefined {
    if (this.phase !== 'safety') return undefined;
    return this.nemesis.crashPointInReady(node, rd.mustSync);
  }

  /** entriesWritten checks LogMatching for entries being persisted. */
  entriesWritten(node: SimNode, entries: readonly Entry[], prevTerm: number): void {
    this.checker.entriesWritten(node, entries, prevTerm);
  }

  /** send routes a message through the network. */
  send(node: SimNode, m: Message): void {
    this.checker.messageSent(m);
    const copy = cloneMessage(m);
    if (this.setup.forgeCommit) forgeCommit(copy);
    const route = this.network.route(copy.from, copy.to);
    if (route.lost !== false) {
      this.trace.record(this.time, TraceKind.Drop, copy.from, copy.to, copy.type, route.lost === 'cut' ? 1 : 0);
      if (route.lost === 'cut') this.report(node, copy.to, 'unreachable');
      if (copy.type === MessageType.MsgSnap) this.report(node, copy.to, 'snapshot-failed');
      return;
    }
    for (const delay of route.delaysUnits) {
      const event: SimEvent = { kind: 'deliver', m: copy, senderIncarnation: node.incarnation };
      this.queue.push(this.time + delay, event);
    }
  }

  /** applied checks an applied entry and answers the client waiting for it. */
  applied(node: SimNode, entry: Entry, opId: number | undefined, output: KvOutput | undefined): void {
    this.checker.applied(node, entry);
    if (opId === undefined || output === undefined) return;
    const op = this.workload.operation(opId);
    if (op === undefined || op.target !== node.id || op.incarnation !== node.incarnation) return;
    if (op.viaReadIndex) return;
    this.workload.complete(opId, output);
    this.trace.record(this.time, TraceKind.Complete, op.clientId, opId, node.id, entry.index);
    this.workload.setLeaderHint(op.clientId, node.rawNode.raft.lead);
  }

  /** confChangeApplied decommissions nodes the newest applied configuration removed. */
  confChangeApplied(node: SimNode, index: number, cs: ConfState): void {
    this.trace.record(this.time, TraceKind.ConfApplied, node.id, index, cs.voters.length, cs.learners.length);
    if (index <= this.maxConfIndex) return;
    this.maxConfIndex = index;
    const members = new Set([...cs.voters, ...cs.votersOutgoing, ...cs.learners, ...cs.learnersNext]);
    for (const id of members) this.joined.add(id);
    for (const [id, other] of this.nodes) {
      if (members.has(id) || !this.joined.has(id) || other.state === 'decommissioned') continue;
      // Removing a node is committed once applied anywhere: it may stop for good. The
      // node applying this may be the one removed; it stops when its Ready is done.
      this.queue.push(this.time, { kind: 'decommission', node: id });
    }
  }

  /** snapshotApplied answers clients whose operations the snapshot already contains. */
  snapshotApplied(node: SimNode, snapshot: Snapshot): void {
    this.checker.snapshotApplied(node, snapshot);
    this.trace.record(this.time, TraceKind.Snapshot, node.id, snapshot.metadata.index, snapshot.metadata.term);
    for (const op of this.workload.inFlightOperations()) {
      if (op.target !== node.id || op.incarnation !== node.incarnation || op.viaReadIndex) continue;
      const output = node.answer(op.opId);
      if (output !== undefined) this.workload.complete(op.opId, output);
    }
  }

  /** readServed answers a ReadIndex get. */
  readServed(node: SimNode, opId: number, value: string | undefined): void {
    const op = this.workload.operation(opId);
    if (op === undefined || op.target !== node.id || op.incarnation !== node.incarnation) return;
    this.workload.complete(opId, { kind: 'get', value });
    this.trace.record(this.time, TraceKind.Complete, op.clientId, opId, node.id, 0);
  }

  // ---- the event loop ----------------------------------------------------------------

  private runUntil(end: number): void {
    for (;;) {
      const next = this.queue.peekTime();
      if (next === undefined || next > end) break;
      const { time, event } = this.queue.pop();
      assert(time >= this.time, 'time never goes back');
      this.time = time;
      this.events += 1;
      assert(this.events <= SIM_LIMITS.eventsMax, 'the run stays within its event budget');
      this.dispatch(event);
    }
    this.time = Math.max(this.time, end);
  }

  private dispatch(event: SimEvent): void {
    switch (event.kind) {
      case 'deliver':
        return this.deliver(event.m, event.senderIncarnation);
      case 'tick':
        return this.tickNode(event.node, event.incarnation);
      case 'client':
        return this.clientTurn(event.client);
      case 'nemesis':
        return this.nemesisTurn();
      case 'restart':
        return this.restart(event.node);
      case 'decommission':
        return this.decommission(event.node);
      case 'heal':
        this.network.heal();
        this.trace.record(this.time, TraceKind.Heal);
        return;
      case 'report':
        return this.deliverReport(event.node, event.incarnation, event.peer, event.report);
    }
  }

  private deliver(m: Message, senderIncarnation: number): void {
    const node = this.nodes.get(m.to);
    const sender = this.nodes.get(m.from);
    const lost = node === undefined || node.state !== 'up' || this.network.isCut(m.from, m.to);
    if (lost) {
      this.trace.record(this.time, TraceKind.Drop, m.from, m.to, m.type, 2);
      if (m.type === MessageType.MsgSnap && sender !== undefined) {
        this.reportAt(sender, senderIncarnation, m.to, 'snapshot-failed');
      }
      return;
    }
    if (node.pausedUntil > this.time) {
      this.queue.push(node.pausedUntil, { kind: 'deliver', m, senderIncarnation });
      return;
    }
    this.trace.record(this.time, TraceKind.Deliver, m.from, m.to, m.type, m.term);
    if (m.type === MessageType.MsgSnap && sender !== undefined) {
      this.reportAt(sender, senderIncarnation, m.to, 'snapshot-finished');
    }
    if (!node.receive(m)) this.crash(node, node.crashPoint);
    this.afterInput(node);
  }

  private tickNode(id: number, incarnation: number): void {
    const node = this.nodes.get(id) as SimNode;
    if (node.state !== 'up' || node.incarnation !== incarnation) return;
    const period = this.tickPeriods.get(id) as number;
    this.queue.push(this.time + period, { kind: 'tick', node: id, incarnation });
    if (node.pausedUntil > this.time) return;
    this.trace.record(this.time, TraceKind.Tick, id);
    if (!node.tick()) this.crash(node, node.crashPoint);
    this.afterInput(node);
  }

  private nemesisTurn(): void {
    if (this.phase !== 'safety') return;
    this.queue.push(this.time + U, { kind: 'nemesis' });
    this.nemesis.turn(this.time);
  }

  private restart(id: number): void {
    const node = this.nodes.get(id) as SimNode;
    if (node.state !== 'down') return;
    node.start(this.electionRandom.fork());
    this.checker.started(node);
    this.trace.record(this.time, TraceKind.Restart, id, node.incarnation);
    const phase = this.scheduleRandom.int(1, U + 1);
    this.queue.push(this.time + phase, { kind: 'tick', node: id, incarnation: node.incarnation });
  }

  private decommission(id: number): void {
    const node = this.nodes.get(id) as SimNode;
    if (node.state === 'decommissioned') return;
    node.decommission();
    this.trace.record(this.time, TraceKind.Decommission, id);
    for (const op of this.workload.inFlightOperations()) {
      if (op.target === id) this.workload.giveUp(op.opId);
    }
  }

  private report(node: SimNode, peer: number, report: Report): void {
    this.reportAt(node, node.incarnation, peer, report);
  }

  private reportAt(node: SimNode, incarnation: number, peer: number, report: Report): void {
    if (report !== 'unreachable' && !this.setup.snapshotReports) return;
    const event: SimEvent = { kind: 'report', node: node.id, incarnation, peer, report };
    this.queue.push(this.time + 1, event);
  }

  private deliverReport(id: number, incarnation: number, peer: number, report: Report): void {
    const node = this.nodes.get(id) as SimNode;
    if (node.state !== 'up' || node.incarnation !== incarnation) return;
    const rn = node.rawNode;
    if (report === 'unreachable') rn.reportUnreachable(peer);
    else rn.reportSnapshot(peer, report === 'snapshot-finished' ? SnapshotStatus.Finish : SnapshotStatus.Failure);
    this.settle(node);
  }

  /** afterInput runs the per-event checks once a node handled an input. */
  private afterInput(node: SimNode): void {
    if (node.state === 'up') this.checker.observe(node);
    this.checker.checkDurable(this.disks);
  }

  private createNode(id: number): SimNode {
    const initial: Snapshot = {
      metadata: {
        index: 0,
        term: 0,
        confState: { voters: [...this.founders], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false },
      },
      data: new Uint8Array(0),
    };
    const disk = new SimDisk(initial, this.setup.disk);
    const node = new SimNode({
      id,
      disk,
      founders: this.founders,
      behaviour: this.setup.shell,
      observer: this,
      stepHook: this.setup.stepHook,
      snapshotEveryEntries: this.scenario.snapshotEveryEntries,
      snapshotKeepEntries: this.scenario.snapshotKeepEntries,
      preVote: this.scenario.preVote,
      checkQuorum: this.scenario.checkQuorum,
    });
    this.nodes.set(id, node);
    this.disks.set(id, disk);
    this.tickPeriods.set(id, U + this.scheduleRandom.int(-1, 2));
    this.restart(id);
    return node;
  }

  // ---- clients -----------------------------------------------------------------------

  private clientTurn(clientId: number): void {
    this.queue.push(this.time + U, { kind: 'client', client: clientId });
    const w = this.workload;
    const current = w.inFlightOperations().find((op) => op.clientId === clientId);
    if (current !== undefined && this.time >= current.deadline) {
      w.giveUp(current.opId);
      this.trace.record(this.time, TraceKind.Timeout, clientId, current.opId);
    }
    if (this.phase === 'liveness' && w.completedAfterHeal(clientId) > 0) return;
    if (!w.wantsToIssue(clientId)) return;
    const target = this.chooseTarget(clientId);
    if (target === undefined) return;
    this.submit(clientId, target);
  }

  private chooseTarget(clientId: number): SimNode | undefined {
    const usable = (n: SimNode | undefined): n is SimNode =>
      n !== undefined && n.state === 'up' && n.pausedUntil <= this.time && this.joined.has(n.id);
    const hinted = this.nodes.get(this.workload.leaderHint(clientId));
    if (usable(hinted)) return hinted;
    const candidates = [...this.nodes.values()].filter(usable);
    if (candidates.length === 0) return undefined;
    return this.workload.pickNode(candidates);
  }

  private submit(clientId: number, node: SimNode): void {
    const w = this.workload;
    const { input, viaReadIndex } = w.makeInput(clientId);
    const op = w.begin({
      clientId,
      input,
      target: node.id,
      incarnation: node.incarnation,
      deadline: this.time + SIM_LIMITS.clientTimeoutTicks * U,
      viaReadIndex,
      afterHeal: this.phase === 'liveness',
    });
    if (viaReadIndex) {
      node.read(op.opId, input.key);
      this.trace.record(this.time, TraceKind.Read, clientId, op.opId, node.id);
    } else if (node.propose(op.opId, input) !== null) {
      w.refused(op.opId);
      const lead = node.rawNode.raft.lead;
      w.setLeaderHint(clientId, lead === node.id ? 0 : lead);
      return;
    } else {
      this.trace.record(this.time, TraceKind.Propose, clientId, op.opId, node.id);
    }
    this.settle(node);
  }

  // ---- liveness ----------------------------------------------------------------------

  private startLiveness(): void {
    this.phase = 'liveness';
    this.trace.record(this.time, TraceKind.Phase, 1);
    this.network.heal();
    this.network.setFaults(NETWORK_HEALED);
    for (const node of this.nodes.values()) {
      node.pausedUntil = 0;
      if (node.state === 'down') this.restart(node.id);
    }
  }

  private converged(): boolean {
    const leader = this.leader();
    if (leader === undefined) return false;
    const raft = leader.rawNode.raft;
    const cfg = raft.trk.config;
    if (cfg.voters[1].size > 0) return false;
    const commit = raft.raftLog.committed;
    if (commit !== raft.raftLog.lastIndex()) return false;
    for (const id of [...cfg.voters[0], ...cfg.learners]) {
      const n = this.nodes.get(id);
      if (n === undefined || n.state !== 'up') return false;
      if (n.rawNode.raft.raftLog.committed !== commit || n.applied !== commit) return false;
    }
    return this.workload.clientIds.every(
      (c) => this.workload.completedAfterHeal(c) > 0 && !this.workload.busy(c),
    );
  }

  private describeNotConverged(): string {
    const leader = this.leader();
    const nodes = [...this.nodes.values()].map((n) => {
      if (n.state !== 'up') return `${n.id}:${n.state}`;
      const r = n.rawNode.raft;
      return `${n.id}:${r.state}/t${r.term}/c${r.raftLog.committed}/a${n.applied}/l${r.raftLog.lastIndex()}`;
    });
    const clients = this.workload.clientIds.map(
      (c) => `c${c}:${this.workload.completedAfterHeal(c)}${this.workload.busy(c) ? '+busy' : ''}`,
    );
    const lead = leader === undefined ? 'none' : `${leader.id} ${leader.rawNode.raft.trk.describe()}`;
    return `not converged after ${SIM_LIMITS.livenessTicksMax} ticks: leader ${lead}; ` +
      `nodes ${nodes.join(' ')}; clients ${clients.join(' ')}`;
  }
}

/** cloneMessage copies a message so that no object is shared between two nodes. */
function cloneMessage(m: Message): Message {
  return { ...m, entries: m.entries.map((e) => ({ ...e })) };
}
