/**
 * Mutations: deliberately broken variants of the simulated system, built from outside the
 * raft core (which must not change). Each breaks one rule of raft or of the Ready contract;
 * the mutation tests prove that the simulator's checkers notice, with a seed.
 */
import { assertNever } from '@shoal/assert';
import { Message, MessageType } from '@shoal/raft';
import { DiskBehaviour } from './disk';
import { ShellBehaviour, StepHook } from './node';

/** Mutation names a broken variant; `none` is the system as it should be. */
export enum Mutation {
  None = 'none',
  /** The disk acknowledges fsync before the data is durable (lost on a crash). */
  DiskLiesAboutFsync = 'disk-lies-about-fsync',
  /** The shell applies entries when they are appended instead of when committed. */
  ApplyUncommitted = 'apply-uncommitted',
  /** The shell sends votes and acks before writing (and syncing) the HardState. */
  SendBeforePersistHardState = 'send-before-persist-hardstate',
  /** The shell serves gets from local state without ReadIndex (a stale-read bug). */
  StaleLocalReads = 'stale-local-reads',
  /** The network raises a MsgApp's commit index to its last entry. */
  ForgeCommit = 'forge-commit',
  /** The transport never reports MsgSnap outcomes (reportSnapshot is never called). */
  NoSnapshotReports = 'no-snapshot-reports',
  /** A wrapper around step counts each granted vote twice (under another voter's id). */
  DoubleCountVotes = 'double-count-votes',
}

/** MutationSetup is how the simulator realises a mutation. */
export interface MutationSetup {
  disk: DiskBehaviour;
  shell: ShellBehaviour;
  forgeCommit: boolean;
  snapshotReports: boolean;
  stepHook: StepHook | undefined;
}

/** mutationSetup returns the simulator settings for `mutation`. */
export function mutationSetup(mutation: Mutation): MutationSetup {
  const base: MutationSetup = {
    disk: DiskBehaviour.Honest,
    shell: ShellBehaviour.Correct,
    forgeCommit: false,
    snapshotReports: true,
    stepHook: undefined,
  };
  switch (mutation) {
    case Mutation.None:
      return base;
    case Mutation.DiskLiesAboutFsync:
      return { ...base, disk: DiskBehaviour.LiesAboutFsync };
    case Mutation.ApplyUncommitted:
      return { ...base, shell: ShellBehaviour.ApplyUncommitted };
    case Mutation.SendBeforePersistHardState:
      return { ...base, shell: ShellBehaviour.SendBeforePersistHardState };
    case Mutation.StaleLocalReads:
      return { ...base, shell: ShellBehaviour.StaleLocalReads };
    case Mutation.ForgeCommit:
      return { ...base, forgeCommit: true };
    case Mutation.NoSnapshotReports:
      return { ...base, snapshotReports: false };
    case Mutation.DoubleCountVotes:
      return { ...base, stepHook: doubleCountVotes };
    default:
      return assertNever(mutation, 'mutation');
  }
}

/** forgeCommit rewrites a MsgApp so that it commits everything it carries. */
export function forgeCommit(m: Message): void {
  const last = m.entries[m.entries.length - 1];
  if (m.type === MessageType.MsgApp && last !== undefined && last.index > m.commit) {
    m.commit = last.index;
  }
}

/**
 * doubleCountVotes steps every granted (pre-)vote twice: once as sent, once as if another
 * voter (the lowest id that is neither the sender nor the candidate) had granted it too.
 */
const doubleCountVotes: StepHook = (node, m, step) => {
  step(m);
  const isVote = m.type === MessageType.MsgVoteResp || m.type === MessageType.MsgPreVoteResp;
  if (!isVote || m.reject) return;
  const voters = [...node.rawNode.raft.trk.config.voters[0]].sort((a, b) => a - b);
  const other = voters.find((v) => v !== m.from && v !== node.id);
  if (other !== undefined) step({ ...m, from: other });
};
