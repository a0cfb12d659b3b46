// The shell every manager-side control loop shares (aesthetics §3, §7.6-11): leader election
// through a store lease, an informer cache rebuilt each term, a keyed de-duplicating work
// queue with per-key backoff, a debounced batched pass, and the loop's single transaction
// site fenced by the lease. It lives beside the store client (scope:store-api), which every
// loop may import, so the three loops share one copy.
import { assert } from '@shoal/assert';
import type { Clock, Timers } from '@shoal/clock';
import { isShoalError } from '@shoal/errors';
import { STORE_LIMITS, type WorkqueueLimits } from '@shoal/limits';
import { silentLogger, type Logger } from '@shoal/logging';
import type { Counter, Gauge, Histogram, Metrics } from '@shoal/metrics';
import type { LeaseGuard, OwnerName, StoredKindName, UnwrappedStoredObject } from '@shoal/proto';
import {
  createInformer,
  runLeaderElection,
  WorkQueue,
  type CallOptions,
  type ClientChange,
  type Committed,
  type Informer,
  type InformerSource,
  type LeaseSource,
  type ObjectKey,
  type WriteOptions,
} from '@shoal/store-client';

/** LoopStore is the part of StoreClient a control loop uses (a StoreClient, or a fake). */
export interface LoopStore extends InformerSource, LeaseSource {
  transaction(changes: readonly ClientChange[], options: WriteOptions & CallOptions):
    Promise<Committed>;
}

/** CacheEvent is one change of the informer cache, as its handlers saw it. */
export interface CacheEvent {
  readonly type: 'add' | 'update' | 'delete';
  readonly key: ObjectKey;
  /** The object after the change; for deletes, its last state. */
  readonly object: UnwrappedStoredObject;
  /** The object before an update (the same object on a resync). */
  readonly old?: UnwrappedStoredObject;
}

/**
 * KeyOutcome is what a pass did with one key: `done` (forget its backoff), `retry` (failed:
 * requeue with the per-key rate-limited backoff) or `after` (done for now, run again in `ms`).
 */
export type KeyOutcome =
  | { readonly type: 'done' }
  | { readonly type: 'retry' }
  | { readonly type: 'after'; readonly ms: number };

/** PassContext is what one pass of a reconciler may use. */
export interface PassContext {
  readonly nowMs: number;
  readonly informer: Informer;
  /** Aborts when this replica stops leading; a pass should stop writing then. */
  readonly signal: AbortSignal;
  /**
   * commit is the loop's one transaction site: ≤ STORE_LIMITS.maxChangesPerTransaction
   * changes, written as the loop's owner under its lease guard. Rejects with the store's
   * error (SEQUENCE_CONFLICT carries details.changeIndex).
   */
  commit(changes: readonly ClientChange[]): Promise<Committed>;
}

/**
 * Reconciler is a loop's own logic inside the shell. One is created per leadership term, so
 * its in-memory state is always rebuilt from a fresh list. Contract: `onEvent` runs for
 * every cache change in commit order (the initial list arrives as adds) and only updates
 * in-memory state and names keys; `pass` reads the informer, never mutates cached objects,
 * and writes only through `ctx.commit`.
 */
export interface Reconciler {
  readonly kinds: readonly StoredKindName[];
  onEvent(event: CacheEvent, nowMs: number): readonly string[];
  /** Every key of a full pass (after the first list, and after a relist). */
  allKeys(informer: Informer): readonly string[];
  /**
   * pass handles a batch of keys; the outcome of a key absent from the map is `done`. It may
   * name keys outside the batch too (e.g. tasks a pass touched without being asked).
   */
  pass(keys: readonly string[], ctx: PassContext): Promise<ReadonlyMap<string, KeyOutcome>>;
}

/** LoopBatching bounds how a loop batches its work (named limits of each loop). */
export interface LoopBatching {
  /** Ms of quiet after the last event before a pass runs. */
  readonly debounceGapMs: number;
  /** Ms a pass may be deferred by continuous events. */
  readonly maxLatencyMs: number;
  /** Keys one pass takes at most. */
  readonly maxBatchKeys: number;
}

/** ControlLoopOptions configure a {@link ControlLoop}. */
export interface ControlLoopOptions {
  /** Lease name and writer identity, e.g. "scheduler". */
  readonly name: OwnerName;
  readonly store: LoopStore;
  /** This replica's unique id in the lease. */
  readonly holder: string;
  readonly leaseTtlMs: number;
  readonly reconciler: () => Reconciler;
  readonly batching: LoopBatching;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  readonly queueLimits?: Partial<Record<keyof WorkqueueLimits, number>>;
  /** Ms between informer resyncs (each is a full pass); default the informer's. */
  readonly resyncMs?: number;
}

/** LoopStats are a loop's counters, also exported as metrics (`shoal_loop_*{loop}`). */
export interface LoopStats {
  passes: number;
  writes: number;
  conflicts: number;
  /** Transactions refused for another reason (lease lost, unavailable, ...). */
  failures: number;
  terms: number;
  active: boolean;
}

interface LoopMetrics {
  readonly depth: Gauge<'loop'>;
  readonly passes: Counter<'loop'>;
  readonly passSeconds: Histogram<'loop'>;
  readonly writes: Counter<'loop'>;
  readonly conflicts: Counter<'loop'>;
  readonly active: Gauge<'loop'>;
}

function loopMetrics(metrics: Metrics): LoopMetrics {
  const l = ['loop'] as const;
  return {
    depth: metrics.gauge('loop_queue_depth', 'Keys waiting in the work queue', l),
    passes: metrics.counter('loop_passes_total', 'Reconcile passes run', l),
    passSeconds: metrics.histogram('loop_pass_duration_seconds', 'Duration of one pass', l),
    writes: metrics.counter('loop_writes_total', 'Transactions committed', l),
    conflicts: metrics.counter('loop_conflicts_total', 'Transactions refused by a conflict', l),
    active: metrics.gauge('loop_is_active', '1 while this replica leads the loop', l),
  };
}

const DONE: KeyOutcome = Object.freeze({ type: 'done' });
const RETRY: KeyOutcome = Object.freeze({ type: 'retry' });

/** Term is what one leadership term of a loop holds. */
interface Term {
  readonly reconciler: Reconciler;
  readonly informer: Informer;
  readonly queue: WorkQueue;
  readonly guard: LeaseGuard;
  readonly signal: AbortSignal;
  /** The store version of the term's last commit; passes wait until the cache reflects it. */
  committedVersion: number;
}

/**
 * Ms between checks of whether the informer caught up with the loop's own last commit: a
 * pass must never plan from a cache that misses its own writes (that would, e.g., create a
 * slot's task twice).
 */
const CATCH_UP_POLL_MS = 2;

function sleep(timers: Timers, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const handle = timers.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      timers.clearTimeout(handle);
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * ControlLoop is one replica of a manager-side control loop. Contract:
 * - `start()` campaigns for the lease `name`; while this replica holds it, a term runs: a
 *   fresh Reconciler and informer (a full list, every object an add), a full pass of
 *   `allKeys`, then passes over batches of queued keys, each after `debounceGapMs` of quiet
 *   (at most `maxLatencyMs` after its first key) and once the cache reflects the term's own
 *   last commit; a relist queues a full pass again;
 * - every write goes through the term's `commit`, as `name`, fenced by the lease guard, so a
 *   replica that lost its lease cannot write; the term ends the moment the lease is lost;
 * - a key whose pass failed is requeued with its per-key backoff; `done` forgets it;
 * - terms never overlap within one replica; `stop()` ends the term, resigns the lease and
 *   resolves once everything stopped.
 */
export class ControlLoop {
  /** stats counts what the loop did (tests and metrics). */
  readonly stats: LoopStats = {
    passes: 0, writes: 0, conflicts: 0, failures: 0, terms: 0, active: false,
  };
  private readonly logger: Logger;
  private readonly metrics: LoopMetrics | undefined;
  private readonly stopper = new AbortController();
  private running: Promise<void> | undefined;
  private term: Promise<void> = Promise.resolve();
  private current: Term | undefined;
  private lastEventMs = 0;

  /** The constructor checks the options; call `start`. */
  constructor(private readonly options: ControlLoopOptions) {
    const { batching } = options;
    assert(options.leaseTtlMs > 0, 'a loop lease has a ttl');
    assert(batching.debounceGapMs >= 0, 'the debounce gap is not negative');
    assert(batching.debounceGapMs <= batching.maxLatencyMs, 'debounce gap ≤ max latency');
    assert(batching.maxBatchKeys > 0, 'a pass takes keys');
    this.logger = options.logger ?? silentLogger();
    this.metrics = options.metrics === undefined ? undefined : loopMetrics(options.metrics);
    this.metrics?.active.set({ loop: options.name }, 0);
  }

  /** informer is the current term's cache (undefined while not leading). Do not modify. */
  get informer(): Informer | undefined {
    return this.current?.informer;
  }

  /** start begins campaigning; call once. */
  start(): void {
    assert(this.running === undefined, 'a control loop starts once');
    const { options } = this;
    this.running = runLeaderElection({
      client: options.store,
      name: options.name,
      holder: options.holder,
      ttlMs: options.leaseTtlMs,
      signal: this.stopper.signal,
      timers: options.timers,
      logger: this.logger,
      onStartedLeading: (signal, guard) => {
        this.term = this.term.then(() => this.lead(signal, guard))
          .catch((err: unknown) => this.logger.error({ err }, 'control loop term failed'));
      },
      onStoppedLeading: () => this.logger.info({ loop: options.name }, 'stopped leading'),
    });
  }

  /** stop ends the current term, resigns the lease and resolves once all work stopped. */
  async stop(): Promise<void> {
    this.stopper.abort();
    await this.running;
    await this.term;
  }

  private setActive(active: boolean): void {
    this.stats.active = active;
    this.metrics?.active.set({ loop: this.options.name }, active ? 1 : 0);
  }

  private async lead(signal: AbortSignal, guard: LeaseGuard): Promise<void> {
    if (signal.aborted) return;
    const { options } = this;
    const reconciler = options.reconciler();
    const informer = createInformer({
      client: options.store, kinds: reconciler.kinds, timers: options.timers,
      logger: this.logger, resyncMs: options.resyncMs, now: () => options.clock.now(),
    });
    const queue = new WorkQueue({ clock: options.clock, timers: options.timers,
      limits: options.queueLimits });
    const term: Term = { reconciler, informer, queue, guard, signal, committedVersion: 0 };
    const shutDown = (): void => queue.shutDown();
    signal.addEventListener('abort', shutDown, { once: true });
    informer.addHandlers(this.handlers(term));
    this.current = term;
    this.stats.terms++;
    this.setActive(true);
    this.logger.info({ loop: options.name, term: guard.term }, 'control loop term started');
    const informing = informer.run(signal);
    try {
      if (await informer.waitForSync(signal)) await this.work(term);
    } finally {
      queue.shutDown();
      signal.removeEventListener('abort', shutDown);
      await informing;
      this.current = undefined;
      this.setActive(false);
    }
  }

  private handlers(term: Term): Parameters<Informer['addHandlers']>[0] {
    const on = (event: CacheEvent): void => {
      const nowMs = this.options.clock.now();
      for (const key of term.reconciler.onEvent(event, nowMs)) term.queue.add(key);
      this.lastEventMs = nowMs;
    };
    return {
      onAdd: (key, object) => on({ type: 'add', key, object }),
      onUpdate: (key, old, object) => on({ type: 'update', key, object, old }),
      onDelete: (key, object) => on({ type: 'delete', key, object }),
    };
  }

  private fullPass(term: Term): void {
    for (const key of term.reconciler.allKeys(term.informer)) term.queue.add(key);
  }

  private async work(term: Term): Promise<void> {
    const { informer, queue, signal } = term;
    let relists = informer.relistCount;
    this.fullPass(term);
    while (!signal.aborted) {
      const first = await queue.get();
      if (first === undefined) return;
      await this.debounce(signal);
      if (informer.relistCount !== relists) {
        relists = informer.relistCount;
        this.fullPass(term);
      }
      await this.catchUp(term);
      const keys = [first];
      while (queue.len() > 0 && keys.length < this.options.batching.maxBatchKeys) {
        const key = await queue.get();
        if (key === undefined) break;
        keys.push(key);
      }
      await this.runPass(term, keys);
    }
  }

  private async catchUp(term: Term): Promise<void> {
    while (term.informer.version < term.committedVersion && !term.signal.aborted) {
      await sleep(this.options.timers, CATCH_UP_POLL_MS, term.signal);
    }
  }

  private async debounce(signal: AbortSignal): Promise<void> {
    const { clock, timers, batching } = this.options;
    const startMs = clock.now();
    for (;;) {
      const nowMs = clock.now();
      const dueMs = Math.min(this.lastEventMs + batching.debounceGapMs,
        startMs + batching.maxLatencyMs);
      if (nowMs >= dueMs || signal.aborted) return;
      await sleep(timers, dueMs - nowMs, signal);
    }
  }

  private async runPass(term: Term, keys: readonly string[]): Promise<void> {
    const { clock, name } = this.options;
    const startedMs = clock.now();
    const ctx: PassContext = {
      nowMs: startedMs,
      informer: term.informer,
      signal: term.signal,
      commit: async (changes) => {
        const committed = await this.commit(changes, term.guard);
        term.committedVersion = Math.max(term.committedVersion, committed.version);
        return committed;
      },
    };
    let outcomes: ReadonlyMap<string, KeyOutcome>;
    try {
      outcomes = await term.reconciler.pass(keys, ctx);
    } catch (err) {
      this.logger.warn({ err, loop: name, keys: keys.length }, 'pass failed; requeueing its keys');
      outcomes = new Map(keys.map((k) => [k, RETRY]));
    }
    for (const key of keys) {
      term.queue.done(key);
      this.settle(term.queue, key, outcomes.get(key) ?? DONE);
    }
    const batch = new Set(keys);
    for (const [key, outcome] of outcomes) if (!batch.has(key)) this.settle(term.queue, key, outcome);
    this.stats.passes++;
    this.metrics?.passes.inc({ loop: name });
    this.metrics?.passSeconds.observe({ loop: name }, (clock.now() - startedMs) / 1000);
    this.metrics?.depth.set({ loop: name }, term.queue.len());
  }

  /** settle applies a key's outcome to the queue (keys outside the batch too). */
  private settle(queue: WorkQueue, key: string, outcome: KeyOutcome): void {
    if (outcome.type === 'retry') {
      queue.addRateLimited(key);
      return;
    }
    queue.forget(key);
    if (outcome.type === 'after') queue.addAfter(key, outcome.ms);
  }

  private async commit(changes: readonly ClientChange[], guard: LeaseGuard): Promise<Committed> {
    const { name, store } = this.options;
    assert(changes.length > 0, 'a transaction has changes');
    assert(changes.length <= STORE_LIMITS.maxChangesPerTransaction, 'a transaction fits the store');
    try {
      const committed = await store.transaction(changes, { writer: name, guard });
      this.stats.writes++;
      this.metrics?.writes.inc({ loop: name });
      return committed;
    } catch (err) {
      if (isShoalError(err, 'SEQUENCE_CONFLICT')) {
        this.stats.conflicts++;
        this.metrics?.conflicts.inc({ loop: name });
      } else {
        this.stats.failures++;
      }
      throw err;
    }
  }
}
