// Forwarding a follower's writes to the leader over gRPC, vouching for the original caller.
import { Metadata, type ChannelCredentials } from '@grpc/grpc-js';
import { ShoalError } from '@shoal/errors';
import { fromGrpcError } from '@shoal/grpc';
import {
  callUnary,
  Endpoints,
  FORWARDED_ID_HEADER,
  FORWARDED_ROLE_HEADER,
  NOT_SENT_DETAIL,
  provesNotApplied,
  TEST_IDENTITY_HEADER,
  type Endpoint,
  type StoreChannelSecurity,
  type UnaryMethod,
} from '@shoal/store-client';
import type { ForwardContext, LeaderForwarder } from './ports';

/** GrpcForwarderOptions configure {@link createLeaderForwarder}. */
export interface GrpcForwarderOptions {
  /**
   * This member's client credentials: mTLS with its own `store` certificate (pki
   * `channelCredentials(bundle, { serverName: 'store' })`). Unset = insecure (tests).
   */
  readonly credentials?: ChannelCredentials | StoreChannelSecurity;
  /** Tests only: authenticate to the leader with `x-shoal-test-identity: store`. */
  readonly testIdentity?: boolean;
}

/**
 * createLeaderForwarder returns a {@link LeaderForwarder} over gRPC: one connection per leader
 * address, each call carrying the caller in FORWARDED_ROLE_HEADER / FORWARDED_ID_HEADER and
 * the context's deadline. The leader's errors come back as its ShoalErrors; a failure before
 * the request left this member is re-marked `notSent` (so the client may retry it), and a
 * NOT_LEADER from a leader that just stepped down passes through (also retry-safe).
 */
export function createLeaderForwarder(options: GrpcForwarderOptions = {}): LeaderForwarder {
  const creds = options.credentials;
  const security = creds === undefined ? undefined
    : 'credentials' in creds ? creds : { credentials: creds };
  const leaders = new Map<string, Endpoints>();
  const endpoint = (address: string): Endpoint => {
    let endpoints = leaders.get(address);
    if (endpoints === undefined) {
      endpoints = new Endpoints([address], security);
      leaders.set(address, endpoints);
    }
    return endpoints.current();
  };
  const metadata = (context: ForwardContext): Metadata => {
    const md = new Metadata();
    if (options.testIdentity === true) md.set(TEST_IDENTITY_HEADER, 'store');
    md.set(FORWARDED_ROLE_HEADER, context.caller.role);
    md.set(FORWARDED_ID_HEADER, context.caller.id);
    return md;
  };
  async function forward<Req, Res>(
    pick: (e: Endpoint) => UnaryMethod<Req, Res>,
    request: Req,
    context: ForwardContext,
  ): Promise<Res> {
    try {
      const method = pick(endpoint(context.leaderAddress));
      return await callUnary(method, request, metadata(context), context.deadlineMs);
    } catch (raw) {
      const error = fromGrpcError(raw);
      if (error.code !== 'UNAVAILABLE' || !provesNotApplied(error)) throw error;
      throw new ShoalError('UNAVAILABLE', `the leader at ${context.leaderAddress} is unreachable`,
        { [NOT_SENT_DETAIL]: 'true', leader: context.leaderAddress }, { cause: error });
    }
  }
  return {
    transaction: (r, c) => forward((e) => e.store.transaction.bind(e.store), r, c),
    campaign: (r, c) => forward((e) => e.leases.campaign.bind(e.leases), r, c),
    keepAlive: (r, c) => forward((e) => e.leases.keepAlive.bind(e.leases), r, c),
    resign: (r, c) => forward((e) => e.leases.resign.bind(e.leases), r, c),
    close: () => {
      for (const endpoints of leaders.values()) endpoints.close();
      leaders.clear();
    },
  };
}
