// The store client every Shoal component uses: typed reads and writes with deadlines and safe
// retries, resuming watches, leases and members, over any member of the raft-store.
import type { ChannelCredentials, ClientReadableStream, Metadata } from '@grpc/grpc-js';
import type { Timers } from '@shoal/clock';
import { isShoalError, ShoalError } from '@shoal/errors';
import { fromGrpcError } from '@shoal/grpc';
import { silentLogger, type Logger } from '@shoal/logging';
import {
  durationFromMs,
  durationToMs,
  OWNER_NAMES,
  Selector,
  StoredObject,
  wrapStoredObject,
  type Lease,
  type LeaseGuard,
  type ListMembersResponse,
  type Owner,
  type OwnerName,
  type RaftMember,
  type StoredKindName,
  type StoredKindTypes,
  type Task,
  type UnwrappedStoredObject,
} from '@shoal/proto';
import { systemTimers } from '@shoal/runtime';
import {
  callUnary,
  collectStream,
  Endpoints,
  identityMetadata,
  leaderHint,
  type Endpoint,
  type StoreChannelSecurity,
} from './connection';
import type { IdentityRole } from './identity';
import { LeaseObserver } from './lease-observer';
import { STORE_CLIENT_LIMITS } from '@shoal/limits';
import { backoffDelayMs, isRetryableRead, provesNotApplied } from './retry';
import {
  changeActionOf,
  objectKindOf,
  unwrapOrThrow,
  type ClientChange,
} from './types';
import { ResumingWatch, type WatchHandler, type WatchOptions, type WatchSubscription } from './watch';

/** ConnectStoreOptions configure {@link connectStore}. */
export interface ConnectStoreOptions {
  /** Store API addresses (`host:port`) of the raft-store members; any member will do. */
  readonly endpoints: readonly string[];
  /** mTLS credentials (pki `channelCredentials`); unset = insecure, for tests on loopback. */
  readonly credentials?: ChannelCredentials | StoreChannelSecurity;
  /** Sends `x-shoal-test-identity: <role>`; only test servers accept it. */
  readonly identityForTests?: IdentityRole;
  /** Ms deadline of each read attempt (default STORE_CLIENT_LIMITS.unaryDeadlineMs). */
  readonly deadlineMs?: number;
  /** Ms deadline of each write attempt (default STORE_CLIENT_LIMITS.writeDeadlineMs). */
  readonly writeDeadlineMs?: number;
  readonly logger?: Logger;
  /** Timers for retry backoff and watch re-establishment (default: system timers). */
  readonly timers?: Timers;
  /** Uniform [0, 1) for backoff jitter (default Math.random). */
  readonly random?: () => number;
}

/** ReadOptions tune a read: `stale` skips the linearizability barrier. */
export interface ReadOptions {
  readonly stale?: boolean;
}

/** WriteOptions say who writes and under which lease. */
export interface WriteOptions {
  readonly writer: OwnerName;
  readonly guard?: LeaseGuard;
}

/** CallOptions bound one call: its per-attempt deadline and a cancelling signal. */
export interface CallOptions {
  readonly deadlineMs?: number;
  readonly signal?: AbortSignal;
}

/** Listed is a set of objects read at exactly `version` (watch from it to continue). */
export interface Listed<T> {
  readonly objects: T[];
  readonly version: number;
}

/** Committed is a committed transaction: its version and the objects as stored. */
export interface Committed {
  readonly version: number;
  readonly objects: UnwrappedStoredObject[];
}

/** LeaseInfo is a lease as the store reports it (times in ms; expiry on the leader's clock). */
export interface LeaseInfo {
  readonly name: string;
  readonly holder: string;
  readonly term: number;
  readonly ttlMs: number;
  readonly expiresAtMs: number;
}

function leaseInfo(lease: Lease): LeaseInfo {
  return {
    name: lease.name,
    holder: lease.holder,
    term: lease.term,
    ttlMs: lease.ttl === undefined ? 0 : durationToMs(lease.ttl),
    expiresAtMs: lease.expiresAt?.getTime() ?? 0,
  };
}

function ownerOf(name: OwnerName): Owner {
  return (OWNER_NAMES.indexOf(name) + 1) as Owner;
}

function sleep(ms: number, timers: Timers, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const handle = timers.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      timers.clearTimeout(handle);
      resolve();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Retry policies: reads retry transient failures; writes only those proving nothing applied. */
type RetryMode = 'read' | 'write';

/**
 * StoreClient talks to the raft-store through any member (followers forward writes to the
 * leader). Contract:
 * - every unary attempt has a deadline (`deadlineMs` for reads and leases, `writeDeadlineMs`
 *   for transactions); List and Find streams have STORE_CLIENT_LIMITS.listDeadlineMs; Watch
 *   and Observe streams have none and rely on keepalive;
 * - reads (and lease calls, which are idempotent) are retried on UNAVAILABLE, NOT_LEADER and
 *   DEADLINE_EXCEEDED; transactions only on failures that prove they were not applied
 *   (`provesNotApplied`); at most STORE_CLIENT_LIMITS.callAttemptsMax attempts with jittered
 *   exponential backoff; a NOT_LEADER hint redirects to the leader, other failures move to the
 *   next member;
 * - failures reject with a ShoalError carrying the server's code and details.
 */
export class StoreClient {
  private readonly endpoints: Endpoints;
  private readonly logger: Logger;
  private readonly timers: Timers;
  private readonly random: () => number;
  private closed = false;

  /** The constructor connects lazily; prefer {@link connectStore}. */
  constructor(private readonly options: ConnectStoreOptions) {
    const creds = options.credentials;
    const security = creds === undefined ? undefined
      : 'credentials' in creds ? creds : { credentials: creds };
    this.endpoints = new Endpoints(options.endpoints, security);
    this.logger = options.logger ?? silentLogger();
    this.timers = options.timers ?? systemTimers;
    this.random = options.random ?? Math.random;
  }

  /** get reads one object; undefined if it does not exist. Linearizable unless `stale`. */
  async get<K extends StoredKindName>(
    kind: K,
    id: string,
    options: ReadOptions & CallOptions = {},
  ): Promise<StoredKindTypes[K] | undefined> {
    try {
      const response = await this.unary('read', options, (e, md, deadline) => callUnary(
        e.store.get.bind(e.store), { kind: objectKindOf(kind), id, read: { stale: options.stale ?? false } },
        md, deadline, options.signal));
      return unwrapOrThrow(response.object).object as StoredKindTypes[K];
    } catch (err) {
      if (isShoalError(err, 'NOT_FOUND')) return undefined;
      throw err;
    }
  }

  /** getTask reads one task (see {@link get}). */
  getTask(id: string, options: ReadOptions & CallOptions = {}): Promise<Task | undefined> {
    return this.get('task', id, options);
  }

  /**
   * find reads the objects of `kind` matching any selector (ORed; each ANDs its set fields),
   * at one version. No selector matches every object of the kind.
   */
  async find<K extends StoredKindName>(
    kind: K,
    selectors: Partial<Selector> | readonly Partial<Selector>[] = [],
    options: ReadOptions & CallOptions = {},
  ): Promise<Listed<StoredKindTypes[K]>> {
    const list = Array.isArray(selectors) ? selectors : [selectors as Partial<Selector>];
    const request = {
      kind: objectKindOf(kind),
      selectors: list.map((s) => Selector.fromPartial(s)),
      read: { stale: options.stale ?? false },
    };
    const chunks = await this.stream(options, (e, md) => e.store.find(request, md, {
      deadline: Date.now() + STORE_CLIENT_LIMITS.listDeadlineMs }));
    const objects = chunks.flatMap((c) => c.objects.map((o) => unwrapOrThrow(o).object));
    return { objects: objects as StoredKindTypes[K][], version: chunks[0]?.version?.index ?? 0 };
  }

  /** findTasks reads the tasks matching a selector (see {@link find}). */
  async findTasks(selector: Partial<Selector> = {}, options: ReadOptions & CallOptions = {}):
    Promise<Task[]> {
    return (await this.find('task', selector, options)).objects;
  }

  /**
   * list reads every object of the given kinds (empty = every kind) at one version: the
   * first half of list-then-watch.
   */
  async list(
    kinds: readonly StoredKindName[] = [],
    options: ReadOptions & CallOptions = {},
  ): Promise<Listed<UnwrappedStoredObject>> {
    const request = { kinds: kinds.map(objectKindOf), read: { stale: options.stale ?? false } };
    const chunks = await this.stream(options, (e, md) => e.store.list(request, md, {
      deadline: Date.now() + STORE_CLIENT_LIMITS.listDeadlineMs }));
    const objects = chunks.flatMap((c) => c.objects.map(unwrapOrThrow));
    return { objects, version: chunks[0]?.version?.index ?? 0 };
  }

  /**
   * transaction commits `changes` atomically as `writer` (which must be the Owner of this
   * client's identity), optionally fenced by a lease guard. Rejects with the store's error:
   * SEQUENCE_CONFLICT, PERMISSION_DENIED (details.field), FAILED_PRECONDITION (lease lost), ...
   */
  async transaction(
    changes: readonly ClientChange[],
    options: WriteOptions & CallOptions,
  ): Promise<Committed> {
    const request = {
      changes: changes.map((c) => ({
        action: changeActionOf(c.action),
        // fromPartial fills every field the caller left out, so a delete may carry only `id`.
        object: StoredObject.fromPartial(wrapStoredObject(c.kind, c.object as never)),
      })),
      writer: ownerOf(options.writer),
      guard: options.guard,
    };
    const deadlineMs = options.deadlineMs ?? this.options.writeDeadlineMs ??
      STORE_CLIENT_LIMITS.writeDeadlineMs;
    const response = await this.unary('write', { ...options, deadlineMs }, (e, md, deadline) =>
      callUnary(e.store.transaction.bind(e.store), request, md, deadline, options.signal,
        (response) => this.followLeaderHint(response)));
    return { version: response.version?.index ?? 0, objects: response.objects.map(unwrapOrThrow) };
  }

  /**
   * update is read-modify-write of one object: it reads the object (linearizably), passes a
   * private copy to `mutate`, and writes the result as an update at the version read. On
   * SEQUENCE_CONFLICT it re-reads and tries again, at most
   * STORE_CLIENT_LIMITS.updateConflictRetriesMax more times. `mutate` returning undefined
   * means "no change": nothing is written. Resolves with the object as stored; rejects
   * NOT_FOUND if the object does not exist.
   */
  async update<K extends StoredKindName>(
    kind: K,
    id: string,
    mutate: (object: StoredKindTypes[K]) => StoredKindTypes[K] | undefined,
    options: WriteOptions & CallOptions,
  ): Promise<StoredKindTypes[K]> {
    for (let round = 0; ; round++) {
      const current = await this.get(kind, id, options);
      if (current === undefined) throw ShoalError.notFound(kind, id);
      const meta = current.meta;
      const next = mutate(current);
      if (next === undefined) return current;
      const object = { ...next, meta } as StoredKindTypes[K];
      try {
        const committed = await this.transaction(
          [{ action: 'update', kind, object } as ClientChange], options);
        return committed.objects[0]?.object as StoredKindTypes[K];
      } catch (err) {
        const again = isShoalError(err, 'SEQUENCE_CONFLICT') &&
          round < STORE_CLIENT_LIMITS.updateConflictRetriesMax;
        if (!again) throw err;
        this.logger.debug({ kind, id, round }, 'update out of sequence; re-reading');
      }
    }
  }

  /**
   * watch opens a resuming watch (see ResumingWatch): every matching transaction after
   * `fromVersion` (or from now), in order, once, across disconnects.
   */
  watch(options: WatchOptions, handler: WatchHandler): WatchSubscription {
    return new ResumingWatch(options, handler, {
      open: (request) => {
        const endpoint = this.endpoints.current();
        return endpoint.store.watch(request, this.metadata());
      },
      failed: (error) => this.moveOn(this.endpoints.current().address, error),
      timers: this.timers,
      random: this.random,
      logger: this.logger,
    });
  }

  /**
   * campaign asks for the lease `name` for `candidate` with a ttl; it answers at once. Elected
   * if the lease was vacant, lapsed or already the candidate's (then renewed).
   */
  async campaign(
    request: { name: string; candidate: string; ttlMs: number },
    options: CallOptions = {},
  ): Promise<{ elected: boolean; lease: LeaseInfo | undefined }> {
    const message = { name: request.name, candidate: request.candidate,
      ttl: durationFromMs(request.ttlMs) };
    const response = await this.unary('read', options, (e, md, deadline) =>
      callUnary(e.leases.campaign.bind(e.leases), message, md, deadline, options.signal));
    return {
      elected: response.elected,
      lease: response.lease === undefined ? undefined : leaseInfo(response.lease),
    };
  }

  /** keepAlive renews a held lease; FAILED_PRECONDITION means it was lost. */
  async keepAlive(lease: LeaseGuard, options: CallOptions = {}): Promise<LeaseInfo> {
    const response = await this.unary('read', options, (e, md, deadline) =>
      callUnary(e.leases.keepAlive.bind(e.leases), lease, md, deadline, options.signal));
    if (response.lease === undefined) throw ShoalError.internal('keep-alive returned no lease');
    return leaseInfo(response.lease);
  }

  /** resign gives a held lease up (a no-op if it was already lost). */
  async resign(lease: LeaseGuard, options: CallOptions = {}): Promise<void> {
    await this.unary('read', options, (e, md, deadline) =>
      callUnary(e.leases.resign.bind(e.leases), lease, md, deadline, options.signal));
  }

  /**
   * observeLease calls `onChange` with the lease's state now and after every change (see
   * LeaseObserver); `onEnd` hears a permanent failure, or undefined after `close()`.
   */
  observeLease(
    name: string,
    onChange: (lease: LeaseInfo | undefined) => void,
    onEnd?: (error: ShoalError | undefined) => void,
  ): LeaseObserver {
    return new LeaseObserver(name, onChange, {
      open: (leaseName) => this.endpoints.current().leases.observe({ name: leaseName },
        this.metadata()),
      failed: (error) => this.moveOn(this.endpoints.current().address, error),
      timers: this.timers,
      random: this.random,
    }, onEnd);
  }

  /** listMembers lists the raft group as the answering member knows it. */
  async listMembers(options: CallOptions = {}): Promise<ListMembersResponse> {
    return this.unary('read', options, (e, md, deadline) =>
      callUnary(e.members.listMembers.bind(e.members), {}, md, deadline, options.signal));
  }

  /** addMember adds a manager to the raft group; resolves once the change is committed. */
  async addMember(
    request: { nodeId: string; addr: string; learner?: boolean },
    options: CallOptions = {},
  ): Promise<{ raftId: number; members: RaftMember[] }> {
    const message = { nodeId: request.nodeId, addr: request.addr, learner: request.learner ?? false };
    return this.unary('write', options, (e, md, deadline) =>
      callUnary(e.members.addMember.bind(e.members), message, md, deadline, options.signal));
  }

  /** removeMember removes a manager from the raft group. */
  async removeMember(raftId: number, options: CallOptions = {}): Promise<void> {
    await this.unary('write', options, (e, md, deadline) =>
      callUnary(e.members.removeMember.bind(e.members), { raftId }, md, deadline, options.signal));
  }

  /** close closes every connection; open watches end with CANCELLED. */
  close(): void {
    this.closed = true;
    this.endpoints.close();
  }

  private metadata(): Metadata {
    return identityMetadata(this.options.identityForTests);
  }

  /**
   * followLeaderHint makes the leader current when a follower forwarded a write and named
   * it (LEADER_HINT_HEADER): later calls go to the leader directly, one hop less.
   */
  private followLeaderHint(response: Metadata): void {
    const leader = leaderHint(response);
    if (leader !== undefined) this.endpoints.redirect(leader);
  }

  /** moveOn picks the member for the next attempt after `error` on `address`. */
  private moveOn(address: string, error: ShoalError): void {
    const leader = error.details?.['leader'];
    if (error.code === 'NOT_LEADER' && leader !== undefined) this.endpoints.redirect(leader);
    else this.endpoints.failover(address);
  }

  private async attempt<T>(
    mode: RetryMode,
    options: CallOptions,
    run: (endpoint: Endpoint, attempt: number) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw ShoalError.cancelled('the store client is closed');
      const endpoint = this.endpoints.current();
      try {
        return await run(endpoint, attempt);
      } catch (raw) {
        const error = fromGrpcError(raw);
        const retry = mode === 'read' ? isRetryableRead(error) : provesNotApplied(error);
        const aborted = options.signal?.aborted ?? false;
        if (!retry || aborted || attempt >= STORE_CLIENT_LIMITS.callAttemptsMax) throw error;
        this.moveOn(endpoint.address, error);
        const delayMs = backoffDelayMs(attempt, this.random);
        this.logger.debug({ err: error, attempt, delayMs, mode }, 'store call retrying');
        await sleep(delayMs, this.timers, options.signal);
      }
    }
  }

  private unary<T>(
    mode: RetryMode,
    options: CallOptions,
    call: (endpoint: Endpoint, metadata: Metadata, deadline: number)
      => Promise<T>,
  ): Promise<T> {
    const deadlineMs = options.deadlineMs ?? this.options.deadlineMs ??
      STORE_CLIENT_LIMITS.unaryDeadlineMs;
    return this.attempt(mode, options, (endpoint) =>
      call(endpoint, this.metadata(), Date.now() + deadlineMs));
  }

  private stream<T>(
    options: CallOptions,
    open: (endpoint: Endpoint, metadata: Metadata) =>
      ClientReadableStream<T>,
  ): Promise<T[]> {
    return this.attempt('read', options, (endpoint) => {
      const stream = open(endpoint, this.metadata());
      const onAbort = (): void => stream.cancel();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      return collectStream(stream).finally(() =>
        options.signal?.removeEventListener('abort', onAbort));
    });
  }
}

/**
 * connectStore returns a {@link StoreClient} for the given members. It connects lazily: the
 * first call opens a connection to the first endpoint.
 */
export function connectStore(options: ConnectStoreOptions): StoreClient {
  return new StoreClient(options);
}
