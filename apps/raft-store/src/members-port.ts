// The Members service's port over raft conf changes.
import { ShoalError } from '@shoal/errors';
import type {
  AddMemberRequest,
  AddMemberResponse,
  ListMembersResponse,
  RemoveMemberRequest,
  RemoveMemberResponse,
} from '@shoal/proto';
import type { RaftNode } from '@shoal/raft-node';
import type { EntryResult, MembersPort } from '@shoal/store-server';
import { encodeMemberContext, type Membership } from './membership';
import { raftWriteError, type RaftPorts } from './raft-ports';

/**
 * RaftMembersPort adds, removes and lists raft members with conf changes on the leader.
 * Followers refuse changes NOT_LEADER with the leader's address (the client redirects).
 * New members get the next unused raft id; removal is refused FAILED_PRECONDITION when the
 * voters left that the leader reaches would be fewer than their quorum.
 */
export class RaftMembersPort implements MembersPort {
  /** The constructor binds the raft node, the address book and the raft ports. */
  constructor(
    private readonly raft: RaftNode<EntryResult>,
    private readonly membership: Membership,
    private readonly ports: RaftPorts,
  ) {}

  /** addMember commits an AddNode (or AddLearnerNode) carrying the member's record. */
  async addMember(request: AddMemberRequest): Promise<AddMemberResponse> {
    this.requireLeader();
    if (!/^[^\s]+:\d+$/.test(request.addr)) {
      throw ShoalError.invalidArgument('field addr is not host:port', { field: 'addr' });
    }
    const { voters, learners } = this.raft.status().confState;
    const raftId = this.membership.nextRaftId([...voters, ...learners]);
    const nodeId = request.nodeId === '' ? `store-${raftId}` : request.nodeId;
    const context = encodeMemberContext({ raftId, nodeId, addr: request.addr, status: undefined });
    try {
      await (request.learner ? this.raft.addLearner(raftId, context)
        : this.raft.addMember(raftId, context));
    } catch (err) {
      throw raftWriteError(err, this.ports.leader().leaderAddress);
    }
    const listed = await this.listMembers();
    return { raftId, members: listed.members, removedMembers: listed.removedMembers };
  }

  /** removeMember commits a RemoveNode unless the reachable rest would lose quorum. */
  async removeMember(request: RemoveMemberRequest): Promise<RemoveMemberResponse> {
    this.requireLeader();
    const { voters, learners } = this.raft.status().confState;
    const id = request.raftId;
    if (!voters.includes(id) && !learners.includes(id)) {
      throw ShoalError.notFound('raft member', String(id));
    }
    const rest = voters.filter((v) => v !== id);
    const quorum = Math.floor(rest.length / 2) + 1;
    if (rest.length === 0 || this.ports.reachableVoters(rest) < quorum) {
      throw ShoalError.failedPrecondition(
        `removing raft member ${id} would leave fewer reachable voters than a quorum of ${quorum}`);
    }
    try {
      await this.raft.removeMember(id);
    } catch (err) {
      throw raftWriteError(err, this.ports.leader().leaderAddress);
    }
    return {};
  }

  /** listMembers lists the members in the configuration, the removed ids and the leader. */
  listMembers(): Promise<ListMembersResponse> {
    const { voters, learners } = this.raft.status().confState;
    return Promise.resolve({
      members: this.membership.list([...voters, ...learners]),
      removedMembers: this.membership.removedIds(),
      leader: this.raft.leaderId,
    });
  }

  private requireLeader(): void {
    if (this.raft.isLeader) return;
    const details: Record<string, string> = { notSent: 'true' };
    const leaderAddress = this.ports.leader().leaderAddress;
    if (leaderAddress !== undefined) details['leader'] = leaderAddress;
    throw new ShoalError('NOT_LEADER', 'membership changes are made on the leader', details);
  }
}
