/**
 * The network port of the raft shell. A Transport moves raft messages between members; it
 * never blocks the Ready loop and never throws from `send`: delivery failures are reported
 * back so raft can slow down (reportUnreachable) or retry a snapshot (reportSnapshot).
 */
import type { Message, SnapshotStatus } from '@shoal/raft';

/**
 * TransportHandler is how a transport hands inbound traffic and delivery outcomes to the
 * node. Every method returns promptly and may be called at any time after `start`.
 */
export interface TransportHandler {
  /** receive steps a message from a peer into raft (addressed to this member). */
  receive(message: Message): void;
  /** reportUnreachable says a message to `peerId` could not be delivered (or was dropped). */
  reportUnreachable(peerId: number): void;
  /** reportSnapshot gives the outcome of sending a MsgSnap to `peerId`. */
  reportSnapshot(peerId: number, status: SnapshotStatus): void;
}

/**
 * Transport is the peer network of one member.
 *
 * Contract:
 * - `start` begins delivering inbound messages to `handler`; it is called once.
 * - `send` queues messages for delivery, in order per destination, and returns at once. It
 *   may drop messages (bounded queues, broken links): raft tolerates loss, and the transport
 *   then calls `reportUnreachable`. For every MsgSnap it must eventually call
 *   `reportSnapshot` (Finish once the peer accepted it, Failure otherwise).
 * - `written`, when offered, resolves once the messages handed to `send` so far have left
 *   for the network (a transport whose writes wait for the end of the event-loop turn).
 * - `stop` stops sending and receiving and releases resources; nothing is delivered after
 *   it resolves.
 */
export interface Transport {
  start(handler: TransportHandler): Promise<void>;
  send(messages: readonly Message[]): void;
  written?(): Promise<void>;
  stop(): Promise<void>;
}
