// The Leases service (store_service.proto): leader election of the control loops, over the
// replicated LeaseTable. Campaign, KeepAlive and Resign are raft entries; Observe is local.
import type { ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import { ShoalError } from '@shoal/errors';
import { wrapUnary } from '@shoal/grpc';
import type {
  CampaignRequest,
  CampaignResponse,
  KeepAliveRequest,
  KeepAliveResponse,
  LeaseOperation,
  ObserveRequest,
  ObserveResponse,
  ResignRequest,
  ResignResponse,
} from '@shoal/proto';
import type { LeasesServer } from '@shoal/proto-grpc';
import { callerIdentity, LEASE_ROLES, requireRole, type CallerIdentity } from './identity';
import {
  leaseToProto,
  validateLeaseOperation,
  type LeaseRecord,
  type LeaseResult,
} from './lease-table';
import { STORE_SERVER_LIMITS } from '@shoal/limits';
import type { ForwardContext, StoreServerPorts } from './ports';
import { forwardDeadlineMs, forwardTarget, proposerError, type ServiceContext } from './store-service';
import { endWithError, isOpen } from './stream-writer';

type UnaryCall = ServerUnaryCall<unknown, unknown>;

/** granted unwraps a lease result: its lease and election, or throws its error. */
function granted(result: LeaseResult): { elected: boolean; lease: LeaseRecord | undefined } {
  if (!result.ok) throw result.error;
  return { elected: result.elected, lease: result.lease };
}

/**
 * LeasesService implements the Leases RPCs. Writes are lease entries proposed through the
 * LeaseProposer on the leader (forwarded, or refused NOT_LEADER, elsewhere); their outcome is
 * decided when the entry applies, from the leader clock it carries (see LeaseTable). Observe
 * sends the lease as this replica has applied it, then every change; while the client is slow
 * only the newest state waits (older ones are superseded, never queued without bound).
 */
export class LeasesService {
  private readonly observers = new Set<() => void>();

  /** The constructor binds the ports and the service context. */
  constructor(
    private readonly ports: StoreServerPorts,
    private readonly context: ServiceContext,
  ) {}

  /** handlers returns the grpc-js implementation of LeasesService. */
  handlers(): LeasesServer {
    const options = { logger: this.context.logger };
    return {
      campaign: wrapUnary((r: CampaignRequest, call) => this.campaign(r, call), options),
      keepAlive: wrapUnary((r: KeepAliveRequest, call) => this.keepAlive(r, call), options),
      resign: wrapUnary((r: ResignRequest, call) => this.resign(r, call), options),
      observe: (call) => this.observe(call),
    };
  }

  /** close ends every Observe stream UNAVAILABLE (shutdown). */
  close(): void {
    for (const stop of [...this.observers]) stop();
  }

  private authenticate(call: UnaryCall | ServerWritableStream<unknown, unknown>): CallerIdentity {
    const caller = callerIdentity(call, this.context);
    requireRole(caller, LEASE_ROLES, 'use leases');
    return caller;
  }

  /**
   * write validates and proposes a lease operation on the leader, or returns the forward
   * context for a follower (undefined on the leader).
   */
  private async write(operation: LeaseOperation, call: UnaryCall): Promise<
    { readonly result: LeaseResult } | { readonly forward: ForwardContext }
  > {
    const caller = this.authenticate(call);
    validateLeaseOperation(operation);
    if (!this.ports.leader().isLeader) {
      const leaderAddress = forwardTarget(this.ports, caller);
      const deadlineMs = forwardDeadlineMs(call, this.context.clock.now());
      return { forward: { leaderAddress, caller, deadlineMs } };
    }
    try {
      return { result: await this.ports.leaseProposer.proposeLease(operation) };
    } catch (err) {
      throw proposerError(err);
    }
  }

  private forwarder(): NonNullable<StoreServerPorts['forwarder']> {
    const forwarder = this.ports.forwarder;
    if (forwarder === undefined) throw ShoalError.notLeader(this.ports.leader().leaderAddress);
    return forwarder;
  }

  private async campaign(request: CampaignRequest, call: UnaryCall): Promise<CampaignResponse> {
    const outcome = await this.write({ operation: { $case: 'campaign', campaign: request } }, call);
    if ('forward' in outcome) return this.forwarder().campaign(request, outcome.forward);
    const { elected, lease } = granted(outcome.result);
    return { elected, lease: lease === undefined ? undefined : leaseToProto(lease) };
  }

  private async keepAlive(request: KeepAliveRequest, call: UnaryCall): Promise<KeepAliveResponse> {
    const op: LeaseOperation = { operation: { $case: 'keepAlive', keepAlive: request } };
    const outcome = await this.write(op, call);
    if ('forward' in outcome) return this.forwarder().keepAlive(request, outcome.forward);
    const { lease } = granted(outcome.result);
    return { lease: lease === undefined ? undefined : leaseToProto(lease) };
  }

  private async resign(request: ResignRequest, call: UnaryCall): Promise<ResignResponse> {
    const outcome = await this.write({ operation: { $case: 'resign', resign: request } }, call);
    if ('forward' in outcome) return this.forwarder().resign(request, outcome.forward);
    granted(outcome.result);
    return {};
  }

  private observe(call: ServerWritableStream<ObserveRequest, ObserveResponse>): void {
    try {
      this.authenticate(call);
      if (call.request.name === '') throw ShoalError.invalidArgument('field name is empty');
      if (this.ports.leases.listenerCount >= STORE_SERVER_LIMITS.leaseObserversMax) {
        const message = `${STORE_SERVER_LIMITS.leaseObserversMax} lease observers are open`;
        throw ShoalError.resourceExhausted(message, { limit: 'leaseObserversMax' });
      }
      this.startObserving(call);
    } catch (err) {
      endWithError(call, err, this.context.logger);
    }
  }

  private startObserving(call: ServerWritableStream<ObserveRequest, ObserveResponse>): void {
    const name = call.request.name;
    let pending: ObserveResponse | undefined;
    let paused = false;
    const send = (response: ObserveResponse): void => {
      if (!isOpen(call)) return;
      if (paused) pending = response;
      else if (!call.write(response)) paused = true;
    };
    const render = (lease: LeaseRecord | undefined): ObserveResponse =>
      ({ lease: lease === undefined ? undefined : leaseToProto(lease) });
    const unsubscribe = this.ports.leases.subscribe((changed, lease) => {
      if (changed === name) send(render(lease));
    });
    const stop = (): void => {
      unsubscribe();
      this.observers.delete(stop);
      endWithError(call, ShoalError.unavailable('the store server is shutting down'));
    };
    this.observers.add(stop);
    call.on('drain', () => {
      paused = false;
      const next = pending;
      pending = undefined;
      if (next !== undefined) send(next);
    });
    call.on('cancelled', () => {
      unsubscribe();
      this.observers.delete(stop);
    });
    const current = this.ports.leases.get(name);
    send(render(current === undefined || current.holder === '' ? undefined : current));
  }
}
