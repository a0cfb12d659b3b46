/**
 * Type-only mirror of the raft data model in `libs/raft/core/src/types.ts`.
 *
 * TODO(raft-core): `@shoal/raft`'s index.ts does not re-export its types yet; once it does,
 * replace this file by `export type { ... } from '@shoal/raft'`. The shapes here are kept
 * identical so that values pass between the two without conversion.
 */

/**
 * EntryType says how the state machine reads an entry's `data`: 0 Normal, 1 ConfChange,
 * 2 ConfChangeV2. NB: a literal union, not an enum, so raft core's `EntryType` enum values
 * are assignable to it and back (two enum declarations never are).
 */
export type EntryType = 0 | 1 | 2;

/** Entry is one record of the replicated log. Invariant: `index` >= 1, `term` >= 1. */
export interface Entry {
  term: number;
  index: number;
  type: EntryType;
  data: Uint8Array;
}

/** HardState is raft's persistent state: current term, vote in it, and commit index. */
export interface HardState {
  term: number;
  vote: number;
  commit: number;
}

/** ConfState is the membership in force at a snapshot. */
export interface ConfState {
  voters: number[];
  learners: number[];
  votersOutgoing: number[];
  learnersNext: number[];
  autoLeave: boolean;
}

/** SnapshotMetadata names the last entry a snapshot covers and the membership at it. */
export interface SnapshotMetadata {
  index: number;
  term: number;
  confState: ConfState;
}

/** Snapshot is the state machine's image at `metadata.index`; `data` is opaque. */
export interface Snapshot {
  metadata: SnapshotMetadata;
  data: Uint8Array;
}
