// The consensus port of the store and its in-process implementation.
import type { Clock } from '@shoal/clock';
import type { LeaseGuard } from '@shoal/proto';
import { splitChanges, type BatchLimits } from './batch';
import { encodeStoreEntry } from './entry-codec';
import type { MemoryStore } from './memory-store';
import type {
  Caller,
  Change,
  CommittedTransaction,
  Transaction,
  TransactionFailure,
  TransactionResult,
} from './types';

/** ProposalRequest is what a writer asks to commit: a transaction, its caller, its guard. */
export interface ProposalRequest {
  readonly caller: Caller;
  readonly transaction: Transaction;
  readonly guard?: LeaseGuard | undefined;
}

/**
 * Proposer is the store's port to consensus (SwarmKit state/proposer.go), implemented by the
 * raft-store.
 *
 * Contract of `propose`: assign a request id and the proposal time (leader clock), encode
 * the entry with encodeStoreEntry, refuse it with RESOURCE_EXHAUSTED if over
 * STORE_LIMITS.maxTransactionBytes, append it to the log, and resolve with the result of
 * `MemoryStore.applyEntry` for that entry on this replica, whether committed or rejected at
 * apply. It rejects (throws a ShoalError) only when the outcome is unknown or the proposal
 * never entered the log: NOT_LEADER, UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED.
 * `version` is the version of the last entry applied to the local store.
 */
export interface Proposer {
  propose(request: ProposalRequest): Promise<TransactionResult>;
  version(): number;
}

/**
 * LocalProposer is a Proposer without consensus: each proposal becomes the next entry at
 * once (version = store version + 1, time from the injected clock) and is applied to the
 * store before `propose` resolves. For tests and for single-process use by other loops.
 */
export class LocalProposer implements Proposer {
  private nextRequestId = 1;

  /** The constructor binds the store entries are applied to and the clock stamping them. */
  constructor(
    private readonly store: MemoryStore,
    private readonly clock: Clock,
  ) {}

  /** propose applies the request as the next entry (see {@link Proposer}). */
  propose(request: ProposalRequest): Promise<TransactionResult> {
    const bytes = encodeStoreEntry({
      requestId: this.nextRequestId++,
      caller: request.caller,
      transaction: request.transaction,
      proposedAt: new Date(this.clock.now()),
      guard: request.guard,
    });
    return Promise.resolve(this.store.applyEntry(bytes, this.store.version() + 1));
  }

  /** version is the local store's version. */
  version(): number {
    return this.store.version();
  }
}

/** BatchResult is what a batch committed, and where it stopped if a transaction failed. */
export interface BatchResult {
  readonly committed: CommittedTransaction[];
  /** Set when a transaction failed; changes from `firstUncommitted` on were not committed. */
  readonly failure?: TransactionFailure & { readonly firstUncommitted: number };
}

/**
 * StoreWriter is the transactional write API on top of a store and a proposer: it checks a
 * transaction against the local state first (the leader's fast failure, as SwarmKit does
 * before proposing), then proposes it and returns the result of applying it.
 */
export class StoreWriter {
  /** The constructor binds the local store (for the pre-check), proposer and clock. */
  constructor(
    private readonly store: MemoryStore,
    private readonly proposer: Proposer,
    private readonly clock: Clock,
  ) {}

  /**
   * update commits `changes` atomically as `caller`, or returns why not. The pre-check can
   * pass and apply still fail, when another transaction commits in between.
   */
  async update(
    caller: Caller,
    changes: readonly Change[],
    guard?: LeaseGuard,
  ): Promise<TransactionResult> {
    const transaction = { changes };
    const failure = this.store.validate(transaction, caller, new Date(this.clock.now()));
    if (failure !== undefined) return failure;
    return this.proposer.propose({ caller, transaction, guard });
  }

  /**
   * batch commits `changes` as consecutive transactions cut by {@link splitChanges}, in
   * order, stopping at the first failure. NB: commits may be partial; the result says which.
   */
  async batch(caller: Caller, changes: readonly Change[], limits?: BatchLimits): Promise<BatchResult> {
    const committed: CommittedTransaction[] = [];
    let done = 0;
    for (const group of splitChanges(changes, limits)) {
      const result = await this.update(caller, group);
      if (!result.ok) {
        const changeIndex = result.changeIndex === undefined ? undefined : done + result.changeIndex;
        return { committed, failure: { ...result, changeIndex, firstUncommitted: done } };
      }
      committed.push(result.committed);
      done += group.length;
    }
    return { committed };
  }
}
