// `--force-new-cluster`: turn a lone survivor's durable state into a one-member cluster.
import {
  ConfChangeType,
  confChangeV1,
  decodeConfChange,
  encodeConfChange,
  EntryType,
  type Entry,
} from '@shoal/raft';
import type { PersistedState, RaftPersistence } from '@shoal/raft-node';

/**
 * membersAtCommit replays the conf changes up to the commit index over the snapshot's
 * membership: the voters and learners in force at the last committed entry.
 */
export function membersAtCommit(state: PersistedState): Set<number> {
  const conf = state.snapshot?.metadata.confState;
  const members = new Set<number>([...(conf?.voters ?? []), ...(conf?.learners ?? [])]);
  for (const e of state.entries) {
    if (e.index > state.hardState.commit || e.type !== EntryType.ConfChange) continue;
    const cc = decodeConfChange(e.data);
    if (cc.kind !== 'v1') continue;
    if (cc.type === ConfChangeType.RemoveNode) members.delete(cc.nodeId);
    else if (cc.type === ConfChangeType.AddNode || cc.type === ConfChangeType.AddLearnerNode) {
      members.add(cc.nodeId);
    }
  }
  return members;
}

/**
 * forceNewCluster rewrites a member's log as etcd's `--force-new-cluster` does: the
 * uncommitted tail is discarded, and one committed RemoveNode per other member is appended
 * at the current term. On start the member applies them, finds itself the only voter and
 * elects itself; it keeps every committed write. Returns the ids removed. Rejects when there
 * is no durable state to recover. `persistence` is closed afterwards.
 */
export async function forceNewCluster(
  persistence: RaftPersistence,
  selfId: number,
): Promise<number[]> {
  const state = await persistence.load();
  if (state === undefined) {
    throw new Error('force-new-cluster: no durable state in the state directory');
  }
  try {
    const others = [...membersAtCommit(state)].filter((id) => id !== selfId).sort((a, b) => a - b);
    if (others.length === 0) return [];
    const { term, vote, commit } = state.hardState;
    const entries: Entry[] = others.map((id, i) => ({
      term,
      index: commit + 1 + i,
      type: EntryType.ConfChange,
      data: encodeConfChange(confChangeV1(ConfChangeType.RemoveNode, id)),
    }));
    const hardState = { term, vote, commit: commit + entries.length };
    await persistence.save({ entries, hardState, mustSync: true });
    return others;
  } finally {
    await persistence.close();
  }
}
