/**
 * PeerSender streams raft messages to one peer over the Raft service's `Send` client stream,
 * and snapshots over `SendSnapshot` in chunks. It never blocks the Ready loop: messages wait
 * in a bounded queue, and a full queue, a broken stream or a peer in backoff drops them and
 * reports the peer unreachable (raft then probes instead of streaming). A broken stream is
 * reopened after an exponential backoff with jitter. Every call carries a deadline.
 */
import { createHash } from 'node:crypto';
import {
  status as GrpcStatus,
  type ChannelCredentials,
  type ClientWritableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import { assert } from '@shoal/assert';
import type { TimerHandle, Timers } from '@shoal/clock';
import { createClient } from '@shoal/grpc';
import type { Logger } from '@shoal/logging';
import type { SendRequest, SendSnapshotRequest, SendSnapshotResponse } from '@shoal/proto';
import { RaftClient } from '@shoal/proto-grpc';
import { MessageType, SnapshotStatus, type Message } from '@shoal/raft';
import type { Random } from '@shoal/random';
import { RAFT_NODE_LIMITS } from '@shoal/limits';
import { asBuffer, toWire } from './message-codec';
import type { TransportHandler } from './transport';

/** PeerSenderOptions: who the peer is, how to reach it, and where to report outcomes. */
export interface PeerSenderOptions {
  peerId: number;
  address: string;
  credentials: ChannelCredentials;
  handler: TransportHandler;
  timers: Timers;
  random: Random;
  logger: Logger;
}

/**
 * PeerSender owns the channel to one peer. Invariant: `queue.length <=
 * RAFT_NODE_LIMITS.peerQueueMessagesMax`; at most one Send stream is open at a time.
 */
export class PeerSender {
  private readonly client: RaftClient;
  private stream: ClientWritableStream<SendRequest> | undefined;
  private streamOpenedMs = 0;
  private queue: Message[] = [];
  private waitingForDrain = false;
  private backoff: TimerHandle | undefined;
  private failures = 0;
  private snapshotsInFlight = 0;
  private closed = false;

  constructor(private readonly o: PeerSenderOptions) {
    this.client = createClient(RaftClient, o.address, o.credentials);
  }

  /** address is where this sender connects. */
  get address(): string {
    return this.o.address;
  }

  /** enqueue queues `m` (or starts a snapshot transfer for a MsgSnap); call `flush` after. */
  enqueue(m: Message): void {
    if (this.closed) return;
    if (m.type === MessageType.MsgSnap) {
      this.sendSnapshot(m);
      return;
    }
    if (this.backoff !== undefined || this.queue.length >= RAFT_NODE_LIMITS.peerQueueMessagesMax) {
      this.o.handler.reportUnreachable(this.o.peerId);
      return;
    }
    this.queue.push(m);
  }

  /** flush writes queued messages to the stream, in batches, until it pushes back. */
  flush(): void {
    while (!this.closed && !this.waitingForDrain && this.queue.length > 0) {
      if (this.backoff !== undefined) return this.dropQueued();
      const stream = this.currentStream();
      const batch = this.queue.splice(0, RAFT_NODE_LIMITS.messagesPerSendMax);
      const ok = stream.write({ messages: batch.map((m) => toWire(m)) });
      if (!ok) this.waitingForDrain = true;
    }
  }

  /** close ends the stream and the channel; queued messages are dropped silently. */
  close(): void {
    this.closed = true;
    this.queue = [];
    if (this.backoff !== undefined) this.o.timers.clearTimeout(this.backoff);
    this.backoff = undefined;
    this.stream?.end();
    this.stream = undefined;
    this.client.close();
  }

  /**
   * currentStream returns the open Send stream, opening one if needed. A stream older than
   * half its deadline is ended gracefully and replaced, so no message meets the deadline.
   */
  private currentStream(): ClientWritableStream<SendRequest> {
    const now = Date.now();
    const stale = now - this.streamOpenedMs > RAFT_NODE_LIMITS.streamDeadlineMs / 2;
    if (this.stream !== undefined && stale) {
      this.stream.end();
      this.stream = undefined;
    }
    if (this.stream !== undefined) return this.stream;
    const deadline = now + RAFT_NODE_LIMITS.streamDeadlineMs;
    const stream = this.client.send({ deadline }, (error: ServiceError | null) => {
      this.onStreamEnd(stream, error);
    });
    stream.on('drain', () => {
      this.waitingForDrain = false;
      this.flush();
    });
    stream.on('error', () => undefined);
    this.stream = stream;
    this.streamOpenedMs = now;
    this.waitingForDrain = false;
    return stream;
  }

  private onStreamEnd(stream: ClientWritableStream<SendRequest>, error: ServiceError | null): void {
    const openMs = Date.now() - this.streamOpenedMs;
    if (stream === this.stream) {
      this.stream = undefined;
      this.waitingForDrain = false;
    }
    if (this.closed) return;
    if (error === null || error.code === GrpcStatus.DEADLINE_EXCEEDED) {
      this.failures = 0;
      this.flush();
      return;
    }
    this.o.logger.debug(
      { raftPeer: this.o.peerId, code: error.code, details: error.details },
      'raft peer stream failed',
    );
    if (openMs > RAFT_NODE_LIMITS.reconnectBackoffMaxMs) this.failures = 0;
    this.o.handler.reportUnreachable(this.o.peerId);
    this.startBackoff();
    this.dropQueued();
  }

  private startBackoff(): void {
    if (this.backoff !== undefined) return;
    this.failures += 1;
    const base = RAFT_NODE_LIMITS.reconnectBackoffBaseMs * 2 ** Math.min(this.failures - 1, 16);
    const capped = Math.min(RAFT_NODE_LIMITS.reconnectBackoffMaxMs, base);
    const delay = capped / 2 + this.o.random.float() * (capped / 2);
    this.backoff = this.o.timers.setTimeout(() => {
      this.backoff = undefined;
    }, delay);
  }

  private dropQueued(): void {
    if (this.queue.length === 0) return;
    this.queue = [];
    this.o.handler.reportUnreachable(this.o.peerId);
  }

  /**
   * sendSnapshot streams a MsgSnap: a header with the message (data left out), its size and
   * SHA-256, then the data in RAFT_NODE_LIMITS.snapshotChunkBytes chunks. The outcome is
   * reported to raft when the peer answers (or the deadline passes).
   */
  private sendSnapshot(m: Message): void {
    const snapshot = m.snapshot;
    assert(snapshot !== undefined, 'a MsgSnap carries a snapshot');
    if (this.snapshotsInFlight >= 1) {
      // Raft sends one snapshot per peer at a time; a second one is stale.
      this.o.handler.reportSnapshot(this.o.peerId, SnapshotStatus.Failure);
      return;
    }
    this.snapshotsInFlight += 1;
    const data = snapshot.data;
    const deadline = Date.now() + RAFT_NODE_LIMITS.snapshotSendTimeoutMs;
    const call = this.client.sendSnapshot(
      { deadline },
      (error: ServiceError | null, response?: SendSnapshotResponse) => {
        this.snapshotsInFlight -= 1;
        const accepted = error === null && response?.accepted === true;
        if (!accepted) {
          const reason = error?.details ?? response?.reason;
          this.o.logger.warn({ raftPeer: this.o.peerId, reason }, 'raft snapshot send failed');
        }
        const outcome = accepted ? SnapshotStatus.Finish : SnapshotStatus.Failure;
        this.o.handler.reportSnapshot(this.o.peerId, outcome);
      },
    );
    call.on('error', () => undefined);
    for (const part of snapshotParts(m, data)) call.write(part);
    call.end();
  }
}

/** snapshotParts splits a MsgSnap into its SendSnapshot header and chunks. */
export function* snapshotParts(m: Message, data: Uint8Array): Generator<SendSnapshotRequest> {
  const sha256 = createHash('sha256').update(data).digest();
  const header = { message: toWire(m, false), sizeBytes: data.byteLength, sha256 };
  yield { part: { $case: 'header', header } };
  const step = RAFT_NODE_LIMITS.snapshotChunkBytes;
  for (let offset = 0; offset < data.byteLength; offset += step) {
    const chunk = { offset, data: asBuffer(data.subarray(offset, offset + step)) };
    yield { part: { $case: 'chunk', chunk } };
  }
}
