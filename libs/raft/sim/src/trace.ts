/**
 * Trace: what happened in a run, as compact numeric records. Every record feeds a rolling
 * hash (the determinism fingerprint: same seed, same hash), and the last few are kept in a
 * ring to explain a failure. Records are rendered to text only when asked.
 */
import { assert } from '@shoal/assert';
import { MessageType } from '@shoal/raft';

/** TraceKind names a trace record; the numbers feed the hash, so never renumber them. */
export enum TraceKind {
  Deliver = 1,
  Drop = 2,
  Tick = 3,
  Crash = 5,
  Restart = 6,
  Partition = 7,
  Heal = 8,
  Pause = 9,
  Propose = 10,
  Read = 11,
  Complete = 12,
  Timeout = 13,
  ConfChange = 14,
  Transfer = 15,
  Role = 17,
  Snapshot = 18,
  Phase = 19,
  Decommission = 20,
  ConfApplied = 21,
}

/** TraceRecord is one event: its virtual time, kind and up to four numeric fields. */
export interface TraceRecord {
  time: number;
  kind: TraceKind;
  a: number;
  b: number;
  c: number;
  d: number;
  note?: string;
}

const FNV_PRIME = 0x01000193;

/**
 * Trace accumulates records. Contract: `record` is cheap (no string building) unless a
 * `note` is passed; `hash()` depends on every record ever made, in order; `tail()` returns
 * at most `capacity` most recent records, oldest first.
 */
export class Trace {
  private readonly ring: TraceRecord[] = [];
  private next = 0;
  private count = 0;
  private h1 = 0x811c9dc5;
  private h2 = 0x1b873593;

  /** The constructor fixes how many records the ring keeps. */
  constructor(private readonly capacity: number) {
    assert(capacity > 0, 'trace keeps at least one record');
  }

  /** record appends one event. Fields default to 0. */
  record(time: number, kind: TraceKind, a = 0, b = 0, c = 0, d = 0, note?: string): void {
    this.mix(time);
    this.mix(kind);
    this.mix(a);
    this.mix(b);
    this.mix(c);
    this.mix(d);
    const rec: TraceRecord = { time, kind, a, b, c, d };
    if (note !== undefined) rec.note = note;
    if (this.ring.length < this.capacity) this.ring.push(rec);
    else this.ring[this.next] = rec;
    this.next = (this.next + 1) % this.capacity;
    this.count += 1;
  }

  /** recordCount is the number of records ever made. */
  get recordCount(): number {
    return this.count;
  }

  /** hash is a 64-bit fingerprint (hex) of every record so far. */
  hash(): string {
    const hex = (x: number): string => (x >>> 0).toString(16).padStart(8, '0');
    return `${hex(this.h1)}${hex(this.h2)}`;
  }

  /** tail returns the kept records, oldest first. */
  tail(): TraceRecord[] {
    if (this.ring.length < this.capacity) return [...this.ring];
    return [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }

  private mix(x: number): void {
    // Two independent lanes over the integer's low and high parts keep collisions rare.
    const low = x | 0;
    const high = Math.floor(x / 0x1_0000_0000) | 0;
    this.h1 = Math.imul(this.h1 ^ low, FNV_PRIME);
    this.h1 = Math.imul(this.h1 ^ high, FNV_PRIME);
    this.h2 = Math.imul(this.h2 ^ (low + 0x9e3779b9), 0x85ebca6b);
    this.h2 ^= this.h2 >>> 13;
  }
}

const ROLES = ['follower', 'candidate', 'leader', 'pre-candidate'];
const LOSSES = ['dropped', 'cut', 'undeliverable'];

/** describeFields renders a record's fields by kind (see the `trace.record` call sites). */
function describeFields(r: TraceRecord): string {
  const type = (t: number): string => MessageType[t] ?? `type${t}`;
  switch (r.kind) {
    case TraceKind.Deliver:
      return `${r.a}->${r.b} ${type(r.c)} term=${r.d}`;
    case TraceKind.Drop:
      return `${r.a}->${r.b} ${type(r.c)} ${LOSSES[r.d] ?? r.d}`;
    case TraceKind.Tick:
    case TraceKind.Decommission:
      return `node=${r.a}`;
    case TraceKind.Crash:
      return `node=${r.a} point=${r.b} unsynced-lost=${r.c} torn-kept=${r.d}`;
    case TraceKind.Restart:
      return `node=${r.a} incarnation=${r.b}`;
    case TraceKind.Role:
      return `node=${r.a} ${ROLES[r.b] ?? r.b} lead=${r.c} term=${r.d}`;
    case TraceKind.Propose:
    case TraceKind.Read:
    case TraceKind.Complete:
    case TraceKind.Timeout:
      return `client=${r.a} op=${r.b} node=${r.c} index=${r.d}`;
    case TraceKind.Partition:
      return `shape=${['split', 'isolate-leader', 'deaf-or-mute', 'random-links'][r.a]} ticks=${r.b}`;
    case TraceKind.Pause:
      return `node=${r.a} ticks=${r.b}`;
    case TraceKind.ConfChange:
      return `leader=${r.a} change=${r.b} node=${r.c} refused=${r.d}`;
    case TraceKind.ConfApplied:
      return `node=${r.a} index=${r.b} voters=${r.c} learners=${r.d}`;
    case TraceKind.Transfer:
      return `leader=${r.a} to=${r.b}`;
    case TraceKind.Snapshot:
      return `node=${r.a} index=${r.b} term=${r.c}`;
    default:
      return `${r.a} ${r.b} ${r.c} ${r.d}`;
  }
}

/** describeTraceRecord renders one record as a line: `t=<time> <Kind> <fields> [note]`. */
export function describeTraceRecord(r: TraceRecord): string {
  const note = r.note === undefined ? '' : ` ${r.note}`;
  return `t=${r.time} ${TraceKind[r.kind]} ${describeFields(r)}${note}`;
}
