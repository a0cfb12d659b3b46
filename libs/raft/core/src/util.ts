/**
 * Small helpers shared by every part of the raft core: message construction, entry sizes,
 * and the emptiness tests for HardState and Snapshot.
 */
import { assert } from '@shoal/assert';
import { ConfState, Entry, HardState, Message, MessageType, Snapshot } from './types';

/** NONE is the placeholder node id: "no leader", "no vote", "no transferee". */
export const NONE = 0;

/** EMPTY_BYTES is the shared zero-length payload; callers never mutate it. */
export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

/**
 * ENTRY_OVERHEAD_BYTES is the size charged for an entry's header (term, index, type) on top
 * of its payload when limiting messages and Readys by bytes. It keeps empty entries from
 * being free, so a byte limit always bounds the entry count too.
 */
export const ENTRY_OVERHEAD_BYTES = 16;

/** NO_LIMIT disables a byte limit (MaxSizePerMsg, MaxCommittedSizePerReady). */
export const NO_LIMIT = Number.MAX_SAFE_INTEGER;

/** MessageInit is a partial Message: `type` is required, every other field defaults to zero. */
export type MessageInit = Partial<Message> & { type: MessageType };

/** makeMessage fills the unset fields of `init` with their zero values. */
export function makeMessage(init: MessageInit): Message {
  const m: Message = {
    type: init.type,
    to: init.to ?? 0,
    from: init.from ?? 0,
    term: init.term ?? 0,
    logTerm: init.logTerm ?? 0,
    index: init.index ?? 0,
    entries: init.entries ?? [],
    commit: init.commit ?? 0,
    reject: init.reject ?? false,
    rejectHint: init.rejectHint ?? 0,
    context: init.context ?? EMPTY_BYTES,
  };
  if (init.snapshot !== undefined) m.snapshot = init.snapshot;
  return m;
}

/** entrySizeBytes is the size an entry is charged in message and Ready byte limits. */
export function entrySizeBytes(e: Entry): number {
  return e.data.byteLength + ENTRY_OVERHEAD_BYTES;
}

/** entriesSizeBytes sums {@link entrySizeBytes} over `ents`. */
export function entriesSizeBytes(ents: readonly Entry[]): number {
  let total = 0;
  for (const e of ents) total += entrySizeBytes(e);
  return total;
}

/**
 * payloadsSizeBytes sums the payload (data) sizes of `ents`; this is what the uncommitted-log
 * quota counts, so that empty entries (leader no-ops, leave-joint) are never refused.
 */
export function payloadsSizeBytes(ents: readonly Entry[]): number {
  let total = 0;
  for (const e of ents) total += e.data.byteLength;
  return total;
}

/**
 * limitSize returns the longest prefix of `ents` whose total size is at most `maxSizeBytes`,
 * but never fewer than one entry when `ents` is non-empty. It returns `ents` itself when
 * nothing is cut.
 */
export function limitSize(ents: Entry[], maxSizeBytes: number): Entry[] {
  if (ents.length === 0) return ents;
  let size = entrySizeBytes(ents[0] as Entry);
  let limit = 1;
  for (; limit < ents.length; limit++) {
    size += entrySizeBytes(ents[limit] as Entry);
    if (size > maxSizeBytes) break;
  }
  return limit === ents.length ? ents : ents.slice(0, limit);
}

/** emptyHardState returns the zero HardState a fresh node starts from. */
export function emptyHardState(): HardState {
  return { term: 0, vote: 0, commit: 0 };
}

/** isEmptyHardState reports whether `hs` equals the zero HardState. */
export function isEmptyHardState(hs: HardState): boolean {
  return hs.term === 0 && hs.vote === 0 && hs.commit === 0;
}

/** hardStateEqual compares two HardStates field by field. */
export function hardStateEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

/** emptyConfState returns a ConfState with no members. */
export function emptyConfState(): ConfState {
  return { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
}

/** emptySnapshot returns the zero Snapshot (index 0, term 0, no members, no data). */
export function emptySnapshot(): Snapshot {
  return { metadata: { index: 0, term: 0, confState: emptyConfState() }, data: EMPTY_BYTES };
}

/** isEmptySnapshot reports whether `s` is absent or covers no entry (index 0). */
export function isEmptySnapshot(s: Snapshot | undefined): boolean {
  return s === undefined || s.metadata.index === 0;
}

/** isLocalMessage reports whether messages of type `t` never leave the node. */
export function isLocalMessage(t: MessageType): boolean {
  return (
    t === MessageType.MsgHup ||
    t === MessageType.MsgBeat ||
    t === MessageType.MsgUnreachable ||
    t === MessageType.MsgSnapStatus ||
    t === MessageType.MsgCheckQuorum ||
    t === MessageType.MsgForgetLeader
  );
}

/** isResponseMessage reports whether `t` answers an earlier request. */
export function isResponseMessage(t: MessageType): boolean {
  return (
    t === MessageType.MsgAppResp ||
    t === MessageType.MsgVoteResp ||
    t === MessageType.MsgHeartbeatResp ||
    t === MessageType.MsgUnreachable ||
    t === MessageType.MsgPreVoteResp
  );
}

/** voteResponseType maps MsgVote to MsgVoteResp and MsgPreVote to MsgPreVoteResp. */
export function voteResponseType(t: MessageType): MessageType {
  if (t === MessageType.MsgVote) return MessageType.MsgVoteResp;
  assert(t === MessageType.MsgPreVote, `not a vote request: ${MessageType[t]}`);
  return MessageType.MsgPreVoteResp;
}

/** bytesEqual compares two byte arrays by content. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** sortedIds returns the members of `ids` in ascending order (iteration order is a set's). */
export function sortedIds(ids: Iterable<number>): number[] {
  return [...ids].sort((a, b) => a - b);
}
