/**
 * The proposal envelope: every non-empty normal entry (and every conf change context) this
 * shell proposes starts with a 16-byte header naming the request, so that the proposing node
 * finds its waiter when it applies the entry, whichever leader committed it.
 *
 * ```
 *  offset  size  field
 *   0      u8    magic        0xE1 (envelope version 1)
 *   1      3     reserved     0
 *   4      u32   incarnation  random per RaftNode instance (little-endian)
 *   8      u64   sequence     per-incarnation counter, < 2^53 (little-endian)
 *  16      ...   payload      the caller's bytes
 * ```
 *
 * The random incarnation keeps ids of an earlier run of the same node (still in the log)
 * from matching the waiters of a later run.
 */
import { assert } from '@shoal/assert';

/** ENVELOPE_HEADER_BYTES is the size of the request header in front of every payload. */
export const ENVELOPE_HEADER_BYTES = 16;

const MAGIC = 0xe1;
const TWO_POW_32 = 0x1_0000_0000;

/** RequestId names one proposal: the proposing incarnation and its sequence number. */
export interface RequestId {
  incarnation: number;
  sequence: number;
}

/** Unwrapped is a decoded envelope: the request it belongs to and the caller's payload. */
export interface Unwrapped {
  id: RequestId;
  payload: Uint8Array;
}

/**
 * wrap returns `payload` behind a header for `id`, in a new buffer.
 * Contract: incarnation is a u32 and sequence a safe non-negative integer.
 */
export function wrap(id: RequestId, payload: Uint8Array): Uint8Array {
  assert(id.incarnation >>> 0 === id.incarnation, 'incarnation is a u32');
  assert(Number.isSafeInteger(id.sequence) && id.sequence >= 0, 'sequence is a safe integer');
  const out = new Uint8Array(ENVELOPE_HEADER_BYTES + payload.byteLength);
  const view = new DataView(out.buffer);
  out[0] = MAGIC;
  view.setUint32(4, id.incarnation, true);
  view.setUint32(8, id.sequence % TWO_POW_32, true);
  view.setUint32(12, Math.floor(id.sequence / TWO_POW_32), true);
  out.set(payload, ENVELOPE_HEADER_BYTES);
  return out;
}

/**
 * unwrap decodes an envelope without copying the payload (it is a view of `data`). Data that
 * is not an envelope is a programmer error: only this shell proposes entries.
 */
export function unwrap(data: Uint8Array): Unwrapped {
  assert(data.byteLength >= ENVELOPE_HEADER_BYTES, 'entry data holds an envelope header');
  assert(data[0] === MAGIC, 'entry data starts with the envelope magic');
  const view = new DataView(data.buffer, data.byteOffset, ENVELOPE_HEADER_BYTES);
  const incarnation = view.getUint32(4, true);
  const sequence = view.getUint32(8, true) + view.getUint32(12, true) * TWO_POW_32;
  assert(Number.isSafeInteger(sequence), 'sequence is a safe integer');
  return { id: { incarnation, sequence }, payload: data.subarray(ENVELOPE_HEADER_BYTES) };
}

/** isEnvelope reports whether `data` starts with an envelope header (conf change contexts). */
export function isEnvelope(data: Uint8Array): boolean {
  return data.byteLength >= ENVELOPE_HEADER_BYTES && data[0] === MAGIC;
}

/**
 * RequestIds hands out request ids for one RaftNode instance: a fixed random incarnation and
 * an increasing sequence starting at 1.
 */
export class RequestIds {
  private next = 1;

  constructor(readonly incarnation: number) {
    assert(incarnation >>> 0 === incarnation, 'incarnation is a u32');
  }

  /** nextId returns a fresh id; ids never repeat within this incarnation. */
  nextId(): RequestId {
    const sequence = this.next;
    this.next += 1;
    return { incarnation: this.incarnation, sequence };
  }

  /** owns reports whether `id` was handed out by this instance. */
  owns(id: RequestId): boolean {
    return id.incarnation === this.incarnation && id.sequence < this.next;
  }
}
