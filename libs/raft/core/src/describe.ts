/**
 * Human-readable renderings of entries, messages and Readys, shared by log lines, test
 * failures and the datadriven interaction outputs. The format follows etcd-raft's
 * DescribeMessage/DescribeReady so traces read alike.
 */
import { assertNever } from '@shoal/assert';
import { Entry, EntryType, HardState, Message, MessageType, Snapshot } from './types';
import { decodeConfChange, describeConfChange } from './conf-change';
import { Ready } from './raw-node';

/** EntryFormatter renders an entry's data; the default shows normal payloads as text. */
export type EntryFormatter = (data: Uint8Array) => string;

const TEXT = new TextDecoder();

/** defaultFormatter quotes the payload as UTF-8 text. */
export function defaultFormatter(data: Uint8Array): string {
  return JSON.stringify(TEXT.decode(data));
}

/** describeEntry renders "term/index EntryType data". */
export function describeEntry(e: Entry, f: EntryFormatter = defaultFormatter): string {
  let body: string;
  switch (e.type) {
    case EntryType.Normal:
      body = ` ${f(e.data)}`;
      break;
    case EntryType.ConfChange:
    case EntryType.ConfChangeV2:
      body = ` ${describeConfChange(decodeConfChange(e.data))}`;
      break;
    default:
      return assertNever(e.type, 'entry type');
  }
  return `${e.term}/${e.index} Entry${EntryType[e.type]}${body}`;
}

/** describeEntries renders one entry per line. */
export function describeEntries(
  ents: readonly Entry[],
  f: EntryFormatter = defaultFormatter,
): string {
  return ents.map((e) => describeEntry(e, f)).join('\n');
}

/** describeHardState renders "Term:1 Vote:2 Commit:3". */
export function describeHardState(hs: HardState): string {
  return `Term:${hs.term} Vote:${hs.vote} Commit:${hs.commit}`;
}

/** describeSnapshot renders a snapshot's metadata. */
export function describeSnapshot(s: Snapshot): string {
  const cs = s.metadata.confState;
  let c = `Voters:[${cs.voters.join(' ')}]`;
  if (cs.votersOutgoing.length > 0) c += ` VotersOutgoing:[${cs.votersOutgoing.join(' ')}]`;
  if (cs.learners.length > 0) c += ` Learners:[${cs.learners.join(' ')}]`;
  if (cs.learnersNext.length > 0) c += ` LearnersNext:[${cs.learnersNext.join(' ')}]`;
  if (cs.autoLeave) c += ' AutoLeave:true';
  return `Index:${s.metadata.index} Term:${s.metadata.term} ConfState:${c}`;
}

/** describeMessage renders "1->2 MsgApp Term:1 Log:1/2 Commit:3 Entries:[...]" and so on. */
export function describeMessage(m: Message, f: EntryFormatter = defaultFormatter): string {
  let s = `${m.from}->${m.to} ${MessageType[m.type]} Term:${m.term} Log:${m.logTerm}/${m.index}`;
  if (m.reject) s += ` Rejected (Hint: ${m.rejectHint})`;
  if (m.commit !== 0) s += ` Commit:${m.commit}`;
  if (m.entries.length > 0) {
    s += ` Entries:[${m.entries.map((e) => describeEntry(e, f)).join(', ')}]`;
  }
  if (m.snapshot !== undefined) s += ` Snapshot: ${describeSnapshot(m.snapshot)}`;
  return s;
}

/** describeReady renders every non-empty part of a Ready, one per paragraph. */
export function describeReady(rd: Ready, f: EntryFormatter = defaultFormatter): string {
  const lines: string[] = [];
  if (rd.softState !== undefined) {
    lines.push(`Lead:${rd.softState.lead} State:${rd.softState.raftState}`);
  }
  if (rd.hardState !== undefined) lines.push(`HardState ${describeHardState(rd.hardState)}`);
  if (rd.readStates.length > 0) {
    const reads = rd.readStates.map((r) => `${r.index}:${defaultFormatter(r.requestCtx)}`);
    lines.push(`ReadStates ${reads.join(' ')}`);
  }
  if (rd.entries.length > 0) lines.push(`Entries:\n${describeEntries(rd.entries, f)}`);
  if (rd.snapshot !== undefined) lines.push(`Snapshot ${describeSnapshot(rd.snapshot)}`);
  if (rd.committedEntries.length > 0) {
    lines.push(`CommittedEntries:\n${describeEntries(rd.committedEntries, f)}`);
  }
  if (rd.messages.length > 0) {
    lines.push(`Messages:\n${rd.messages.map((m) => describeMessage(m, f)).join('\n')}`);
  }
  if (lines.length === 0) return '<empty Ready>';
  return `Ready MustSync=${rd.mustSync}:\n${lines.join('\n')}`;
}
