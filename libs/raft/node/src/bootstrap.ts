/**
 * Starting a member: the bootstrap log of a new cluster, and rebuilding the raft-visible log
 * (MemoryStorage) and the state machine from what is durable.
 */
import { assert } from '@shoal/assert';
import {
  ConfChangeType,
  confChangeV1,
  encodeConfChange,
  EntryType,
  MemoryStorage,
  type ConfState,
  type Entry,
  type HardState,
} from '@shoal/raft';
import type { Applier } from './applier';
import type { PersistedState, RaftPersistence } from './persistence';

/**
 * bootstrapState is the initial durable state of a member of a new cluster with voters
 * `peers` (etcd's StartNode): one AddNode entry per voter at term 1, in id order, already
 * committed. Every founding member writes the same entries, so their logs agree. A member
 * that joins an existing cluster (`peers` empty) starts with an empty log instead.
 */
export function bootstrapState(selfId: number, peers: readonly number[]): PersistedState {
  if (peers.length === 0) return { hardState: { term: 0, vote: 0, commit: 0 }, entries: [] };
  const ids = [...new Set(peers)].sort((a, b) => a - b);
  assert(ids.length === peers.length, 'bootstrap peers are distinct');
  assert(ids.includes(selfId), 'a founding member is one of the bootstrap peers');
  const entries: Entry[] = ids.map((id, i) => ({
    term: 1,
    index: i + 1,
    type: EntryType.ConfChange,
    data: encodeConfChange(confChangeV1(ConfChangeType.AddNode, id)),
  }));
  return { hardState: { term: 1, vote: 0, commit: entries.length }, entries };
}

/** Restored is a member's state after start: the raft log, the applier's position. */
export interface Restored {
  storage: MemoryStorage;
  /** Index the state machine reflects (the snapshot's, or 0). */
  applied: number;
  /** Index of the newest snapshot (0 if none). */
  snapshotIndex: number;
  /** Membership as of `applied`. */
  confState: ConfState;
  /** Whether durable storage was created by this start (first start of this member). */
  created: boolean;
  lastIndex: number;
  term: number;
  commit: number;
  hardState: HardState;
}

/**
 * restore loads (or creates, with {@link bootstrapState}) the member's durable state,
 * restores the applier from the snapshot if there is one, and returns a MemoryStorage
 * holding the snapshot, the log after it and the HardState. Committed entries after the
 * snapshot are applied again by the Ready loop (the state machine is in memory).
 */
export async function restore(
  persistence: RaftPersistence,
  applier: Applier<unknown>,
  initial: PersistedState,
): Promise<Restored> {
  let state = await persistence.load();
  const created = state === undefined;
  if (state === undefined) {
    await persistence.create(initial);
    state = initial;
  }
  const storage = new MemoryStorage();
  let applied = 0;
  if (state.snapshot !== undefined) {
    storage.applySnapshot(state.snapshot);
    await applier.restore(state.snapshot.data, state.snapshot.metadata);
    applied = state.snapshot.metadata.index;
  }
  storage.setHardState(state.hardState);
  storage.append(state.entries);
  const { confState } = storage.initialState();
  return {
    storage,
    applied,
    snapshotIndex: applied,
    confState,
    created,
    lastIndex: storage.lastIndex(),
    term: state.hardState.term,
    commit: state.hardState.commit,
    hardState: { ...state.hardState },
  };
}
