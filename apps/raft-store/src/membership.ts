// The raft group as the store sees it: member records (raft id, node id, address) learned
// from conf changes and snapshots, and the ids removed for good.
import { assert } from '@shoal/assert';
import { ShoalError } from '@shoal/errors';
import { RaftMember, StoreSnapshot, type Lease } from '@shoal/proto';
import { ConfChangeType } from '@shoal/raft';
import type { AppliedConfChange } from '@shoal/raft-node';
import { RAFT_STORE_LIMITS } from '@shoal/limits';

/** MembershipChange is what one applied conf change did to the address book. */
export type MembershipChange =
  | { readonly type: 'upsert'; readonly member: RaftMember }
  | { readonly type: 'remove'; readonly raftId: number }
  | { readonly type: 'none' };

/**
 * encodeMemberContext is the conf change context of a member: its RaftMember record, so every
 * replica learns the new member's node id and address with the change.
 */
export function encodeMemberContext(member: RaftMember): Uint8Array {
  return RaftMember.encode(member).finish();
}

function decodeMemberContext(bytes: Uint8Array): RaftMember | undefined {
  if (bytes.byteLength === 0) return undefined;
  try {
    return RaftMember.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Membership is the replicated address book of the raft group. Founding members are seeded
 * from `--members` (their bootstrap conf changes carry no context); later members arrive with
 * their RaftMember as conf change context; snapshots carry the whole book. Removed ids are
 * kept forever (never reused).
 */
export class Membership {
  private members = new Map<number, RaftMember>();
  private removed = new Set<number>();

  /** The constructor seeds the book with the configured members' addresses. */
  constructor(seed: ReadonlyMap<number, string>) {
    for (const [raftId, addr] of seed) {
      this.members.set(raftId, { raftId, nodeId: `store-${raftId}`, addr, status: undefined });
    }
  }

  /** get returns a member's record, if known. */
  get(raftId: number): RaftMember | undefined {
    return this.members.get(raftId);
  }

  /** list returns the members among `ids` (the raft configuration), by raft id. */
  list(ids?: readonly number[]): RaftMember[] {
    const all = [...this.members.values()].sort((a, b) => a.raftId - b.raftId);
    return ids === undefined ? all : all.filter((m) => ids.includes(m.raftId));
  }

  /** removedIds are the raft ids removed from the group, ascending. */
  removedIds(): number[] {
    return [...this.removed].sort((a, b) => a - b);
  }

  /** isRemoved says whether `raftId` was removed (it must never come back). */
  isRemoved(raftId: number): boolean {
    return this.removed.has(raftId);
  }

  /**
   * nextRaftId is the id for a new member: above every id known or removed, so never reused
   * (the leader assigns it; one conf change is in flight at a time).
   */
  nextRaftId(voters: readonly number[]): number {
    const next = Math.max(0, ...this.members.keys(), ...this.removed, ...voters) + 1;
    assert(next <= RAFT_STORE_LIMITS.raftIdMax, 'raft ids are safe integers');
    return next;
  }

  /** apply records an applied conf change and says what changed. */
  apply(change: AppliedConfChange): MembershipChange {
    const cc = change.change;
    if (cc.kind !== 'v1') return { type: 'none' };
    if (cc.type === ConfChangeType.RemoveNode) {
      this.members.delete(cc.nodeId);
      this.removed.add(cc.nodeId);
      return { type: 'remove', raftId: cc.nodeId };
    }
    const record = decodeMemberContext(change.context);
    if (record === undefined) return { type: 'none' };
    const member: RaftMember = { ...record, raftId: cc.nodeId, status: undefined };
    this.members.set(cc.nodeId, member);
    return { type: 'upsert', member };
  }

  /** encode serializes the book and the lease table (the snapshot's membership section). */
  encode(leases: readonly Lease[]): Uint8Array {
    return StoreSnapshot.encode({
      version: undefined,
      objects: [],
      members: this.list(),
      removedMembers: this.removedIds(),
      leases: [...leases],
    }).finish();
  }

  /**
   * decode reads a membership section (see {@link encode}); throws INVALID_ARGUMENT when it is
   * not one. An empty section (a snapshot without membership) decodes as empty.
   */
  static decode(bytes: Uint8Array): { members: RaftMember[]; removed: number[]; leases: Lease[] } {
    try {
      const s = StoreSnapshot.decode(bytes);
      return { members: s.members, removed: s.removedMembers, leases: s.leases };
    } catch (cause) {
      throw new ShoalError('INVALID_ARGUMENT', 'snapshot membership section is corrupt', undefined,
        { cause });
    }
  }

  /**
   * restore replaces the book with a snapshot's, keeping seeded addresses of members the
   * snapshot does not know (founding members of a snapshot taken before any join).
   */
  restore(members: readonly RaftMember[], removed: readonly number[]): void {
    const next = new Map<number, RaftMember>();
    for (const [id, member] of this.members) if (!removed.includes(id)) next.set(id, member);
    for (const member of members) next.set(member.raftId, { ...member, status: undefined });
    this.members = next;
    this.removed = new Set(removed);
  }
}
