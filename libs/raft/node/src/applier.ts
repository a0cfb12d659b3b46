/**
 * The state-machine port of the raft shell: what RaftNode hands committed entries to, asks
 * for snapshots and restores from a snapshot.
 */
import type { AnyConfChange, ConfState, SnapshotMetadata } from '@shoal/raft';

/**
 * AppliedEntry is a committed normal entry as the state machine sees it: the caller's
 * payload (the shell's request header removed; a view, valid only during the call).
 */
export interface AppliedEntry {
  index: number;
  term: number;
  data: Uint8Array;
}

/**
 * AppliedConfChange is a committed membership change, after raft applied it: `context` is
 * the caller's context (e.g. the member's address), `confState` the membership now in force.
 */
export interface AppliedConfChange {
  index: number;
  change: AnyConfChange;
  context: Uint8Array;
  confState: ConfState;
}

/**
 * Applier is the replicated state machine. RaftNode calls it from its one Ready loop, never
 * concurrently, in log order.
 *
 * Contract:
 * - `apply` is called exactly once per committed non-empty normal entry, in index order, on
 *   every member (the proposer included: its `propose` resolves after this returns, with
 *   what `apply` returned as `result`, e.g. the store's per-transaction outcome). It must be
 *   synchronous and deterministic, and must not throw: a throw is fatal to the node.
 * - `snapshot` returns the state as of the last applied entry. It must capture that state
 *   synchronously, when called; it may then produce the bytes asynchronously (e.g. encode in
 *   slices), because the shell goes on applying entries while it waits for them.
 * - `restore` replaces the whole state with a snapshot's `data` (a restart, or a leader's
 *   snapshot for a follower that fell behind the compacted log). Entries after
 *   `metadata.index` follow through `apply`.
 * - `applyConfChange` (optional) learns about membership changes, in log order with `apply`.
 * The state machine is in memory: after a restart it is rebuilt from the newest snapshot and
 * the entries after it.
 */
export interface Applier<R = void> {
  apply(entry: AppliedEntry): R;
  snapshot(): Uint8Array | Promise<Uint8Array>;
  restore(data: Uint8Array, metadata: SnapshotMetadata): void | Promise<void>;
  applyConfChange?(change: AppliedConfChange): void;
}
