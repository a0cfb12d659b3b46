// The Store service (store_service.proto): reads, transactions and watches over the ports.
import { Metadata, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import type { Clock, Timers } from '@shoal/clock';
import { isShoalError, ShoalError } from '@shoal/errors';
import { wrapUnary } from '@shoal/grpc';
import type { Logger } from '@shoal/logging';
import {
  ownerName,
  StoredObject,
  type FindRequest,
  type FindResponse,
  type GetRequest,
  type GetResponse,
  type ListRequest,
  type ListResponse,
  type TransactionRequest,
  type TransactionResponse,
  type WatchRequest,
  type WatchResponse,
} from '@shoal/proto';
import type { StoreServer } from '@shoal/proto-grpc';
import { fromProtoChange, type Caller, type Transaction } from '@shoal/store';
import { LEADER_HINT_HEADER } from '@shoal/store-client';
import { failureError, kindOf, versionOf, wrapObject } from './conversions';
import {
  callerIdentity,
  OWNER_OF_ROLE,
  READ_ROLES,
  requireRole,
  type CallerIdentity,
  type IdentityOptions,
} from './identity';
import { STORE_SERVER_LIMITS } from '@shoal/limits';
import type { StoreServerPorts } from './ports';
import { chunkBy, endWithError, serveStream, writeMessage } from './stream-writer';
import { WatchStream } from './watch-stream';

/** ServiceContext is what every service of the store needs besides its ports. */
export interface ServiceContext extends IdentityOptions {
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger: Logger;
  /** Events a watcher buffers before it is closed (default WATCH_LIMITS). */
  readonly watchBufferEvents?: number | undefined;
  /** Called whenever this replica applied a local write (schedules a metrics refresh). */
  readonly onWrite?: () => void;
}

/** CallLike is the part of a grpc-js call identity and deadlines are read from. */
type CallLike = ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>;

/** forwardDeadlineMs is a call's deadline in ms since the epoch, capped for forwarding. */
export function forwardDeadlineMs(call: CallLike, nowMs: number): number {
  const cap = nowMs + STORE_SERVER_LIMITS.forwardDeadlineMaxMs;
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(at) ? Math.min(at, cap) : cap;
}

/**
 * writerOf checks TransactionRequest.writer against the authenticated caller: the writer must
 * be the Owner the caller's role writes as (identity.ts OWNER_OF_ROLE), else PERMISSION_DENIED
 * naming the field `writer`.
 */
export function writerOf(request: TransactionRequest, caller: CallerIdentity): Caller {
  const allowed = OWNER_OF_ROLE[caller.role];
  const writer = ownerName(request.writer);
  if (allowed === undefined) {
    throw new ShoalError('PERMISSION_DENIED', `role ${caller.role} may not write to the store`,
      { field: 'writer', caller: caller.role });
  }
  if (writer !== allowed) {
    const message = `field writer: role ${caller.role} writes as ${allowed}, not ` +
      `${writer ?? 'an unknown owner'}`;
    throw new ShoalError('PERMISSION_DENIED', message, { field: 'writer', caller: caller.role });
  }
  return writer;
}

/**
 * forwardTarget returns the leader's address for a write this follower forwards, or throws
 * NOT_LEADER (with the leader's address as hint when known) when it will not forward: no
 * forwarder, no known leader, or the request was already forwarded once (no second hop).
 */
export function forwardTarget(ports: StoreServerPorts, caller: CallerIdentity): string {
  const { leaderAddress } = ports.leader();
  if (ports.forwarder === undefined || leaderAddress === undefined ||
    caller.forwardedBy !== undefined) {
    throw ShoalError.notLeader(leaderAddress);
  }
  return leaderAddress;
}

/**
 * leaderHintMetadata is the response metadata of a forwarded write: the leader's address
 * (LEADER_HINT_HEADER), so the client sends its next calls there directly.
 */
export function leaderHintMetadata(leaderAddress: string): Metadata {
  const metadata = new Metadata();
  metadata.set(LEADER_HINT_HEADER, leaderAddress);
  return metadata;
}

/**
 * proposerError maps a Proposer rejection: NOT_LEADER proves nothing about the entry unless
 * its details say `notSent: "true"`, so it becomes UNAVAILABLE "outcome unknown" (clients do
 * not retry it blindly); everything else passes through.
 */
export function proposerError(err: unknown): unknown {
  if (!isShoalError(err, 'NOT_LEADER') || err.details?.['notSent'] === 'true') return err;
  return new ShoalError('UNAVAILABLE',
    'leadership was lost while the write was proposed; its outcome is unknown',
    { outcome: 'unknown' }, { cause: err });
}

/**
 * StoreService implements the Store RPCs. Reads are linearizable (readBarrier) unless
 * `read.stale`; List and Find stream chunks under STORE_SERVER_LIMITS at one version; writes
 * are pre-checked and proposed on the leader and forwarded (or refused NOT_LEADER) elsewhere.
 */
export class StoreService {
  private readonly watches = new Set<WatchStream>();

  /** The constructor binds the ports and the service context. */
  constructor(
    private readonly ports: StoreServerPorts,
    private readonly context: ServiceContext,
  ) {}

  /** watchCount is the number of open Watch streams. */
  get watchCount(): number {
    return this.watches.size;
  }

  /** handlers returns the grpc-js implementation of StoreService. */
  handlers(): StoreServer {
    const options = { logger: this.context.logger };
    return {
      get: wrapUnary((request: GetRequest, call) => this.get(request, call), options),
      list: (call) => serveStream(call, this.context.logger, () => this.list(call)),
      find: (call) => serveStream(call, this.context.logger, () => this.find(call)),
      transaction: wrapUnary(
        (request: TransactionRequest, call) => this.transaction(request, call), options),
      watch: (call) => this.watch(call),
    };
  }

  /** close ends every open watch UNAVAILABLE (shutdown), so clients resume elsewhere. */
  close(): void {
    for (const watch of [...this.watches]) {
      watch.close(ShoalError.unavailable('the store server is shutting down'));
    }
  }

  private authenticate(call: CallLike): CallerIdentity {
    const caller = callerIdentity(call, this.context);
    requireRole(caller, READ_ROLES, 'read the store');
    return caller;
  }

  private async barrier(read: { stale: boolean } | undefined): Promise<void> {
    if (read?.stale !== true) await this.ports.readBarrier();
  }

  private async get(request: GetRequest, call: CallLike): Promise<GetResponse> {
    this.authenticate(call);
    const kind = kindOf(request.kind);
    if (request.id === '') throw ShoalError.invalidArgument('field id is empty', { field: 'id' });
    await this.barrier(request.read);
    const object = this.ports.store.get(kind, request.id);
    if (object === undefined) throw ShoalError.notFound(kind, request.id);
    return { object: wrapObject({ kind, object } as never), version: versionOf(this.ports.store.version()) };
  }

  private async list(call: ServerWritableStream<ListRequest, ListResponse>): Promise<void> {
    this.authenticate(call);
    const kinds = call.request.kinds.map((k, i) => kindOf(k, `kinds[${i}]`));
    await this.barrier(call.request.read);
    const { objects, version } = this.ports.store.list(kinds);
    await this.streamObjects(call, objects.map(wrapObject), version);
  }

  private async find(call: ServerWritableStream<FindRequest, FindResponse>): Promise<void> {
    this.authenticate(call);
    const kind = kindOf(call.request.kind);
    await this.barrier(call.request.read);
    const version = this.ports.store.version();
    const found = this.ports.store.find(kind, call.request.selectors);
    await this.streamObjects(call, found.map((object) => wrapObject({ kind, object } as never)),
      version);
  }

  private async streamObjects<Req>(
    call: ServerWritableStream<Req, ListResponse | FindResponse>,
    objects: StoredObject[],
    version: number,
  ): Promise<void> {
    const sizeOf = (o: StoredObject): number => StoredObject.encode(o).finish().length;
    const { listChunkBytes, listChunkObjects } = STORE_SERVER_LIMITS;
    for (const chunk of chunkBy(objects, sizeOf, listChunkBytes, listChunkObjects)) {
      await writeMessage(call, { objects: chunk, version: versionOf(version) });
    }
  }

  private async transaction(
    request: TransactionRequest,
    call: CallLike,
  ): Promise<TransactionResponse> {
    const caller = callerIdentity(call, this.context);
    const writer = writerOf(request, caller);
    if (!this.ports.leader().isLeader) {
      const leaderAddress = forwardTarget(this.ports, caller);
      const deadlineMs = forwardDeadlineMs(call, this.context.clock.now());
      const forwarder = this.ports.forwarder;
      if (forwarder === undefined) throw ShoalError.notLeader(leaderAddress);
      call.sendMetadata(leaderHintMetadata(leaderAddress));
      return forwarder.transaction(request, { leaderAddress, caller, deadlineMs });
    }
    const transaction: Transaction = { changes: request.changes.map(fromProtoChange) };
    const nowMs = this.context.clock.now();
    const failure = this.ports.store.validate(transaction, writer, new Date(nowMs));
    if (failure !== undefined) throw failureError(failure);
    const guardError = request.guard === undefined ? undefined
      : this.ports.leases.checkGuard(request.guard, nowMs);
    if (guardError !== undefined) throw guardError;
    let result;
    try {
      result = await this.ports.proposer.propose({ caller: writer, transaction, guard: request.guard });
    } catch (err) {
      throw proposerError(err);
    }
    this.context.onWrite?.();
    if (!result.ok) throw failureError(result);
    const { version, events } = result.committed;
    return { version: versionOf(version), objects: events.map(wrapObject) };
  }

  private watch(call: ServerWritableStream<WatchRequest, WatchResponse>): void {
    try {
      this.authenticate(call);
      const stream = new WatchStream(call, this.ports.store, {
        timers: this.context.timers,
        logger: this.context.logger,
        bufferEvents: this.context.watchBufferEvents,
        onEnd: () => this.watches.delete(stream),
      });
      this.watches.add(stream);
    } catch (err) {
      endWithError(call, err, this.context.logger);
    }
  }
}
