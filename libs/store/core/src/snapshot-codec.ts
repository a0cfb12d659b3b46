// The snapshot format: a small framed envelope around proto StoreSnapshot plus an opaque
// membership blob that the raft-store passes through.
import { assert } from '@shoal/assert';
import { ShoalError } from '@shoal/errors';
import {
  StoreSnapshot,
  unwrapStoredObject,
  wrapStoredObject,
  type UnwrappedStoredObject,
} from '@shoal/proto';

/** SNAPSHOT_MAGIC opens every store snapshot: ASCII "SHST". */
export const SNAPSHOT_MAGIC: readonly number[] = Object.freeze([0x53, 0x48, 0x53, 0x54]);

/** SNAPSHOT_FORMAT_VERSION is the envelope version this build writes and reads. */
export const SNAPSHOT_FORMAT_VERSION = 1;

/** Bytes of the header: magic, format version, store length. */
const HEADER_BYTES = 12;
const UINT32_MAX = 0xffff_ffff;

/**
 * StoreSnapshotData is the content of a snapshot: the store's version, every object (by kind,
 * then id), and the raft-store's membership, opaque to the store.
 */
export interface StoreSnapshotData {
  readonly version: number;
  readonly objects: readonly UnwrappedStoredObject[];
  readonly membership: Uint8Array;
}

/**
 * encodeSnapshot writes the envelope:
 * `"SHST" | u32 format version | u32 n | n bytes StoreSnapshot{version, objects} |
 * u32 m | m bytes membership`, integers big-endian. Deterministic for equal input.
 */
export function encodeSnapshot(data: StoreSnapshotData): Uint8Array {
  const store = StoreSnapshot.encode({
    version: { index: data.version },
    objects: data.objects.map((o) => wrapStoredObject(o.kind, o.object)),
    members: [],
    removedMembers: [],
    leases: [],
  }).finish();
  assert(store.length <= UINT32_MAX, 'store section fits a u32 length');
  assert(data.membership.length <= UINT32_MAX, 'membership fits a u32 length');
  const out = new Uint8Array(HEADER_BYTES + store.length + 4 + data.membership.length);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out.set(SNAPSHOT_MAGIC, 0);
  view.setUint32(4, SNAPSHOT_FORMAT_VERSION);
  view.setUint32(8, store.length);
  out.set(store, HEADER_BYTES);
  view.setUint32(HEADER_BYTES + store.length, data.membership.length);
  out.set(data.membership, HEADER_BYTES + store.length + 4);
  return out;
}

function corrupt(message: string, cause?: unknown): ShoalError {
  return new ShoalError('INVALID_ARGUMENT', `store snapshot: ${message}`, undefined, { cause });
}

/**
 * decodeSnapshot reads {@link encodeSnapshot}'s envelope. Throws ShoalError INVALID_ARGUMENT
 * on a wrong magic, an unknown format version, lengths that do not add up, an undecodable
 * store section or an object of an unknown kind. It checks framing only; the store checks
 * uniqueness when it restores.
 */
export function decodeSnapshot(bytes: Uint8Array): StoreSnapshotData {
  if (bytes.length < HEADER_BYTES + 4) throw corrupt('too short');
  for (let i = 0; i < SNAPSHOT_MAGIC.length; i++) {
    if (bytes[i] !== SNAPSHOT_MAGIC[i]) throw corrupt('bad magic');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const format = view.getUint32(4);
  if (format !== SNAPSHOT_FORMAT_VERSION) throw corrupt(`unknown format version ${format}`);
  const storeLength = view.getUint32(8);
  const membershipAt = HEADER_BYTES + storeLength;
  if (membershipAt + 4 > bytes.length) throw corrupt('store section overruns');
  const membershipLength = view.getUint32(membershipAt);
  if (membershipAt + 4 + membershipLength !== bytes.length) throw corrupt('length mismatch');
  let snapshot: StoreSnapshot;
  try {
    snapshot = StoreSnapshot.decode(bytes.subarray(HEADER_BYTES, membershipAt));
  } catch (cause) {
    throw corrupt('undecodable store section', cause);
  }
  const objects: UnwrappedStoredObject[] = [];
  for (const stored of snapshot.objects) {
    const unwrapped = unwrapStoredObject(stored);
    if (unwrapped === undefined) throw corrupt('object of an unknown kind');
    objects.push(unwrapped);
  }
  const membership = bytes.slice(membershipAt + 4);
  return { version: snapshot.version?.index ?? 0, objects, membership };
}
