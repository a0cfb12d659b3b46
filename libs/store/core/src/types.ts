// The store's vocabulary: changes, transactions, events and results.
import type { ShoalError } from '@shoal/errors';
import type { OwnerName, StoredKindName, StoredKindTypes } from '@shoal/proto';

/** StoreAction is what a change does to one object (the proto ChangeAction without UNSPECIFIED). */
export type StoreAction = 'create' | 'update' | 'delete';

/** STORE_ACTIONS lists every {@link StoreAction}. */
export const STORE_ACTIONS: readonly StoreAction[] = Object.freeze(['create', 'update', 'delete']);

/**
 * Change is one write in a transaction, typed by kind.
 *
 * Contract (as proto `Change`): `create` carries the whole new object, whose `id` must be a
 * fresh valid id and whose `meta` is ignored; `update` carries the whole new object, whose
 * `meta.version` must equal the stored one; `delete` needs only the id, and checks
 * `meta.version` if it is set.
 */
export type Change = {
  [K in StoredKindName]: {
    readonly action: StoreAction;
    readonly kind: K;
    readonly object: StoredKindTypes[K];
  };
}[StoredKindName];

/** Transaction is an ordered list of changes applied atomically: all or none. */
export interface Transaction {
  readonly changes: readonly Change[];
}

/**
 * Caller is the identity a transaction is checked against: the owner name of the component
 * writing (`user` for the api-gateway, `store` for the raft-store itself).
 */
export type Caller = OwnerName;

/**
 * ApplyContext is what a replica knows when it applies a transaction. Invariant: `version`
 * is greater than the store's current version; `now` is the leader's clock at proposal.
 */
export interface ApplyContext {
  readonly caller: Caller;
  /** The raft index of the entry carrying the transaction; stamped into `meta.version`. */
  readonly version: number;
  /** The leader's clock when it proposed; stamped into `meta.created_at`/`updated_at`. */
  readonly now: Date;
}

/**
 * StoreEvent is one committed change to one object. `object` is the object after the change
 * (for `delete`: as it was deleted); `oldObject` is set on updates only.
 *
 * NB: events are shared by every watcher and deeply frozen; clone before modifying.
 */
export type StoreEvent = {
  [K in StoredKindName]: {
    readonly action: StoreAction;
    readonly kind: K;
    readonly object: Readonly<StoredKindTypes[K]>;
    readonly oldObject?: Readonly<StoredKindTypes[K]>;
  };
}[StoredKindName];

/**
 * CommittedTransaction is the effect of one applied transaction: its version and its events
 * in change order. Invariant: every event's object (except deletes) has meta.version equal
 * to `version`.
 */
export interface CommittedTransaction {
  readonly version: number;
  readonly events: readonly StoreEvent[];
}

/**
 * TransactionFailure explains why a transaction was rejected: a ShoalError with a stable code
 * and, when one change tripped, its index (proto StoreErrorDetail.change_index).
 */
export interface TransactionFailure {
  readonly ok: false;
  readonly error: ShoalError;
  readonly changeIndex?: number;
}

/** TransactionResult is the outcome of applying a transaction: committed, or rejected whole. */
export type TransactionResult =
  | { readonly ok: true; readonly committed: CommittedTransaction }
  | TransactionFailure;

/** StoredRef names one object: its kind and id. */
export interface StoredRef {
  readonly kind: StoredKindName;
  readonly id: string;
}
