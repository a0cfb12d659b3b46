// A store the control loops can use without gRPC: a MemoryStore and lease table behind a
// LocalReplica, stamped by a ManualClock, offered to each loop replica as a LoopStore. Every
// call resolves on a microtask and every watch delivers on a microtask, so a simulation that
// advances the clock and then flushes microtasks is deterministic. A client can be killed (a
// crashed process): its calls never settle again and its watches stop delivering.
import type { Clock } from '@shoal/clock';
import { ShoalError } from '@shoal/errors';
import {
  durationFromMs,
  type LeaseGuard,
  type LeaseOperation,
  type OwnerName,
  type StoredKindName,
  type UnwrappedStoredObject,
} from '@shoal/proto';
import { MemoryStore, type Change, type StoreEvent, type Watcher } from '@shoal/store';
import type {
  ClientChange,
  ClientEvent,
  Committed,
  LeaseInfo,
  Listed,
  WatchHandler,
  WatchOptions,
  WatchSubscription,
  WriteOptions,
} from '@shoal/store-client';
import type { LoopStore } from '@shoal/store-controller';
import { LocalReplica, StoreStateMachine, type LeaseRecord, type LeaseResult } from '@shoal/store-server';

function leaseInfo(record: LeaseRecord): LeaseInfo {
  return { name: record.name, holder: record.holder, term: record.term, ttlMs: record.ttlMs,
    expiresAtMs: record.expiresAtMs };
}

function granted(result: LeaseResult): { elected: boolean; lease: LeaseRecord | undefined } {
  if (!result.ok) throw result.error;
  return { elected: result.elected, lease: result.lease };
}

function clientEvent(event: StoreEvent): ClientEvent {
  return { action: event.action, kind: event.kind, object: event.object, oldObject: event.oldObject } as ClientEvent;
}

/** A promise that never settles: the answer a dead process never gets. */
function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}

/**
 * InProcessStore is one store shared by every simulated component. `client()` hands out
 * LoopStores; `store` is the MemoryStore (read it, never write it directly).
 */
export class InProcessStore {
  readonly machine = new StoreStateMachine(new MemoryStore());
  private readonly replica: LocalReplica;

  /** The constructor binds the clock that stamps entries (created_at, lease expiry). */
  constructor(readonly clock: Clock) {
    this.replica = new LocalReplica(this.machine, clock);
  }

  /** store is the object store (reads only). */
  get store(): MemoryStore {
    return this.machine.store;
  }

  /** client returns a new connection (see InProcessClient). */
  client(): InProcessClient {
    return new InProcessClient(this);
  }

  /** commit validates and applies a transaction as `writer` (see LoopStore.transaction). */
  commit(changes: readonly ClientChange[], writer: OwnerName, guard?: LeaseGuard): Promise<Committed> {
    const transaction = { changes: changes.map((c) => ({ action: c.action, kind: c.kind, object: c.object }) as Change) };
    const nowMs = this.clock.now();
    const failure = this.store.validate(transaction, writer, new Date(nowMs));
    if (failure !== undefined) return Promise.reject(withIndex(failure.error, failure.changeIndex));
    const guardError = guard === undefined ? undefined : this.machine.leases.checkGuard(guard, nowMs);
    if (guardError !== undefined) return Promise.reject(guardError);
    return this.replica.propose({ caller: writer, transaction, guard }).then((result) => {
      if (!result.ok) throw withIndex(result.error, result.changeIndex);
      return {
        version: result.committed.version,
        objects: result.committed.events.map((e) => ({ kind: e.kind, object: e.object }) as UnwrappedStoredObject),
      };
    });
  }

  /** lease applies a lease operation. */
  lease(operation: LeaseOperation): Promise<{ elected: boolean; lease: LeaseRecord | undefined }> {
    return this.replica.proposeLease(operation).then(granted);
  }
}

function withIndex(error: ShoalError, changeIndex: number | undefined): ShoalError {
  if (changeIndex === undefined) return error;
  return new ShoalError(error.code, error.message, { ...error.details, changeIndex: String(changeIndex) },
    { cause: error });
}

/** InProcessClient is one process's connection to an {@link InProcessStore}. */
export class InProcessClient implements LoopStore {
  private dead = false;
  private readonly watchers = new Set<Watcher>();

  /** The constructor binds the shared store. */
  constructor(private readonly shared: InProcessStore) {}

  /** kill makes this client a crashed process: nothing it asks for ever answers again. */
  kill(): void {
    this.dead = true;
    for (const w of this.watchers) w.close();
    this.watchers.clear();
  }

  /** list reads every object of `kinds` at one version. */
  list(kinds: readonly StoredKindName[]): Promise<Listed<UnwrappedStoredObject>> {
    if (this.dead) return never();
    const { objects, version } = this.shared.store.list(kinds);
    return Promise.resolve({ objects, version });
  }

  /** watch delivers matching transactions after `fromVersion`, each on a microtask. */
  watch(options: WatchOptions, handler: WatchHandler): WatchSubscription {
    let resolveDone: (e: ShoalError | undefined) => void = () => undefined;
    const done = new Promise<ShoalError | undefined>((r) => {
      resolveDone = r;
    });
    let version: number | undefined;
    let scheduled = false;
    let ended = false;
    const end = (error: ShoalError | undefined): void => {
      if (ended) return;
      ended = true;
      this.watchers.delete(watcher);
      if (!this.dead) handler.onEnd?.(error);
      resolveDone(error);
    };
    const drain = (): void => {
      scheduled = false;
      if (this.dead) return end(undefined);
      for (const m of watcher.poll()) {
        if (m.type === 'closed') return end(m.error.code === 'CANCELLED' ? undefined : m.error);
        if (m.type === 'progress') handler.onProgress?.(m.version);
        else {
          version = m.version;
          handler.onTransaction({ version: m.version, events: m.events.map(clientEvent) });
        }
      }
    };
    const watcher = this.shared.store.watch({
      fromVersion: options.fromVersion,
      filters: options.filters,
      onReady: () => {
        if (scheduled) return;
        scheduled = true;
        queueMicrotask(drain);
      },
    });
    this.watchers.add(watcher);
    queueMicrotask(drain);
    return {
      close: () => {
        watcher.close();
        queueMicrotask(drain);
      },
      done,
      get version() {
        return version;
      },
    };
  }

  /** afterCommit, when set, hears every transaction this client committed (fault injection). */
  afterCommit: ((changes: readonly ClientChange[]) => void) | undefined;

  /** transaction commits `changes` as `options.writer`, fenced by the guard. */
  async transaction(changes: readonly ClientChange[], options: WriteOptions): Promise<Committed> {
    if (this.dead) return never();
    const committed = await this.shared.commit(changes, options.writer, options.guard);
    this.afterCommit?.(changes);
    return committed;
  }

  /** campaign asks for a lease. */
  async campaign(request: { name: string; candidate: string; ttlMs: number }):
    Promise<{ elected: boolean; lease: LeaseInfo | undefined }> {
    if (this.dead) return never();
    const { name, candidate, ttlMs } = request;
    const r = await this.shared.lease({ operation: { $case: 'campaign',
      campaign: { name, candidate, ttl: durationFromMs(ttlMs) } } });
    return { elected: r.elected, lease: r.lease === undefined ? undefined : leaseInfo(r.lease) };
  }

  /** keepAlive renews a held lease. */
  async keepAlive(lease: LeaseGuard): Promise<LeaseInfo> {
    if (this.dead) return never();
    const { name, holder, term } = lease;
    const r = await this.shared.lease({ operation: { $case: 'keepAlive', keepAlive: { name, holder, term } } });
    if (r.lease === undefined) throw ShoalError.internal('keep-alive returned no lease');
    return leaseInfo(r.lease);
  }

  /** resign gives a held lease up. */
  async resign(lease: LeaseGuard): Promise<void> {
    if (this.dead) return never();
    const { name, holder, term } = lease;
    await this.shared.lease({ operation: { $case: 'resign', resign: { name, holder, term } } });
  }
}
