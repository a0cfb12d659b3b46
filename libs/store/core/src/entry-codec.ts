// The raft entry of a store transaction: proto StoreProposal{request_id, transaction,
// proposed_at}, where the transaction is TransactionRequest{changes, writer, guard}.
import { assert } from '@shoal/assert';
import { ShoalError } from '@shoal/errors';
import {
  OWNER_NAMES,
  StoreProposal,
  TransactionRequest,
  ownerName,
  unwrapStoredObject,
  wrapStoredObject,
  type Change as ProtoChange,
  type LeaseGuard,
  type Owner,
} from '@shoal/proto';
import { changeActionOf, storeActionOf } from './kinds';
import type { Caller, Change, Transaction } from './types';

/**
 * StoreEntry is the decoded payload of one raft entry carrying a store transaction.
 * Invariant: `changes` are canonical messages (as decoded), so applying the same entry on any
 * replica sees identical objects. The entry's version is not in it: it is the raft index of
 * the entry, which every replica knows when it applies.
 */
export interface StoreEntry {
  /** Matches the entry with the proposer's waiter; 0 when nobody waits (e.g. replays). */
  readonly requestId: number;
  readonly caller: Caller;
  readonly transaction: Transaction;
  /** The leader's clock when proposing; the meta timestamps of every replica come from it. */
  readonly proposedAt: Date;
  /** Lease fencing, carried for the raft-store (which holds the leases) to check. */
  readonly guard?: LeaseGuard | undefined;
}

/** ownerOf maps a caller name to the wire Owner enum (OWNER_NAMES is in enum order). */
export function ownerOf(caller: Caller): Owner {
  const index = OWNER_NAMES.indexOf(caller);
  assert(index >= 0, 'caller is a known owner');
  return (index + 1) as Owner;
}

/** toProtoChange converts a typed change into the proto Change it travels as. */
export function toProtoChange(change: Change): ProtoChange {
  return {
    action: changeActionOf(change.action),
    object: wrapStoredObject(change.kind, change.object),
  };
}

/**
 * fromProtoChange converts a decoded proto Change back; throws ShoalError INVALID_ARGUMENT
 * (naming the change) if its action or object is unset or unknown to this build.
 */
export function fromProtoChange(change: ProtoChange, index: number): Change {
  const action = storeActionOf(change.action);
  if (action === undefined) {
    throw ShoalError.invalidArgument(`change ${index}: unknown action ${change.action}`, {
      changeIndex: String(index),
    });
  }
  const unwrapped = change.object === undefined ? undefined : unwrapStoredObject(change.object);
  if (unwrapped === undefined) {
    throw ShoalError.invalidArgument(`change ${index}: no object of a known kind`, {
      changeIndex: String(index),
    });
  }
  return { action, kind: unwrapped.kind, object: unwrapped.object } as Change;
}

/**
 * encodeStoreEntry serializes an entry as a proto StoreProposal. Deterministic: the same
 * entry always encodes to the same bytes. Objects are normalized with `fromPartial` first,
 * so a message missing scalar fields encodes as if they held their defaults.
 */
export function encodeStoreEntry(entry: StoreEntry): Uint8Array {
  assert(Number.isSafeInteger(entry.requestId) && entry.requestId >= 0, 'request id is a uint');
  assert(!Number.isNaN(entry.proposedAt.getTime()), 'proposedAt is a valid date');
  const transaction = TransactionRequest.fromPartial({
    changes: entry.transaction.changes.map(toProtoChange),
    writer: ownerOf(entry.caller),
    guard: entry.guard,
  });
  const proposal: StoreProposal = {
    requestId: entry.requestId,
    operation: { $case: 'transaction', transaction },
    proposedAt: entry.proposedAt,
  };
  const bytes = StoreProposal.encode(proposal).finish();
  assert(bytes.length > 0, 'an entry encodes to at least its operation');
  return bytes;
}

/**
 * decodeStoreEntry parses an entry written by {@link encodeStoreEntry}. Throws ShoalError
 * INVALID_ARGUMENT if the bytes are not a StoreProposal carrying a transaction with a known
 * writer, a timestamp, and changes of known actions and kinds; every replica decoding the
 * same bytes throws the same error, so a bad entry fails identically everywhere.
 */
export function decodeStoreEntry(bytes: Uint8Array): StoreEntry {
  let proposal: StoreProposal;
  try {
    proposal = StoreProposal.decode(bytes);
  } catch (cause) {
    throw new ShoalError('INVALID_ARGUMENT', 'store entry is not a StoreProposal', undefined, {
      cause,
    });
  }
  const operation = proposal.operation;
  if (operation?.$case !== 'transaction') {
    throw ShoalError.invalidArgument('store entry carries no transaction');
  }
  const caller = ownerName(operation.transaction.writer);
  if (caller === undefined) throw ShoalError.invalidArgument('store entry has no known writer');
  if (proposal.proposedAt === undefined) {
    throw ShoalError.invalidArgument('store entry has no proposal time');
  }
  const changes = operation.transaction.changes.map(fromProtoChange);
  return {
    requestId: proposal.requestId,
    caller,
    transaction: { changes },
    proposedAt: proposal.proposedAt,
    guard: operation.transaction.guard,
  };
}
