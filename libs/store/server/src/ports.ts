// The ports the raft-store app gives the store's gRPC services. Everything raft-specific stays
// behind them, so the services run the same over a LocalReplica and over raft.
import type {
  AddMemberRequest,
  AddMemberResponse,
  CampaignRequest,
  CampaignResponse,
  KeepAliveRequest,
  KeepAliveResponse,
  ListMembersResponse,
  RemoveMemberRequest,
  RemoveMemberResponse,
  ResignRequest,
  ResignResponse,
  TransactionRequest,
  TransactionResponse,
} from '@shoal/proto';
import type { MemoryStore, Proposer } from '@shoal/store';
import type { CallerIdentity } from './identity';
import type { LeaseTable } from './lease-table';
import type { LeaseProposer } from './state-machine';

/** LeaderInfo is this replica's view of leadership at the time of the call. */
export interface LeaderInfo {
  readonly isLeader: boolean;
  /** The leader's Store API address (`host:port`), when known; redirect and forward target. */
  readonly leaderAddress?: string | undefined;
}

/**
 * MembersPort manages the raft group (the raft-store implements it with conf changes). Each
 * method resolves once the change is committed, or rejects with a ShoalError
 * (FAILED_PRECONDITION when removing would lose quorum, NOT_LEADER/UNAVAILABLE when it cannot
 * reach the leader).
 */
export interface MembersPort {
  addMember(request: AddMemberRequest): Promise<AddMemberResponse>;
  removeMember(request: RemoveMemberRequest): Promise<RemoveMemberResponse>;
  listMembers(): Promise<ListMembersResponse>;
}

/** ForwardContext is what a follower passes along with a forwarded write. */
export interface ForwardContext {
  /** The leader's Store API address, from LeaderInfo. */
  readonly leaderAddress: string;
  /** The authenticated original caller; forwarded in metadata, vouched for by this member. */
  readonly caller: CallerIdentity;
  /** Ms since the epoch by which the leader must answer (the incoming deadline, capped). */
  readonly deadlineMs: number;
}

/**
 * LeaderForwarder sends a follower's writes to the leader. Contract: each call carries the
 * original caller in metadata (FORWARDED_ROLE_HEADER, FORWARDED_ID_HEADER) over a connection
 * on which this member authenticates as role `store`; it resolves with the leader's answer or
 * rejects with the leader's ShoalError; a failure to reach the leader before the request was
 * sent rejects UNAVAILABLE with details `notSent: "true"`.
 */
export interface LeaderForwarder {
  transaction(request: TransactionRequest, context: ForwardContext): Promise<TransactionResponse>;
  campaign(request: CampaignRequest, context: ForwardContext): Promise<CampaignResponse>;
  keepAlive(request: KeepAliveRequest, context: ForwardContext): Promise<KeepAliveResponse>;
  resign(request: ResignRequest, context: ForwardContext): Promise<ResignResponse>;
  /** close releases the connections to leaders. */
  close(): void;
}

/**
 * StoreServerPorts are what the store's services run on.
 *
 * - `store`: the replica's applied state (reads, watches, the leader's pre-check).
 * - `proposer`, `leaseProposer`: consensus for transactions and lease operations; called only
 *   while `leader().isLeader`. A rejection with NOT_LEADER is answered as "outcome unknown"
 *   (UNAVAILABLE) unless its details say `notSent: "true"` (never entered the log).
 * - `leases`: the replica's applied lease table (guards, Observe).
 * - `readBarrier`: resolves once the local applied index ≥ the leader's commit index at call
 *   time (ReadIndex); rejects with a ShoalError (UNAVAILABLE without quorum). A single
 *   process passes `() => Promise.resolve()`.
 * - `leader`: who leads now.
 * - `forwarder`: if set, followers forward writes to the leader; if unset, followers answer
 *   NOT_LEADER (gRPC UNAVAILABLE) with the leader's address in the error metadata.
 * - `members`: the Members service; unset = UNIMPLEMENTED.
 */
export interface StoreServerPorts {
  readonly store: MemoryStore;
  readonly proposer: Proposer;
  readonly leaseProposer: LeaseProposer;
  readonly leases: LeaseTable;
  readBarrier(): Promise<void>;
  leader(): LeaderInfo;
  readonly forwarder?: LeaderForwarder | undefined;
  readonly members?: MembersPort | undefined;
}
