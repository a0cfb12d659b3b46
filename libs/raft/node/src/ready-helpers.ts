/**
 * Small pure helpers of the Ready loop: which leader messages go out before persistence, the
 * batched MsgProp, and the core's logger routed to the structured logger.
 */
import type { Logger } from '@shoal/logging';
import { EntryType, MessageType, type Message, type RaftLogger } from '@shoal/raft';

/** sendsBeforePersist: the leader's messages that may go out before its entries are durable. */
export function sendsBeforePersist(m: Message): boolean {
  return (
    m.type === MessageType.MsgApp ||
    m.type === MessageType.MsgHeartbeat ||
    m.type === MessageType.MsgSnap
  );
}

/** propMessage is a local MsgProp carrying a batch of proposals (one step, one broadcast). */
export function propMessage(from: number, batch: readonly { data: Uint8Array }[]): Message {
  return {
    type: MessageType.MsgProp,
    to: 0,
    from,
    term: 0,
    logTerm: 0,
    index: 0,
    entries: batch.map((p) => ({ term: 0, index: 0, type: EntryType.Normal, data: p.data })),
    commit: 0,
    reject: false,
    rejectHint: 0,
    context: new Uint8Array(0),
  };
}

/** raftLogger routes the core's diagnostics to the structured logger. */
export function raftLogger(logger: Logger): RaftLogger {
  return {
    debug: (message) => logger.debug(message),
    info: (message) => logger.info(message),
    warn: (message) => logger.warn(message),
    error: (message) => logger.error(message),
  };
}
