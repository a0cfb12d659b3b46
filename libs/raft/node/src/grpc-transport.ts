/**
 * GrpcTransport is the production {@link Transport}: the `shoal.v1.Raft` peer service from
 * `@shoal/proto-grpc`. Outbound, one PeerSender per peer streams messages (bounded queue,
 * drop + reportUnreachable on overflow or error, reconnect with backoff) and sends snapshots
 * in chunks under the gRPC message cap. Inbound, it serves `Send` (message batches stepped
 * into raft), `SendSnapshot` (chunks reassembled, size and SHA-256 checked) and
 * `ResolveAddress`. Credentials are parameters: mTLS in production, insecure in tests.
 */
import { createHash } from 'node:crypto';
import {
  ChannelCredentials,
  ServerCredentials,
  status as GrpcStatus,
  type Server,
  type ServerReadableStream,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { assert, assertNever } from '@shoal/assert';
import type { Timers } from '@shoal/clock';
import { bindServer, createGrpcServer, shutdownServer } from '@shoal/grpc';
import { silentLogger, type Logger } from '@shoal/logging';
import type {
  SendRequest,
  SendResponse,
  SendSnapshotRequest,
  SendSnapshotResponse,
  SnapshotHeader,
} from '@shoal/proto';
import { RaftService, type RaftServer } from '@shoal/proto-grpc';
import { MessageType, SnapshotStatus, type Message } from '@shoal/raft';
import type { Random } from '@shoal/random';
import { RAFT_NODE_LIMITS } from '@shoal/limits';
import { fromWire } from './message-codec';
import { PeerSender } from './peer-sender';
import type { Transport, TransportHandler } from './transport';

/** Ms the server waits for peers' streams to end on stop before cancelling them. */
const SERVER_SHUTDOWN_GRACE_MS = 500;

/** GrpcTransportOptions configure a member's gRPC transport. */
export interface GrpcTransportOptions {
  /** This member's raft id; inbound messages to another id are ignored. */
  id: number;
  /** `host:port` to serve the Raft service on (port 0 picks one); omit to host it yourself. */
  listen?: string;
  /** Server credentials (default insecure: loopback tests only). */
  serverCredentials?: ServerCredentials;
  /** Channel credentials for peers (default insecure: loopback tests only). */
  channelCredentials?: ChannelCredentials;
  /** Known peers' addresses by raft id. */
  peers?: ReadonlyMap<number, string>;
  timers: Timers;
  random: Random;
  logger?: Logger;
}

/** GrpcTransport implements {@link Transport}; see the file comment. */
export class GrpcTransport implements Transport {
  private readonly senders = new Map<number, PeerSender>();
  private readonly addresses = new Map<number, string>();
  private readonly logger: Logger;
  private handler: TransportHandler | undefined;
  private server: Server | undefined;
  private boundPort: number | undefined;

  constructor(private readonly o: GrpcTransportOptions) {
    this.logger = o.logger ?? silentLogger();
    for (const [id, address] of o.peers ?? []) this.addresses.set(id, address);
  }

  /** port is the bound port once `start` resolved (with `listen`). */
  get port(): number {
    assert(this.boundPort !== undefined, 'the transport listens');
    return this.boundPort;
  }

  /** start serves the Raft service when `listen` is set, and begins delivering to `handler`. */
  async start(handler: TransportHandler): Promise<void> {
    assert(this.handler === undefined, 'a grpc transport is started once');
    this.handler = handler;
    if (this.o.listen === undefined) return;
    const server = createGrpcServer({ logger: this.logger });
    server.addService(RaftService, this.service());
    this.server = server;
    const credentials = this.o.serverCredentials ?? ServerCredentials.createInsecure();
    this.boundPort = await bindServer(server, this.o.listen, credentials);
  }

  /** addPeer records (or changes) the address of member `id`. */
  addPeer(id: number, address: string): void {
    const sender = this.senders.get(id);
    if (sender !== undefined && sender.address !== address) {
      sender.close();
      this.senders.delete(id);
    }
    this.addresses.set(id, address);
  }

  /** removePeer forgets member `id` and closes its channel. */
  removePeer(id: number): void {
    this.senders.get(id)?.close();
    this.senders.delete(id);
    this.addresses.delete(id);
  }

  /** send implements {@link Transport.send}: per-peer queues, flushed before it returns. */
  send(messages: readonly Message[]): void {
    const handler = this.handler;
    if (handler === undefined) return;
    const touched = new Set<PeerSender>();
    for (const m of messages) {
      const sender = this.sender(m.to, handler);
      if (sender === undefined) {
        handler.reportUnreachable(m.to);
        if (m.type === MessageType.MsgSnap) handler.reportSnapshot(m.to, SnapshotStatus.Failure);
        continue;
      }
      sender.enqueue(m);
      touched.add(sender);
    }
    for (const sender of touched) sender.flush();
  }

  /**
   * written resolves after the next check phase of the event loop: grpc-js hands a stream
   * write to HTTP/2 in microtasks, and node writes HTTP/2 frames to the socket from a native
   * immediate, which runs before the JS immediate that resolves this.
   */
  written(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  /** stop closes every peer channel and shuts the server down (briefly waiting for calls). */
  async stop(): Promise<void> {
    this.handler = undefined;
    for (const sender of this.senders.values()) sender.close();
    this.senders.clear();
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await shutdownServer(server, SERVER_SHUTDOWN_GRACE_MS);
  }

  /** service is the Raft service implementation, to host on a server of the caller's. */
  service(): RaftServer {
    return {
      send: (call, callback) => this.serveSend(call, callback),
      sendSnapshot: (call, callback) => this.serveSnapshot(call, callback),
      resolveAddress: (call, callback) => {
        const addr = this.addresses.get(call.request.raftId);
        if (addr === undefined) {
          const details = `member ${call.request.raftId} unknown`;
          callback({ code: GrpcStatus.NOT_FOUND, details });
        } else {
          callback(null, { addr });
        }
      },
    };
  }

  private sender(id: number, handler: TransportHandler): PeerSender | undefined {
    const existing = this.senders.get(id);
    if (existing !== undefined) return existing;
    const address = this.addresses.get(id);
    if (address === undefined) return undefined;
    const sender = new PeerSender({
      peerId: id,
      address,
      credentials: this.o.channelCredentials ?? ChannelCredentials.createInsecure(),
      handler,
      timers: this.o.timers,
      random: this.o.random,
      logger: this.logger,
    });
    this.senders.set(id, sender);
    return sender;
  }

  private serveSend(
    call: ServerReadableStream<SendRequest, SendResponse>,
    callback: sendUnaryData<SendResponse>,
  ): void {
    call.on('data', (request: SendRequest) => {
      const handler = this.handler;
      if (handler === undefined) return;
      for (const wire of request.messages) {
        const m = fromWire(wire);
        if (m === undefined || m.to !== this.o.id || m.type === MessageType.MsgSnap) continue;
        handler.receive(m);
      }
    });
    call.on('end', () => callback(null, {}));
    call.on('error', () => undefined);
  }

  private serveSnapshot(
    call: ServerReadableStream<SendSnapshotRequest, SendSnapshotResponse>,
    callback: sendUnaryData<SendSnapshotResponse>,
  ): void {
    const assembly = new SnapshotAssembly(this.o.id);
    call.on('data', (request: SendSnapshotRequest) => assembly.add(request));
    call.on('error', () => undefined);
    call.on('end', () => {
      const result = assembly.finish();
      const handler = this.handler;
      if (typeof result === 'string' || handler === undefined) {
        const reason = typeof result === 'string' ? result : 'transport stopped';
        this.logger.warn({ reason }, 'refused a raft snapshot');
        callback(null, { accepted: false, reason });
        return;
      }
      handler.receive(result);
      callback(null, { accepted: true, reason: '' });
    });
  }
}

/**
 * SnapshotAssembly rebuilds a MsgSnap from its SendSnapshot parts: one header, then chunks
 * in order without gaps, the total bounded by the header's size (at most
 * RAFT_NODE_LIMITS.snapshotBytesMax), checked against the header's SHA-256 at the end.
 */
export class SnapshotAssembly {
  private header: SnapshotHeader | undefined;
  private chunks: Buffer[] = [];
  private received = 0;
  private problem: string | undefined;

  constructor(private readonly selfId: number) {}

  /** add takes the next part; the first problem is remembered and later parts ignored. */
  add(request: SendSnapshotRequest): void {
    if (this.problem !== undefined) return;
    const part = request.part;
    if (part === undefined) return this.refuse('empty part');
    switch (part.$case) {
      case 'header':
        if (this.header !== undefined) return this.refuse('second header');
        if (part.header.sizeBytes > RAFT_NODE_LIMITS.snapshotBytesMax) {
          return this.refuse('too large');
        }
        this.header = part.header;
        return;
      case 'chunk': {
        if (this.header === undefined) return this.refuse('chunk before header');
        if (part.chunk.offset !== this.received) return this.refuse('chunks out of order');
        this.received += part.chunk.data.byteLength;
        if (this.received > this.header.sizeBytes) return this.refuse('more data than announced');
        this.chunks.push(part.chunk.data);
        return;
      }
      default:
        return assertNever(part, 'snapshot part');
    }
  }

  /** finish returns the MsgSnap with its data, or why the transfer is refused. */
  finish(): Message | string {
    if (this.problem !== undefined) return this.problem;
    const header = this.header;
    if (header === undefined || header.message === undefined) return 'no header';
    if (this.received !== header.sizeBytes) return 'less data than announced';
    const data = Buffer.concat(this.chunks, this.received);
    const digest = createHash('sha256').update(data).digest();
    if (!digest.equals(header.sha256)) return 'sha256 mismatch';
    const m = fromWire(header.message);
    if (m === undefined || m.type !== MessageType.MsgSnap || m.snapshot === undefined) {
      return 'header is not a MsgSnap';
    }
    if (m.to !== this.selfId) return `snapshot is for member ${m.to}`;
    m.snapshot = { ...m.snapshot, data };
    return m;
  }

  private refuse(problem: string): void {
    this.problem = problem;
  }
}
