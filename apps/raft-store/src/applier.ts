// The raft-store's Applier: every committed entry goes through the StoreStateMachine; conf
// changes update the address book; snapshots hold the store, the lease table and the book.
import type { Logger } from '@shoal/logging';
import type { SnapshotMetadata } from '@shoal/raft';
import type { AppliedConfChange, AppliedEntry, Applier } from '@shoal/raft-node';
import { decodeSnapshot } from '@shoal/store';
import type { EntryResult, StoreStateMachine } from '@shoal/store-server';
import { Membership, type MembershipChange } from './membership';

/** StoreApplierHooks tell the process about membership it must act on (transport peers). */
export interface StoreApplierHooks {
  /** A conf change was applied (after the book was updated). */
  onMembershipChange(change: MembershipChange): void;
  /** A snapshot replaced the whole state (the book may have changed entirely). */
  onRestored(index: number): void;
}

/**
 * StoreApplier implements Applier<EntryResult> over the state machine. `apply` is the one
 * apply path for leader and followers alike; what it returns reaches the proposer's waiter.
 * Conf changes advance the store's version to their index, so watch progress counts them.
 */
export class StoreApplier implements Applier<EntryResult> {
  /** The constructor binds the state machine, the address book and the hooks. */
  constructor(
    private readonly machine: StoreStateMachine,
    private readonly membership: Membership,
    private readonly hooks: StoreApplierHooks,
    private readonly logger: Logger,
  ) {}

  /** apply applies one committed store entry (transaction or lease operation). */
  apply(entry: AppliedEntry): EntryResult {
    return this.machine.apply(entry.data, entry.index);
  }

  /** applyConfChange records a membership change and advances the store's version. */
  applyConfChange(change: AppliedConfChange): void {
    const result = this.membership.apply(change);
    if (change.index > this.machine.store.version()) this.machine.store.advance(change.index);
    this.hooks.onMembershipChange(result);
  }

  /**
   * snapshot is the store with the lease table and the address book as its membership,
   * captured now and encoded in slices with a turn of the event loop between them, so raft
   * keeps replicating while a large store is serialized.
   */
  snapshot(): Promise<Uint8Array> {
    const membership = this.membership.encode(this.machine.leases.snapshot());
    return this.machine.store.saveSliced(membership, yieldToEventLoop);
  }

  /**
   * restore replaces the store, the leases and the book with a snapshot's. The snapshot is
   * decoded and checked first, so a corrupt one changes nothing (the store's restore is
   * atomic too); watchers of the store end COMPACTED and relist.
   */
  restore(data: Uint8Array, metadata: SnapshotMetadata): void {
    const section = Membership.decode(decodeSnapshot(data).membership);
    const started = performance.now();
    const { version } = this.machine.store.restore(data);
    this.machine.leases.restore(section.leases);
    this.membership.restore(section.members, section.removed);
    this.logger.info({ index: metadata.index, version, objects: this.countObjects(),
      ms: Math.round(performance.now() - started) }, 'restored a snapshot');
    this.hooks.onRestored(metadata.index);
  }

  private countObjects(): number {
    return Object.values(this.machine.store.counts()).reduce((a, b) => a + b, 0);
  }
}

/** yieldToEventLoop resolves after pending I/O callbacks had their turn. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
