// The informer: list-then-watch into a local cache, with handlers that enqueue keys, periodic
// resync from the cache, and relist with backoff when the watch ends (client-go Reflector +
// Indexer + SharedInformer, reduced to what Shoal's loops need).
import type { Timers, TimerHandle } from '@shoal/clock';
import type { ShoalError } from '@shoal/errors';
import { silentLogger, type Logger } from '@shoal/logging';
import type { StoredKindName, StoredKindTypes, UnwrappedStoredObject } from '@shoal/proto';
import { systemTimers } from '@shoal/runtime';
import { STORE_CLIENT_LIMITS } from '@shoal/limits';
import { backoffDelayMs } from './retry';
import type { Listed } from './store-client';
import { objectKey, objectKindOf, type ClientEvent, type ObjectKey } from './types';
import type { WatchHandler, WatchOptions, WatchSubscription, WatchTransaction } from './watch';

/** InformerSource is what an informer reads from: a StoreClient, or a fake in tests. */
export interface InformerSource {
  list(kinds: readonly StoredKindName[]): Promise<Listed<UnwrappedStoredObject>>;
  watch(options: WatchOptions, handler: WatchHandler): WatchSubscription;
}

/**
 * InformerHandlers hear cache changes, in order, after the cache changed. They should only
 * enqueue `key` (into a WorkQueue) and return: the reconcile reads the cache. Objects are the
 * cache's own: never modify them (clone with cloneStored first).
 */
export interface InformerHandlers {
  onAdd?(key: ObjectKey, object: UnwrappedStoredObject): void;
  /** Also called by resync with the same object twice (compare meta.version to skip). */
  onUpdate?(key: ObjectKey, oldObject: UnwrappedStoredObject, newObject: UnwrappedStoredObject): void;
  onDelete?(key: ObjectKey, lastObject: UnwrappedStoredObject): void;
}

/** InformerOptions configure {@link createInformer}. */
export interface InformerOptions {
  readonly client: InformerSource;
  /** The kinds cached (at least one). */
  readonly kinds: readonly StoredKindName[];
  /**
   * Client-side filter: only objects it accepts are cached; an object updated out of the
   * filter is deleted from the cache (handlers see onDelete).
   */
  readonly filter?: (object: UnwrappedStoredObject) => boolean;
  /** Ms between resyncs that re-deliver every cached object (0 = none). */
  readonly resyncMs?: number;
  readonly timers?: Timers;
  readonly random?: () => number;
  /** Ms clock for telling a healthy watch from a failing one (default Date.now). */
  readonly now?: () => number;
  readonly logger?: Logger;
}

function versionOf(o: UnwrappedStoredObject): number | undefined {
  return o.object.meta?.version?.index;
}

/**
 * Informer keeps a cache of the store's objects of some kinds. Contract:
 * - `run(signal)` lists, replaces the cache (diffing it into handler calls), then watches from
 *   the list's version; the cache's states are an ordered subsequence of the store's, and
 *   converge to it; `hasSynced()` is true from the first completed list on;
 * - when the watch ends (COMPACTED, or a failure the watch itself does not resume), it relists
 *   after a backoff (STORE_CLIENT_LIMITS.informerRelist*; at once for the first COMPACTED);
 * - every `resyncMs` it calls onUpdate(key, o, o) for every cached object, without any server
 *   call;
 * - `run` resolves once `signal` aborts.
 */
export class Informer {
  private readonly cache = new Map<ObjectKey, UnwrappedStoredObject>();
  private readonly handlers: InformerHandlers[] = [];
  private readonly timers: Timers;
  private readonly logger: Logger;
  private synced = false;
  private version_ = 0;
  private relists = 0;

  /** The constructor builds an idle informer; call `run`. */
  constructor(private readonly options: InformerOptions) {
    this.timers = options.timers ?? systemTimers;
    this.logger = options.logger ?? silentLogger();
  }

  /** addHandlers registers handlers; add them before `run` to see the initial adds. */
  addHandlers(handlers: InformerHandlers): void {
    this.handlers.push(handlers);
  }

  /** hasSynced reports whether the first list has been loaded into the cache. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** version is the store version the cache reflects. */
  get version(): number {
    return this.version_;
  }

  /** relistCount is how many lists the informer has done (a metric; tests). */
  get relistCount(): number {
    return this.relists;
  }

  /** get returns the cached object of `kind` with this id. Do not modify it. */
  get<K extends StoredKindName>(kind: K, id: string): StoredKindTypes[K] | undefined {
    return this.cache.get(objectKey(kind, id))?.object as StoredKindTypes[K] | undefined;
  }

  /** getByKey returns the cached object under a key. */
  getByKey(key: ObjectKey): UnwrappedStoredObject | undefined {
    return this.cache.get(key);
  }

  /** list returns the cached objects of `kind`, in no particular order. */
  list<K extends StoredKindName>(kind: K): StoredKindTypes[K][] {
    const out: StoredKindTypes[K][] = [];
    for (const o of this.cache.values()) if (o.kind === kind) out.push(o.object as StoredKindTypes[K]);
    return out;
  }

  /** keys returns every cached key. */
  keys(): ObjectKey[] {
    return [...this.cache.keys()];
  }

  /** waitForSync resolves true once synced, or false if `signal` aborts first. */
  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    while (!this.synced) {
      if (signal?.aborted === true) return false;
      await this.sleep(10, signal);
    }
    return true;
  }

  /** run lists and watches until `signal` aborts (see the class contract). */
  async run(signal: AbortSignal): Promise<void> {
    const now = this.options.now ?? Date.now;
    const { informerRelistBaseDelayMs: base, informerRelistMaxDelayMs: max } = STORE_CLIENT_LIMITS;
    let failures = 0;
    const stopResync = this.startResync(signal);
    try {
      while (!signal.aborted) {
        const startedMs = now();
        const ended = await this.listAndWatch(signal);
        if (signal.aborted) break;
        // A watch that stayed up longer than the longest backoff was healthy: start over.
        if (now() - startedMs > max) failures = 0;
        failures++;
        const delayMs = ended?.code === 'COMPACTED' && failures === 1 ? 0
          : backoffDelayMs(failures, this.options.random ?? Math.random, base, max);
        this.logger.info({ err: ended, delayMs }, 'informer relisting');
        await this.sleep(delayMs, signal);
      }
    } finally {
      stopResync();
    }
  }

  /** listAndWatch does one list and one watch; resolves with what ended the watch. */
  private async listAndWatch(signal: AbortSignal): Promise<ShoalError | undefined> {
    let listed: Listed<UnwrappedStoredObject>;
    try {
      listed = await this.options.client.list(this.options.kinds);
    } catch (err) {
      this.logger.warn({ err }, 'informer list failed');
      return err as ShoalError;
    }
    if (signal.aborted) return undefined;
    this.relists++;
    this.replace(listed);
    const subscription = this.options.client.watch({
      fromVersion: listed.version,
      filters: [{ kinds: this.options.kinds.map(objectKindOf) }],
    }, {
      onTransaction: (t) => this.applyTransaction(t),
      onProgress: (v) => {
        this.version_ = Math.max(this.version_, v);
      },
    });
    const onAbort = (): void => subscription.close();
    signal.addEventListener('abort', onAbort, { once: true });
    const ended = await subscription.done;
    signal.removeEventListener('abort', onAbort);
    return ended;
  }

  private accepts(object: UnwrappedStoredObject): boolean {
    return this.options.filter === undefined || this.options.filter(object);
  }

  /** replace loads a list into the cache, as the diff of handler calls. */
  private replace(listed: Listed<UnwrappedStoredObject>): void {
    const seen = new Set<ObjectKey>();
    for (const object of listed.objects) {
      if (!this.accepts(object)) continue;
      const key = objectKey(object.kind, object.object.id);
      seen.add(key);
      this.upsert(key, object, true);
    }
    for (const [key, old] of [...this.cache]) {
      if (seen.has(key)) continue;
      this.cache.delete(key);
      for (const h of this.handlers) h.onDelete?.(key, old);
    }
    this.version_ = listed.version;
    this.synced = true;
  }

  private upsert(key: ObjectKey, object: UnwrappedStoredObject, skipSame: boolean): void {
    const old = this.cache.get(key);
    this.cache.set(key, object);
    if (old === undefined) {
      for (const h of this.handlers) h.onAdd?.(key, object);
    } else if (!skipSame || versionOf(old) !== versionOf(object)) {
      for (const h of this.handlers) h.onUpdate?.(key, old, object);
    }
  }

  private applyTransaction(transaction: WatchTransaction): void {
    for (const event of transaction.events) this.applyEvent(event);
    this.version_ = transaction.version;
  }

  private applyEvent(event: ClientEvent): void {
    const object = { kind: event.kind, object: event.object } as UnwrappedStoredObject;
    const key = objectKey(event.kind, event.object.id);
    if (event.action !== 'delete' && this.accepts(object)) {
      this.upsert(key, object, false);
      return;
    }
    const old = this.cache.get(key);
    if (old === undefined) return;
    this.cache.delete(key);
    for (const h of this.handlers) h.onDelete?.(key, event.action === 'delete' ? object : old);
  }

  private startResync(signal: AbortSignal): () => void {
    const resyncMs = this.options.resyncMs ?? STORE_CLIENT_LIMITS.informerResyncMs;
    if (resyncMs <= 0) return () => undefined;
    let timer: TimerHandle | undefined;
    const tick = (): void => {
      if (signal.aborted) return;
      if (this.synced) {
        for (const [key, object] of this.cache) {
          for (const h of this.handlers) h.onUpdate?.(key, object, object);
        }
      }
      timer = this.timers.setTimeout(tick, resyncMs);
    };
    timer = this.timers.setTimeout(tick, resyncMs);
    return () => {
      if (timer !== undefined) this.timers.clearTimeout(timer);
    };
  }

  private sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const handle = this.timers.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        this.timers.clearTimeout(handle);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** createInformer returns an idle {@link Informer}; add handlers, then `run(signal)`. */
export function createInformer(options: InformerOptions): Informer {
  return new Informer(options);
}
