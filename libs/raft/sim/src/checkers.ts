/**
 * ClusterChecker: raft's safety properties, checked while the simulation runs (the
 * invariants of etcd-raft's TLA+ spec, raft.md §5.2, plus the shell's own). It keeps a
 * global memory of facts that may never change once seen, and compares every node against
 * it at the moment the node could break it:
 *
 * - ElectionSafety: at most one leader per term, ever.
 * - VoteOnce: a node gives its vote to at most one candidate per term, ever (across
 *   restarts: the vote must be durable before a grant or a vote request is sent).
 * - LogMatching: an entry (index, term) is written with one content and one predecessor term
 *   by every node, ever; by induction equal (index, term) means equal prefixes.
 * - LeaderCompleteness: a node that becomes leader of term T holds every entry committed in a
 *   term below T.
 * - StateMachineSafety: no two applications (any node, any incarnation) of an index differ,
 *   and nothing is applied that differs from the committed entry there.
 * - CommittedIsDurable: the latest committed entry is in the fsynced logs (or snapshots) of a
 *   quorum of the configuration that committed it.
 * - Monotonic: per incarnation, commit never decreases and entries are applied in order,
 *   from the restart's `applied` + 1 on (so `applied` is honoured after a restart).
 */
import { assert } from '@shoal/assert';
import { Entry, Message, MessageType, RawNode, Snapshot, StateType } from '@shoal/raft';
import { COVERED, SimDisk } from './disk';
import { digestEntry } from './kv';

/** Invariant names a checked property (the name a failure reports). */
export enum Invariant {
  ElectionSafety = 'election-safety',
  VoteOnce = 'vote-once',
  LogMatching = 'log-matching',
  LeaderCompleteness = 'leader-completeness',
  StateMachineSafety = 'state-machine-safety',
  CommittedIsDurable = 'committed-is-durable',
  CommitMonotonic = 'commit-monotonic',
  AppliedInOrder = 'applied-in-order',
  Liveness = 'liveness',
  Linearizability = 'linearizability',
  /** An assertion inside the raft core or the simulator failed. */
  Assertion = 'assertion',
}

/** InvariantViolation is thrown when a check fails; the run stops there. */
export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation';
  constructor(
    readonly invariant: Invariant,
    readonly detail: string,
  ) {
    super(`${invariant}: ${detail}`);
  }
}

/** check throws an {@link InvariantViolation} for `invariant` unless `cond` holds. */
export function check(cond: boolean, invariant: Invariant, detail: () => string): asserts cond {
  if (!cond) throw new InvariantViolation(invariant, detail());
}

/** CheckedNode is what the checker reads of a node. */
export interface CheckedNode {
  readonly id: number;
  readonly incarnation: number;
  readonly applied: number;
  readonly disk: SimDisk;
  readonly rawNode: RawNode;
}

interface EntryFact {
  digest: number;
  prevTerm: number;
}

interface NodeTrack {
  incarnation: number;
  commit: number;
  nextApply: number;
  leaderTerm: number;
}

interface CommitMilestone {
  index: number;
  /** The term of the node that first reported this commit (the committing leader's). */
  commitTerm: number;
}

const TERM_KEY_SPAN = 1 << 20;

/** ClusterChecker: see the file comment. Each method throws InvariantViolation on failure. */
export class ClusterChecker {
  private readonly leaderOfTerm = new Map<number, number>();
  /** votes: (voter, term) -> the candidate it granted its vote to. */
  private readonly votes = new Map<number, number>();
  private readonly entryFacts = new Map<number, EntryFact>();
  /** committedTerms[i]: term of the committed entry at index i (0: not known). */
  private readonly committedTerms: number[] = [0];
  private readonly milestones: CommitMilestone[] = [];
  private commitVoters: [number[], number[]] = [[], []];
  private readonly appliedDigests: number[] = [];
  private readonly tracks = new Map<number, NodeTrack>();

  /** commitIndex is the highest index any node reported committed. */
  get commitIndex(): number {
    return this.committedTerms.length - 1;
  }

  /** leaderTerms is the number of terms that had a leader. */
  get leaderTerms(): number {
    return this.leaderOfTerm.size;
  }

  /** started resets a node's per-incarnation tracking (call after each start). */
  started(node: CheckedNode): void {
    const hs = node.disk.durableHardState();
    this.tracks.set(node.id, {
      incarnation: node.incarnation,
      commit: hs.commit,
      nextApply: node.applied + 1,
      leaderTerm: 0,
    });
  }

  /** entriesWritten checks LogMatching for entries about to be persisted. */
  entriesWritten(node: CheckedNode, entries: readonly Entry[], prevTerm: number): void {
    let previous = prevTerm;
    for (const e of entries) {
      assert(e.term < TERM_KEY_SPAN, 'terms stay small in a simulation');
      const key = e.index * TERM_KEY_SPAN + e.term;
      const digest = digestEntry(e.term, e.type, e.data);
      const fact = this.entryFacts.get(key);
      if (fact === undefined) {
        this.entryFacts.set(key, { digest, prevTerm: previous });
      } else {
        const at = `entry ${e.index}@${e.term} written by node ${node.id}`;
        check(fact.digest === digest, Invariant.LogMatching, () => `${at} has other content`);
        check(
          previous === 0 || fact.prevTerm === 0 || fact.prevTerm === previous,
          Invariant.LogMatching,
          () => `${at} follows term ${previous}, elsewhere term ${fact.prevTerm}`,
        );
        if (fact.prevTerm === 0) fact.prevTerm = previous;
      }
      previous = e.term;
    }
  }

  /**
   * messageSent checks VoteOnce for a vote about to leave a node: a granted MsgVoteResp, or
   * a MsgVote (the candidate's vote for itself is in use once it asks for others').
   */
  messageSent(m: Message): void {
    if (m.type === MessageType.MsgVoteResp && !m.reject) this.voted(m.from, m.term, m.to);
    if (m.type === MessageType.MsgVote) this.voted(m.from, m.term, m.from);
  }

  /** voted checks VoteOnce: `voter` gives its vote in `term` to `candidate`. */
  voted(voter: number, term: number, candidate: number): void {
    assert(term < TERM_KEY_SPAN, 'terms stay small in a simulation');
    const key = voter * TERM_KEY_SPAN + term;
    const earlier = this.votes.get(key);
    check(earlier === undefined || earlier === candidate, Invariant.VoteOnce, () => {
      return `node ${voter} voted for ${earlier} and ${candidate} in term ${term}`;
    });
    this.votes.set(key, candidate);
  }

  /** hardStateTaken checks that a Ready's commit does not go back within an incarnation. */
  hardStateTaken(node: CheckedNode, commit: number): void {
    const track = this.track(node);
    check(commit >= track.commit, Invariant.CommitMonotonic, () => {
      return `node ${node.id} HardState commit ${commit} after ${track.commit}`;
    });
    track.commit = commit;
  }

  /** applied checks order and StateMachineSafety for one applied entry. */
  applied(node: CheckedNode, e: Entry): void {
    const track = this.track(node);
    check(e.index === track.nextApply, Invariant.AppliedInOrder, () => {
      return `node ${node.id} applied ${e.index}, expected ${track.nextApply}`;
    });
    track.nextApply = e.index + 1;
    const digest = digestEntry(e.term, e.type, e.data);
    const earlier = this.appliedDigests[e.index];
    if (earlier === undefined) this.appliedDigests[e.index] = digest;
    check(earlier === undefined || earlier === digest, Invariant.StateMachineSafety, () => {
      return `node ${node.id} applied a different entry ${e.index}@${e.term} than another node`;
    });
    const committed = this.committedTerms[e.index] ?? 0;
    check(committed === 0 || committed === e.term, Invariant.StateMachineSafety, () => {
      return `node ${node.id} applied ${e.index}@${e.term}, committed was term ${committed}`;
    });
  }

  /** snapshotApplied moves the apply cursor to a snapshot (never backwards). */
  snapshotApplied(node: CheckedNode, snapshot: Snapshot): void {
    const track = this.track(node);
    const index = snapshot.metadata.index;
    check(index + 1 >= track.nextApply, Invariant.AppliedInOrder, () => {
      return `node ${node.id} applied snapshot ${index} after applying ${track.nextApply - 1}`;
    });
    track.nextApply = index + 1;
    const committed = this.committedTerms[index] ?? 0;
    check(committed === 0 || committed === snapshot.metadata.term, Invariant.StateMachineSafety, () => {
      return `node ${node.id} applied snapshot ${index}@${snapshot.metadata.term}, committed ${committed}`;
    });
  }

  /**
   * observe checks a running node after it handled an input: ElectionSafety,
   * LeaderCompleteness when it just became leader, and what it reports committed.
   */
  observe(node: CheckedNode): void {
    const raft = node.rawNode.raft;
    const track = this.track(node);
    if (raft.state === StateType.Leader && track.leaderTerm !== raft.term) {
      const other = this.leaderOfTerm.get(raft.term);
      check(other === undefined || other === node.id, Invariant.ElectionSafety, () => {
        return `nodes ${other} and ${node.id} both lead term ${raft.term}`;
      });
      this.leaderOfTerm.set(raft.term, node.id);
      track.leaderTerm = raft.term;
      this.checkLeaderCompleteness(node, raft.term);
    }
    this.observeCommit(node, track);
  }

  /**
   * checkDurable checks CommittedIsDurable against every disk (running or not; removed
   * nodes keep their disks).
   */
  checkDurable(disks: ReadonlyMap<number, SimDisk>): void {
    const c = this.commitIndex;
    if (c === 0) return;
    const term = this.committedTerms[c] as number;
    if (term === 0) return;
    const holds = (id: number): boolean => {
      const t = disks.get(id)?.durableTermAt(c);
      return t === term || t === COVERED;
    };
    for (const voters of this.commitVoters) {
      if (voters.length === 0) continue;
      const count = voters.filter(holds).length;
      check(2 * count > voters.length, Invariant.CommittedIsDurable, () => {
        return `committed ${c}@${term} is durable on ${count} of voters (${voters.join(' ')})`;
      });
    }
  }

  private track(node: CheckedNode): NodeTrack {
    const t = this.tracks.get(node.id);
    assert(t !== undefined && t.incarnation === node.incarnation, 'started() ran for this start');
    return t;
  }

  private observeCommit(node: CheckedNode, track: NodeTrack): void {
    const raft = node.rawNode.raft;
    const log = raft.raftLog;
    const c = log.committed;
    check(c >= track.commit, Invariant.CommitMonotonic, () => {
      return `node ${node.id} commit went from ${track.commit} to ${c}`;
    });
    for (let i = track.commit + 1; i <= Math.min(c, this.commitIndex); i++) {
      const t = log.term(i) ?? 0;
      const known = this.committedTerms[i] as number;
      check(t === 0 || known === 0 || t === known, Invariant.StateMachineSafety, () => {
        return `node ${node.id} committed ${i}@${t}, another node committed term ${known}`;
      });
    }
    track.commit = c;
    if (c <= this.commitIndex) return;
    for (let i = this.commitIndex + 1; i <= c; i++) this.committedTerms.push(log.term(i) ?? 0);
    this.milestones.push({ index: c, commitTerm: raft.term });
    const cfg = raft.trk.config;
    this.commitVoters = [[...cfg.voters[0]], [...cfg.voters[1]]];
  }

  private checkLeaderCompleteness(node: CheckedNode, term: number): void {
    let bound = 0;
    for (let k = this.milestones.length - 1; k >= 0; k--) {
      const m = this.milestones[k] as CommitMilestone;
      if (m.commitTerm < term) {
        bound = m.index;
        break;
      }
    }
    const log = node.rawNode.raft.raftLog;
    check(log.lastIndex() >= bound, Invariant.LeaderCompleteness, () => {
      return `leader ${node.id} of term ${term} ends at ${log.lastIndex()}, committed ${bound}`;
    });
    for (let i = Math.max(1, log.firstIndex() - 1); i <= bound; i++) {
      const want = this.committedTerms[i] as number;
      const got = log.term(i) ?? 0;
      check(want === 0 || got === want, Invariant.LeaderCompleteness, () => {
        return `leader ${node.id} of term ${term} has ${i}@${got}, committed ${i}@${want}`;
      });
    }
  }
}
