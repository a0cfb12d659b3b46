// The store server's ports over a RaftNode: proposals, lease proposals, read barriers and
// leadership, with the error contract the Store service expects.
import type { Clock } from '@shoal/clock';
import { isShoalError, ShoalError } from '@shoal/errors';
import type { LeaseOperation } from '@shoal/proto';
import { ProgressState } from '@shoal/raft';
import { raftReason, type ProposeResult, type RaftNode } from '@shoal/raft-node';
import { encodeStoreEntry, type ProposalRequest, type Proposer, type TransactionResult } from '@shoal/store';
import { NOT_SENT_DETAIL } from '@shoal/store-client';
import {
  encodeLeaseEntry,
  type EntryResult,
  type LeaderInfo,
  type LeaseProposer,
  type LeaseResult,
} from '@shoal/store-server';
import { RAFT_STORE_LIMITS } from '@shoal/limits';
import type { Membership } from './membership';

/**
 * raftWriteError maps a RaftNode write rejection to the store's contract: a refusal before
 * the entry entered the log (not the leader, dropped, too many pending) is marked
 * `notSent: "true"` (NOT_LEADER also names the leader's address, for redirects); lost
 * leadership passes as NOT_LEADER without the mark (the Store service answers "outcome
 * unknown"); timeouts and stops pass through (outcome unknown).
 */
export function raftWriteError(err: unknown, leaderAddress: string | undefined): unknown {
  if (!isShoalError(err)) return err;
  const reason = raftReason(err);
  if (reason === 'not-leader') {
    const details: Record<string, string> = { [NOT_SENT_DETAIL]: 'true' };
    if (leaderAddress !== undefined) details['leader'] = leaderAddress;
    return new ShoalError('NOT_LEADER', err.message, details, { cause: err });
  }
  if (reason === 'proposal-dropped' || reason === 'too-many-pending') {
    return new ShoalError(err.code, err.message, { ...err.details, [NOT_SENT_DETAIL]: 'true' },
      { cause: err });
  }
  return err;
}

/**
 * RaftPorts implements the Proposer, LeaseProposer, read barrier and leader view of the
 * store server over one RaftNode. Request ids are per process and only label entries: the
 * RaftNode itself matches each applied entry with its waiter.
 */
export class RaftPorts implements Proposer, LeaseProposer {
  private nextRequestId = 1;

  /** The constructor binds the raft node, the address book, the clock and this member. */
  constructor(
    private readonly raft: RaftNode<EntryResult>,
    private readonly membership: Membership,
    private readonly clock: Clock,
    private readonly self: { readonly id: number; readonly address: string },
  ) {}

  /** propose appends a transaction entry and resolves with its local apply result. */
  async propose(request: ProposalRequest): Promise<TransactionResult> {
    const bytes = encodeStoreEntry({
      requestId: this.nextRequestId++,
      caller: request.caller,
      transaction: request.transaction,
      proposedAt: new Date(this.clock.now()),
      guard: request.guard,
    });
    const applied = await this.append(bytes);
    const result = applied.result;
    if (result.type === 'transaction') return result.result;
    if (result.type === 'invalid') throw result.error;
    throw ShoalError.internal('a transaction entry applied as a lease operation');
  }

  /** proposeLease appends a lease entry (leader clock) and resolves with its result. */
  async proposeLease(operation: LeaseOperation): Promise<LeaseResult> {
    const bytes = encodeLeaseEntry({
      requestId: this.nextRequestId++,
      operation,
      proposedAt: new Date(this.clock.now()),
    });
    const applied = await this.append(bytes);
    const result = applied.result;
    if (result.type === 'lease') return result.result;
    if (result.type === 'invalid') throw result.error;
    throw ShoalError.internal('a lease entry applied as a transaction');
  }

  /** version is the local store's version (the Proposer port). */
  version(): number {
    return this.raft.appliedIndex;
  }

  /**
   * readBarrier resolves once this member applied the leader's commit index as of the call
   * (ReadIndex); with no leader (no quorum) it rejects UNAVAILABLE, so clients try another.
   */
  async readBarrier(): Promise<void> {
    try {
      await this.raft.readIndex();
    } catch (err) {
      if (!isShoalError(err, 'NOT_LEADER')) throw err;
      throw new ShoalError('UNAVAILABLE', 'no leader confirmed the read (no quorum?)',
        { raftReason: raftReason(err) ?? 'not-leader' }, { cause: err });
    }
  }

  /**
   * leader is who leads: `isLeader` only once this member applied its whole log; the
   * address is the leader's Store API address (unset while this member leads but catches up,
   * so writes are refused NOT_LEADER and retried rather than forwarded to itself).
   */
  leader(): LeaderInfo {
    const id = this.raft.leaderId;
    const isLeader = this.raft.isLeader;
    if (id === 0 || (id === this.self.id && !isLeader)) return { isLeader };
    const leaderAddress = id === this.self.id ? this.self.address : this.membership.get(id)?.addr;
    return { isLeader, leaderAddress };
  }

  /** reachableVoters counts voters the leader replicates to now (itself included). */
  reachableVoters(voters: readonly number[]): number {
    const progress = this.raft.status().progress;
    return voters.filter((id) => id === this.self.id ||
      progress.get(id)?.state === ProgressState.Replicate).length;
  }

  private async append(bytes: Uint8Array): Promise<ProposeResult<EntryResult>> {
    const max = RAFT_STORE_LIMITS.proposalBytesMax;
    if (bytes.byteLength > max) {
      throw new ShoalError('RESOURCE_EXHAUSTED',
        `the entry is ${bytes.byteLength} bytes, over the ${max}-byte limit`,
        { [NOT_SENT_DETAIL]: 'true', limit: 'proposalBytesMax' });
    }
    try {
      return await this.raft.propose(bytes);
    } catch (err) {
      throw raftWriteError(err, this.leader().leaderAddress);
    }
  }
}
