// The in-memory store: one table per kind, transactions validated and applied atomically,
// watches with history, snapshots. Pure and synchronous: versions and time come in with the
// transactions, so every replica applying the same entries reaches the same state.
import { assert, assertNever } from '@shoal/assert';
import { isShoalError, ShoalError } from '@shoal/errors';
import {
  STORED_KINDS,
  type AnyStoredKind,
  type LeaseGuard,
  type StoredKindName,
  type StoredKindTypes,
  type UnwrappedStoredObject,
} from '@shoal/proto';
import { STORE_CORE_LIMITS } from '@shoal/limits';
import { cloneObject, deepFreeze } from './clone';
import { decodeStoreEntry, encodeStoreEntry } from './entry-codec';
import { normalizeSelector, type SelectorInput } from './selector';
import { approximateBytes } from './size';
import { decodeSnapshot, encodeSnapshot, encodeSnapshotSliced } from './snapshot-codec';
import { stageTransaction, type StagedOp } from './stage';
import { Table } from './table';
import type {
  ApplyContext,
  Caller,
  CommittedTransaction,
  StoreEvent,
  Transaction,
  TransactionFailure,
  TransactionResult,
} from './types';
import { WatchHub, type HistoryLimits, type WatchOptions, type Watcher } from './watch-hub';

/** ApplyOptions are the raft-store's hooks into applying an entry. */
export interface ApplyOptions {
  /**
   * checkGuard decides a transaction's LeaseGuard against the raft-store's lease table (as
   * of this entry, so deterministically on every replica); an error rejects the transaction.
   * Unset: guards are not checked.
   */
  readonly checkGuard?: (guard: LeaseGuard) => ShoalError | undefined;
}

/** MemoryStoreOptions configure a new store. */
export interface MemoryStoreOptions {
  /** The version the empty store starts at (default 0). */
  readonly version?: number;
  /** Bounds of the watch history (default STORE_CORE_LIMITS). */
  readonly history?: HistoryLimits;
}

/** ListResult is every object of the listed kinds at exactly `version`. */
export interface ListResult {
  readonly objects: UnwrappedStoredObject[];
  readonly version: number;
}

function emptyTables(): Record<StoredKindName, Table> {
  const tables = {} as Record<StoredKindName, Table>;
  for (const kind of STORED_KINDS) tables[kind] = new Table(kind);
  return tables;
}

/** frozenCopy is a deep, frozen copy that shares nothing with the tables. */
function frozenCopy<T>(object: T): T {
  return deepFreeze(cloneObject(object));
}

/**
 * eventOf turns a staged write into the event watchers see. Events share the stored
 * (deeply frozen) objects instead of copying them per event: watchers must clone before
 * modifying, as with a Kubernetes informer's cache.
 */
function eventOf(op: StagedOp): StoreEvent {
  switch (op.action) {
    case 'create':
      return { action: 'create', kind: op.kind, object: op.object } as StoreEvent;
    case 'update':
      return { action: 'update', kind: op.kind, object: op.object, oldObject: op.old } as StoreEvent;
    case 'delete':
      return { action: 'delete', kind: op.kind, object: op.old } as StoreEvent;
    default:
      return assertNever(op.action, 'store action');
  }
}

/**
 * MemoryStore is Shoal's replicated object store as a pure state machine (SwarmKit
 * MemoryStore). Reads copy objects out; writes happen only through transactions, which the
 * raft-store validates on the leader ({@link validate}) and every replica applies from the
 * raft log ({@link applyEntry}), re-validating deterministically. See docs/design/store.md.
 *
 * Invariant: `version()` is the version of the last applied entry; every stored object's
 * meta.version is at most it; indexes agree with the tables.
 */
export class MemoryStore {
  private tables: Record<StoredKindName, Table> = emptyTables();
  private version_: number;
  private hub: WatchHub;

  /** The constructor makes an empty store (see {@link MemoryStoreOptions}). */
  constructor(options: MemoryStoreOptions = {}) {
    this.version_ = options.version ?? 0;
    assert(Number.isSafeInteger(this.version_) && this.version_ >= 0, 'version is a uint');
    this.hub = new WatchHub(this.version_, options.history);
  }

  /** version is the version of the last applied entry (raft index). */
  version(): number {
    return this.version_;
  }

  /** get returns a copy of the object of `kind` with this id, or undefined. */
  get<K extends StoredKindName>(kind: K, id: string): StoredKindTypes[K] | undefined {
    const object = this.tables[kind].get(id);
    return object === undefined ? undefined : (cloneObject(object) as StoredKindTypes[K]);
  }

  /**
   * find returns copies of the objects of `kind` matching any of the selectors (ORed, as
   * FindRequest; each selector ANDs its set fields), in ascending id order. No selector, or
   * an empty one, matches every object of the kind.
   */
  find<K extends StoredKindName>(
    kind: K,
    selectors: SelectorInput | readonly SelectorInput[] = {},
  ): Array<StoredKindTypes[K]> {
    let list = Array.isArray(selectors) ? selectors : [selectors as SelectorInput];
    if (list.length === 0) list = [{}];
    const found = new Map<string, AnyStoredKind>();
    for (const s of list) {
      for (const o of this.tables[kind].find(normalizeSelector(s))) found.set(o.id, o);
    }
    return [...found.keys()]
      .sort()
      .map((id) => cloneObject(found.get(id)) as StoredKindTypes[K]);
  }

  /**
   * list returns copies of every object of the given kinds (empty or unset = every kind, as
   * ListRequest), by kind then id, with the version they were read at: a watch from that
   * version continues exactly after it.
   */
  list(kinds: readonly StoredKindName[] = []): ListResult {
    const objects: UnwrappedStoredObject[] = [];
    for (const kind of STORED_KINDS) {
      if (kinds.length > 0 && !kinds.includes(kind)) continue;
      for (const object of this.tables[kind].all()) {
        objects.push({ kind, object: cloneObject(object) } as UnwrappedStoredObject);
      }
    }
    return { objects, version: this.version_ };
  }

  /** counts returns the number of objects per kind (a metric). */
  counts(): Record<StoredKindName, number> {
    const out = {} as Record<StoredKindName, number>;
    for (const kind of STORED_KINDS) out[kind] = this.tables[kind].size;
    return out;
  }

  /** watcherCount is the number of open watchers (a metric). */
  watcherCount(): number {
    return this.hub.watcherCount;
  }

  /** oldestResumableVersion is the oldest version a watch can resume from. */
  oldestResumableVersion(): number {
    return this.hub.oldestResumableVersion;
  }

  /**
   * validate checks a transaction against the current state, as the next entry would be
   * applied, without writing: the leader's fast failure before proposing. A transaction that
   * passes may still fail at apply if another commits first; apply decides.
   */
  validate(tx: Transaction, caller: Caller, now: Date): TransactionFailure | undefined {
    const bytes = encodeStoreEntry({ requestId: 0, caller, transaction: tx, proposedAt: now });
    const entry = decodeStoreEntry(bytes);
    const ctx = { caller, version: this.version_ + 1, now };
    const staged = stageTransaction(this.tables, entry.transaction, ctx, bytes.length);
    return staged.ok ? undefined : staged;
  }

  /**
   * applyTransaction validates and applies a transaction at `ctx.version` (which must exceed
   * the store's version): all changes or none. It is {@link applyEntry} of the encoded entry,
   * so a direct call and a raft replay behave identically. A failure still advances the
   * version, as the raft entry is applied either way.
   */
  applyTransaction(tx: Transaction, ctx: ApplyContext): TransactionResult {
    const entry = { requestId: 0, caller: ctx.caller, transaction: tx, proposedAt: ctx.now };
    return this.applyEntry(encodeStoreEntry(entry), ctx.version);
  }

  /**
   * applyEntry is the replica path: it decodes a raft entry written by encodeStoreEntry and
   * applies its transaction at `version` (the entry's raft index, greater than the store's
   * version) with the entry's caller and proposal time, re-validating everything against
   * the current state. Deterministic: equal state and entry give equal results on every
   * replica, including the same failure for a transaction made stale by an earlier commit.
   */
  applyEntry(bytes: Uint8Array, version: number, options: ApplyOptions = {}): TransactionResult {
    assert(Number.isSafeInteger(version) && version > this.version_, 'entries apply in order');
    let entry;
    try {
      entry = decodeStoreEntry(bytes);
    } catch (error) {
      if (!isShoalError(error)) throw error;
      this.advance(version);
      return { ok: false, error };
    }
    const guardError = entry.guard === undefined ? undefined : options.checkGuard?.(entry.guard);
    if (guardError !== undefined) {
      this.advance(version);
      return { ok: false, error: guardError };
    }
    const ctx = { caller: entry.caller, version, now: entry.proposedAt };
    const staged = stageTransaction(this.tables, entry.transaction, ctx, bytes.length);
    if (!staged.ok) {
      this.advance(version);
      return staged;
    }
    // The history bound charges each transaction its entry size twice: new and old objects.
    return { ok: true, committed: this.commit(version, staged.ops, 2 * bytes.length) };
  }

  private commit(version: number, ops: readonly StagedOp[], bytes: number): CommittedTransaction {
    for (const op of ops) {
      const table = this.tables[op.kind];
      if (op.action !== 'create') table.remove(op.id);
      if (op.object !== undefined) table.insert(op.object);
    }
    const committed = deepFreeze({ version, events: ops.map(eventOf) });
    this.publish(committed, bytes);
    return committed;
  }

  private publish(committed: CommittedTransaction, bytes: number): void {
    this.version_ = committed.version;
    this.hub.publish(committed, bytes);
  }

  /**
   * applyCommitted applies a transaction committed elsewhere verbatim, keeping its meta (a
   * read replica fed by a watch, or a replay of committed history). Its events must fit the
   * current state (creates of new ids, updates and deletes of objects at their old version);
   * anything else is a programmer error (assert), as the transaction was validated already.
   */
  applyCommitted(committed: CommittedTransaction): void {
    assert(committed.version > this.version_, 'committed transactions apply in order');
    const events = committed.events.map((e) => frozenCopy(e));
    for (const e of events) {
      const table = this.tables[e.kind];
      const current = table.get(e.object.id);
      if (e.action === 'create') assert(current === undefined, 'verbatim create of a new id');
      else {
        assert(current !== undefined, 'verbatim update or delete of a stored id');
        const was = e.action === 'update' ? e.oldObject : e.object;
        assert(current.meta?.version?.index === was?.meta?.version?.index, 'same old version');
        table.remove(e.object.id);
      }
      if (e.action !== 'delete') table.insert(e.object as AnyStoredKind);
    }
    const copy = deepFreeze({ version: committed.version, events });
    this.publish(copy, approximateBytes(events));
  }

  /** advance moves the version for a raft entry that is not a store transaction. */
  advance(version: number): void {
    assert(Number.isSafeInteger(version) && version >= this.version_, 'versions never go back');
    this.version_ = version;
    this.hub.advance(version);
  }

  /** watch opens a watcher (see WatchHub.watch); pair it with {@link list} for a cache. */
  watch(options: WatchOptions = {}): Watcher {
    return this.hub.watch(options);
  }

  /** progress queues a bookmark at the current version on every watcher. */
  progress(): void {
    this.hub.progress();
  }

  /** save serializes the whole store (see snapshot-codec.ts) with the shell's membership. */
  save(membership: Uint8Array = new Uint8Array(0)): Uint8Array {
    const { objects, version } = this.listShared();
    return encodeSnapshot({ version, objects, membership });
  }

  /**
   * saveSliced is {@link save} (the same bytes) for large stores: the state is captured now,
   * synchronously, then encoded STORE_CORE_LIMITS.snapshotSliceObjects objects at a time,
   * awaiting `pause()` between slices (the caller's way to yield, e.g. setImmediate). Writes
   * applied meanwhile do not change the result: stored objects are frozen and replaced, never
   * changed in place.
   */
  saveSliced(membership: Uint8Array, pause: () => Promise<void>): Promise<Uint8Array> {
    const { objects, version } = this.listShared();
    return encodeSnapshotSliced({ version, objects, membership },
      STORE_CORE_LIMITS.snapshotSliceObjects, pause);
  }

  private listShared(): ListResult {
    const objects: UnwrappedStoredObject[] = [];
    for (const kind of STORED_KINDS) {
      for (const object of this.tables[kind].all()) {
        objects.push({ kind, object } as UnwrappedStoredObject);
      }
    }
    return { objects, version: this.version_ };
  }

  /**
   * restore replaces the whole store with a snapshot from {@link save}, atomically: on a
   * corrupt snapshot (ShoalError INVALID_ARGUMENT, also for duplicate ids or names) nothing
   * changes. Every watcher is closed with COMPACTED and must relist. Returns the membership.
   */
  restore(bytes: Uint8Array): { readonly version: number; readonly membership: Uint8Array } {
    const data = decodeSnapshot(bytes);
    const tables = emptyTables();
    for (const { kind, object } of data.objects) {
      const table = tables[kind];
      if (table.get(object.id) !== undefined) {
        throw ShoalError.invalidArgument(`store snapshot: duplicate ${kind} ${object.id}`);
      }
      if (!table.canInsertName(object)) {
        throw ShoalError.invalidArgument(`store snapshot: duplicate ${kind} name`);
      }
      table.insert(deepFreeze(object));
    }
    this.tables = tables;
    this.version_ = data.version;
    this.hub.reset(data.version);
    return { version: data.version, membership: data.membership };
  }
}
