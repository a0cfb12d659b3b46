/**
 * The codec between the raft core's Message (`@shoal/raft` types) and the generated
 * `shoal.v1` wire messages (`@shoal/proto`). Enum numbers are identical on both sides (both
 * follow etcd-raft), so types map by value; byte fields are shared, never copied.
 * Local-only message types never cross the network, and the codec asserts so.
 */
import { assert } from '@shoal/assert';
import {
  EntryType as WireEntryType,
  MessageType as WireMessageType,
  type ConfState as WireConfState,
  type Entry as WireEntry,
  type Message as WireMessage,
  type Snapshot as WireSnapshot,
} from '@shoal/proto';
import {
  EntryType,
  MessageType,
  type ConfState,
  type Entry,
  type Message,
  type Snapshot,
} from '@shoal/raft';

const NETWORK_TYPES: ReadonlySet<MessageType> = new Set([
  MessageType.MsgProp,
  MessageType.MsgApp,
  MessageType.MsgAppResp,
  MessageType.MsgVote,
  MessageType.MsgVoteResp,
  MessageType.MsgSnap,
  MessageType.MsgHeartbeat,
  MessageType.MsgHeartbeatResp,
  MessageType.MsgTransferLeader,
  MessageType.MsgTimeoutNow,
  MessageType.MsgReadIndex,
  MessageType.MsgReadIndexResp,
  MessageType.MsgPreVote,
  MessageType.MsgPreVoteResp,
]);

/** isNetworkType reports whether messages of type `t` may cross the network. */
export function isNetworkType(t: number): t is MessageType {
  return NETWORK_TYPES.has(t as MessageType);
}

/** asBuffer views `bytes` as a Buffer without copying. */
export function asBuffer(bytes: Uint8Array): Buffer {
  if (Buffer.isBuffer(bytes)) return bytes;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * toWire converts a core message for the network. `withSnapshotData: false` leaves a
 * MsgSnap's data out (it travels in SendSnapshot chunks). A local type is a programmer error.
 */
export function toWire(m: Message, withSnapshotData = true): WireMessage {
  assert(isNetworkType(m.type), `message type ${m.type} never crosses the network`);
  const wire: WireMessage = {
    type: m.type as number as WireMessageType,
    to: m.to,
    from: m.from,
    term: m.term,
    logTerm: m.logTerm,
    index: m.index,
    entries: m.entries.map(entryToWire),
    commit: m.commit,
    reject: m.reject,
    rejectHint: m.rejectHint,
    context: asBuffer(m.context),
  };
  if (m.snapshot !== undefined) wire.snapshot = snapshotToWire(m.snapshot, withSnapshotData);
  return wire;
}

/**
 * fromWire converts a received wire message, or returns undefined for a type that must not
 * arrive from the network (an unknown or local type from a newer or broken peer).
 */
export function fromWire(w: WireMessage): Message | undefined {
  if (!isNetworkType(w.type)) return undefined;
  if (!w.entries.every((e) => isEntryType(e.type))) return undefined;
  const m: Message = {
    type: w.type,
    to: w.to,
    from: w.from,
    term: w.term,
    logTerm: w.logTerm,
    index: w.index,
    entries: w.entries.map(entryFromWire),
    commit: w.commit,
    reject: w.reject,
    rejectHint: w.rejectHint,
    context: w.context,
  };
  if (w.snapshot !== undefined) m.snapshot = snapshotFromWire(w.snapshot);
  return m;
}

function entryToWire(e: Entry): WireEntry {
  const type = e.type as number as WireEntryType;
  return { term: e.term, index: e.index, type, data: asBuffer(e.data) };
}

function isEntryType(t: number): boolean {
  return t === EntryType.Normal || t === EntryType.ConfChange || t === EntryType.ConfChangeV2;
}

function entryFromWire(e: WireEntry): Entry {
  return { term: e.term, index: e.index, type: e.type as number as EntryType, data: e.data };
}

function snapshotToWire(s: Snapshot, withData: boolean): WireSnapshot {
  const { index, term, confState } = s.metadata;
  return {
    data: withData ? asBuffer(s.data) : Buffer.alloc(0),
    metadata: { index, term, confState: confStateToWire(confState) },
  };
}

/** snapshotFromWire converts a wire snapshot; a missing metadata reads as index 0. */
export function snapshotFromWire(s: WireSnapshot): Snapshot {
  const md = s.metadata;
  return {
    data: s.data,
    metadata: {
      index: md?.index ?? 0,
      term: md?.term ?? 0,
      confState: confStateFromWire(md?.confState),
    },
  };
}

function confStateToWire(cs: ConfState): WireConfState {
  return {
    voters: [...cs.voters],
    learners: [...cs.learners],
    votersOutgoing: [...cs.votersOutgoing],
    learnersNext: [...cs.learnersNext],
    autoLeave: cs.autoLeave,
  };
}

function confStateFromWire(cs: WireConfState | undefined): ConfState {
  return {
    voters: [...(cs?.voters ?? [])],
    learners: [...(cs?.learners ?? [])],
    votersOutgoing: [...(cs?.votersOutgoing ?? [])],
    learnersNext: [...(cs?.learnersNext ?? [])],
    autoLeave: cs?.autoLeave ?? false,
  };
}
