// The client's connections: one set of stubs per store member, the member currently used,
// and the promise wrappers around grpc-js calls with deadlines and identity metadata.
import {
  credentials as grpcCredentials,
  Metadata,
  type CallOptions,
  type ChannelCredentials,
  type ChannelOptions,
  type ClientReadableStream,
  type ClientUnaryCall,
  type ServiceError,
} from '@grpc/grpc-js';
import { assert } from '@shoal/assert';
import { createClient } from '@shoal/grpc';
import { LeasesClient, MembersClient, StoreClient as StoreStub } from '@shoal/proto-grpc';
import { LEADER_HINT_HEADER, TEST_IDENTITY_HEADER, type IdentityRole } from './identity';

/**
 * StoreChannelSecurity is what @shoal/pki `channelCredentials` returns: mTLS credentials and
 * the channel options that verify the server's name.
 */
export interface StoreChannelSecurity {
  readonly credentials: ChannelCredentials;
  readonly options?: Partial<ChannelOptions>;
}

/** Endpoint is one store member's stubs, sharing the member's HTTP/2 connection. */
export interface Endpoint {
  readonly address: string;
  readonly store: StoreStub;
  readonly leases: LeasesClient;
  readonly members: MembersClient;
}

/** UnaryMethod is a generated unary stub method in its (request, metadata, options, cb) form. */
export type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

/**
 * callUnary calls a unary stub with `metadata` and an absolute `deadline` (ms since the
 * epoch) and resolves with the response or rejects with the raw ServiceError. An abort of
 * `signal` cancels the call (CANCELLED). `onMetadata` sees the response's initial metadata
 * (before the call settles).
 */
export function callUnary<Req, Res>(
  method: UnaryMethod<Req, Res>,
  request: Req,
  metadata: Metadata,
  deadline: number,
  signal?: AbortSignal,
  onMetadata?: (metadata: Metadata) => void,
): Promise<Res> {
  assert(Number.isFinite(deadline), 'every unary call has a deadline');
  return new Promise((resolve, reject) => {
    const call = method(request, metadata, { deadline }, (err, res) => {
      signal?.removeEventListener('abort', onAbort);
      if (err !== null) reject(err);
      else resolve(res);
    });
    if (onMetadata !== undefined) call.on('metadata', onMetadata);
    const onAbort = (): void => call.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** leaderHint is the LEADER_HINT_HEADER address in response metadata, if any. */
export function leaderHint(metadata: Metadata): string | undefined {
  const [hint] = metadata.get(LEADER_HINT_HEADER);
  return typeof hint === 'string' && hint !== '' ? hint : undefined;
}

/**
 * collectStream reads a finite server stream to its end: resolves with every message in
 * order, or rejects with the raw error (partial results are dropped).
 */
export function collectStream<Res>(stream: ClientReadableStream<Res>): Promise<Res[]> {
  return new Promise((resolve, reject) => {
    const messages: Res[] = [];
    stream.on('data', (m: Res) => messages.push(m));
    stream.on('error', reject);
    stream.on('end', () => resolve(messages));
  });
}

/**
 * Endpoints keeps one {@link Endpoint} per known member and which one is current. Members
 * learnt from NOT_LEADER hints are added. Invariant: `current` is a known address.
 */
export class Endpoints {
  private readonly addresses: string[];
  private readonly open = new Map<string, Endpoint>();
  private index = 0;

  /** The constructor takes the configured addresses (at least one) and the security. */
  constructor(
    addresses: readonly string[],
    private readonly security: StoreChannelSecurity | undefined,
  ) {
    assert(addresses.length > 0, 'a store client needs an endpoint');
    this.addresses = [...new Set(addresses)];
  }

  /** current returns the stubs of the member in use, connecting lazily. */
  current(): Endpoint {
    const address = this.addresses[this.index] as string;
    let endpoint = this.open.get(address);
    if (endpoint === undefined) {
      endpoint = this.connect(address);
      this.open.set(address, endpoint);
    }
    return endpoint;
  }

  /** redirect makes `address` current (a leader hint), adding it if unknown. */
  redirect(address: string): void {
    let at = this.addresses.indexOf(address);
    if (at === -1) at = this.addresses.push(address) - 1;
    this.index = at;
  }

  /** failover moves off `address` to the next member, if it is still the current one. */
  failover(address: string): void {
    if (this.addresses[this.index] === address) {
      this.index = (this.index + 1) % this.addresses.length;
    }
  }

  /** close closes every connection; the Endpoints must not be used afterwards. */
  close(): void {
    for (const endpoint of this.open.values()) {
      endpoint.store.close();
      endpoint.leases.close();
      endpoint.members.close();
    }
    this.open.clear();
  }

  private connect(address: string): Endpoint {
    const creds = this.security?.credentials ?? grpcCredentials.createInsecure();
    const opts = { options: this.security?.options };
    return {
      address,
      store: createClient(StoreStub, address, creds, opts),
      leases: createClient(LeasesClient, address, creds, opts),
      members: createClient(MembersClient, address, creds, opts),
    };
  }
}

/** identityMetadata is fresh call metadata carrying the test identity, if any. */
export function identityMetadata(identityForTests: IdentityRole | undefined): Metadata {
  const metadata = new Metadata();
  if (identityForTests !== undefined) metadata.set(TEST_IDENTITY_HEADER, identityForTests);
  return metadata;
}
