/**
 * Nemesis: the fault injector of the safety phase. Once per tick it may crash a node, cut
 * the network (a symmetric split, the leader isolated, one node deaf or mute, or random
 * one-way links), pause a process, change the membership (add a learner, promote it, remove
 * a voter, or replace one through a joint configuration) or ask the leader to transfer
 * leadership. It also decides, per Ready, whether a crash strikes inside it. Which of these
 * are on, and how often, is the scenario's (the seed's) choice.
 */
import {
  ConfChangeTransition,
  ConfChangeType,
  confChangeV1,
  confChangeV2,
  AnyConfChange,
} from '@shoal/raft';
import type { Random } from '@shoal/random';
import { SIM_LIMITS } from '@shoal/limits';
import { SimNetwork } from './network';
import { CrashPoint, SimNode } from './node';
import { Scenario } from './scenario';
import { Trace, TraceKind } from './trace';

/** NemesisHost is what the nemesis may see and do in the simulator. */
export interface NemesisHost {
  readonly nodes: ReadonlyMap<number, SimNode>;
  readonly network: SimNetwork;
  readonly trace: Trace;
  readonly time: number;
  upNodes(): SimNode[];
  leader(): SimNode | undefined;
  memberCount(): number;
  crash(node: SimNode, reason: CrashPoint | 0): void;
  partitioned(durationTicks: number): void;
  addNode(): number;
  settle(node: SimNode): void;
}

const CRASH_POINTS = [CrashPoint.AfterWrite, CrashPoint.AfterSync, CrashPoint.MidSend, CrashPoint.BeforeAdvance];

/** Nemesis: see the file comment. */
export class Nemesis {
  /** The constructor takes the nemesis's own random stream. */
  constructor(
    private readonly host: NemesisHost,
    private readonly scenario: Scenario,
    private readonly random: Random,
  ) {}

  /** turn makes this tick's fault decisions. */
  turn(time: number): void {
    const s = this.scenario;
    if (this.roll(s.crashProbability)) this.crashSomeNode();
    if (!this.host.network.partitioned && this.roll(s.partitionProbability)) this.partition();
    if (this.roll(s.pauseProbability)) this.pause(time);
    if (this.roll(s.membershipProbability)) this.changeMembership();
    if (this.roll(s.transferProbability)) this.transferLeadership();
  }

  /** crashPointInReady decides whether (and where) a crash strikes inside a Ready. */
  crashPointInReady(node: SimNode, mustSync: boolean): CrashPoint | undefined {
    if (!this.roll(this.scenario.crashInReadyProbability) || !this.mayCrash(node)) return undefined;
    // A crash after writing is also what an fsync error leads to: the node must stop.
    const point = this.random.pick(CRASH_POINTS);
    return point === CrashPoint.AfterSync && !mustSync ? CrashPoint.AfterWrite : point;
  }

  private roll(p: number): boolean {
    return p > 0 && this.random.float() < p;
  }

  /** mayCrash keeps at most a minority of members down (more would only stall the run). */
  private mayCrash(node: SimNode): boolean {
    if (node.state !== 'up') return false;
    const down = [...this.host.nodes.values()].filter((n) => n.state === 'down').length;
    return down < Math.max(1, Math.floor((this.host.memberCount() - 1) / 2));
  }

  private crashSomeNode(): void {
    const up = this.host.upNodes();
    if (up.length === 0) return;
    const node = this.random.pick(up);
    if (this.mayCrash(node)) this.host.crash(node, 0);
  }

  private partition(): void {
    const ids = [...this.host.nodes.values()].filter((n) => n.state !== 'decommissioned').map((n) => n.id);
    if (ids.length < 2) return;
    const net = this.host.network;
    const kind = this.random.int(0, 4);
    if (kind === 0) {
      this.random.shuffle(ids);
      const k = this.random.int(1, ids.length);
      net.isolate(ids.slice(0, k), ids.slice(k));
    } else if (kind === 1) {
      const leader = this.host.leader()?.id ?? this.random.pick(ids);
      net.isolate([leader], ids.filter((id) => id !== leader));
    } else if (kind === 2) {
      const x = this.random.pick(ids);
      const mute = this.random.float() < 0.5;
      for (const y of ids) if (y !== x) net.cutLink(mute ? x : y, mute ? y : x);
    } else {
      for (const a of ids) for (const b of ids) if (a !== b && this.roll(0.3)) net.cutLink(a, b);
    }
    const ticks = this.random.int(1, this.scenario.partitionTicksMax + 1);
    this.host.trace.record(this.host.time, TraceKind.Partition, kind, ticks);
    this.host.partitioned(ticks);
  }

  private pause(time: number): void {
    const up = this.host.upNodes();
    if (up.length === 0) return;
    const node = this.random.pick(up);
    const ticks = this.random.int(1, 2 * SIM_LIMITS.electionTicks + 1);
    node.pausedUntil = time + ticks * SIM_LIMITS.unitsPerTick;
    this.host.trace.record(time, TraceKind.Pause, node.id, ticks);
  }

  private changeMembership(): void {
    const leader = this.host.leader();
    if (leader === undefined) return;
    const cfg = leader.rawNode.raft.trk.config;
    if (cfg.voters[1].size > 0) return;
    const voters = [...cfg.voters[0]].sort((a, b) => a - b);
    const learners = [...cfg.learners].sort((a, b) => a - b);
    const choices: (() => AnyConfChange | undefined)[] = [];
    if (this.host.nodes.size < SIM_LIMITS.nodesMax) choices.push(() => this.addLearner());
    if (learners.length > 0) {
      choices.push(() => confChangeV1(ConfChangeType.AddNode, this.random.pick(learners)));
    }
    if (voters.length >= 4) {
      choices.push(() => confChangeV1(ConfChangeType.RemoveNode, this.random.pick(voters)));
    }
    if (learners.length > 0 && voters.length >= 3) {
      choices.push(() => this.replaceVoter(voters, learners));
    }
    if (choices.length === 0) return;
    const cc = this.random.pick(choices)();
    if (cc === undefined) return;
    const refused = leader.rawNode.proposeConfChange(cc) !== null;
    const kind = cc.kind === 'v1' ? cc.type : 10 + cc.transition;
    const target = cc.kind === 'v1' ? cc.nodeId : (cc.changes[0]?.nodeId ?? 0);
    this.host.trace.record(this.host.time, TraceKind.ConfChange, leader.id, kind, target, refused ? 1 : 0);
    this.host.settle(leader);
  }

  private addLearner(): AnyConfChange | undefined {
    const id = this.host.addNode();
    return id === 0 ? undefined : confChangeV1(ConfChangeType.AddLearnerNode, id);
  }

  /** replaceVoter swaps a learner in and a voter out at once, through joint consensus. */
  private replaceVoter(voters: number[], learners: number[]): AnyConfChange {
    const changes = [
      { type: ConfChangeType.AddNode, nodeId: this.random.pick(learners) },
      { type: ConfChangeType.RemoveNode, nodeId: this.random.pick(voters) },
    ];
    return confChangeV2(changes, ConfChangeTransition.JointImplicit);
  }

  private transferLeadership(): void {
    const leader = this.host.leader();
    if (leader === undefined) return;
    const voters = [...leader.rawNode.raft.trk.config.voters[0]].filter((id) => id !== leader.id);
    if (voters.length === 0) return;
    const target = this.random.pick(voters.sort((a, b) => a - b));
    leader.rawNode.transferLeader(target);
    this.host.trace.record(this.host.time, TraceKind.Transfer, leader.id, target);
    this.host.settle(leader);
  }
}
