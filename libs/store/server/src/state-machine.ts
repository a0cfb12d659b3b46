// The raft-store's replicated state machine: the object store plus the lease table, fed one
// raft entry (proto StoreProposal) at a time, and its in-process proposer for tests.
import { assert } from '@shoal/assert';
import type { Clock } from '@shoal/clock';
import { isShoalError, ShoalError } from '@shoal/errors';
import { StoreProposal, type LeaseOperation } from '@shoal/proto';
import {
  encodeStoreEntry,
  type MemoryStore,
  type ProposalRequest,
  type Proposer,
  type TransactionResult,
} from '@shoal/store';
import { LeaseTable, type LeaseResult } from './lease-table';

/** EntryResult is the outcome of applying one raft entry, by the kind of entry. */
export type EntryResult =
  | { readonly type: 'transaction'; readonly requestId: number; readonly result: TransactionResult }
  | { readonly type: 'lease'; readonly requestId: number; readonly result: LeaseResult }
  | { readonly type: 'invalid'; readonly error: ShoalError };

/** LeaseEntry is the payload of a lease entry before encoding. */
export interface LeaseEntry {
  readonly requestId: number;
  readonly operation: LeaseOperation;
  /** The leader's clock at proposal; it decides lease expiry on every replica. */
  readonly proposedAt: Date;
}

/**
 * encodeLeaseEntry serializes a lease operation as a StoreProposal (the raft entry payload).
 * Deterministic, like encodeStoreEntry.
 */
export function encodeLeaseEntry(entry: LeaseEntry): Uint8Array {
  assert(Number.isSafeInteger(entry.requestId) && entry.requestId >= 0, 'request id is a uint');
  assert(!Number.isNaN(entry.proposedAt.getTime()), 'proposedAt is a valid date');
  const proposal: StoreProposal = {
    requestId: entry.requestId,
    operation: { $case: 'lease', lease: entry.operation },
    proposedAt: entry.proposedAt,
  };
  return StoreProposal.encode(proposal).finish();
}

/** LeaseProposer is the port through which lease operations reach consensus. */
export interface LeaseProposer {
  /**
   * proposeLease appends a lease entry (leader clock in `proposed_at`) and resolves with the
   * result of applying it on this replica; rejects only as Proposer.propose does (outcome
   * unknown, or never entered the log).
   */
  proposeLease(operation: LeaseOperation): Promise<LeaseResult>;
}

/**
 * StoreStateMachine applies raft entries to the MemoryStore and the LeaseTable: the one apply
 * path of the raft-store (leader and followers alike). Transactions get their LeaseGuard
 * checked against the lease table at the entry's own `proposed_at`, so fencing is as
 * deterministic as the rest. Every entry advances the store's version to its raft index, so
 * watch progress and resume points count lease entries too.
 */
export class StoreStateMachine {
  /** The constructor binds the store and the lease table (a fresh one by default). */
  constructor(
    readonly store: MemoryStore,
    readonly leases: LeaseTable = new LeaseTable(),
  ) {}

  /**
   * apply decodes and applies the entry at raft `index` (> the store's version). A payload
   * that is not a StoreProposal, or has no time, still advances the version and reports
   * `invalid`, identically on every replica.
   */
  apply(bytes: Uint8Array, index: number): EntryResult {
    assert(index > this.store.version(), 'entries apply in order');
    let proposal: StoreProposal;
    try {
      proposal = StoreProposal.decode(bytes);
    } catch (cause) {
      this.store.advance(index);
      const error = new ShoalError('INVALID_ARGUMENT', 'entry is not a StoreProposal', undefined,
        { cause });
      return { type: 'invalid', error };
    }
    const operation = proposal.operation;
    const atMs = proposal.proposedAt?.getTime();
    if (operation?.$case === 'lease' && atMs !== undefined) {
      const result = this.leases.apply(operation.lease, index, atMs);
      this.store.advance(index);
      return { type: 'lease', requestId: proposal.requestId, result };
    }
    if (operation?.$case === 'transaction' && atMs !== undefined) {
      const checkGuard = (guard: Parameters<LeaseTable['checkGuard']>[0]) =>
        this.leases.checkGuard(guard, atMs);
      const result = this.store.applyEntry(bytes, index, { checkGuard });
      return { type: 'transaction', requestId: proposal.requestId, result };
    }
    this.store.advance(index);
    return { type: 'invalid', error: ShoalError.invalidArgument('entry has no operation or time') };
  }
}

/**
 * LocalReplica is a Proposer and LeaseProposer without consensus (like @shoal/store's
 * LocalProposer, which it replaces here because that one does not check LeaseGuards): each
 * proposal becomes the next entry at once, stamped by the injected clock, and is applied
 * through the {@link StoreStateMachine} before the promise resolves. For tests and
 * single-process use.
 */
export class LocalReplica implements Proposer, LeaseProposer {
  private nextRequestId = 1;

  /** The constructor binds the state machine and the clock stamping entries. */
  constructor(
    readonly machine: StoreStateMachine,
    private readonly clock: Clock,
  ) {}

  /** propose applies a transaction as the next entry (see Proposer). */
  propose(request: ProposalRequest): Promise<TransactionResult> {
    const bytes = encodeStoreEntry({
      requestId: this.nextRequestId++,
      caller: request.caller,
      transaction: request.transaction,
      proposedAt: new Date(this.clock.now()),
      guard: request.guard,
    });
    const applied = this.machine.apply(bytes, this.version() + 1);
    if (applied.type !== 'transaction') return Promise.reject(applied.type === 'invalid'
      ? applied.error : ShoalError.internal('a transaction applied as a lease'));
    return Promise.resolve(applied.result);
  }

  /** proposeLease applies a lease operation as the next entry (see LeaseProposer). */
  proposeLease(operation: LeaseOperation): Promise<LeaseResult> {
    const bytes = encodeLeaseEntry({
      requestId: this.nextRequestId++,
      operation,
      proposedAt: new Date(this.clock.now()),
    });
    try {
      const applied = this.machine.apply(bytes, this.version() + 1);
      if (applied.type !== 'lease') throw ShoalError.internal('a lease entry did not apply');
      return Promise.resolve(applied.result);
    } catch (err) {
      if (!isShoalError(err)) throw err;
      return Promise.reject(err);
    }
  }

  /** version is the local store's version. */
  version(): number {
    return this.machine.store.version();
  }
}
