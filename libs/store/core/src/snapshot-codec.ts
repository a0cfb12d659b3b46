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
  return frameSnapshot(store, data.membership);
}

/**
 * encodeSnapshotSliced is {@link encodeSnapshot} (the same bytes) done `sliceObjects` objects
 * at a time, awaiting `pause()` between slices so a large store does not hold the caller's
 * thread in one piece. The repeated `objects` field is encoded slice by slice: protobuf
 * concatenates repeated fields, and the version (field 1) comes first as in one pass.
 * `data` must not change while it runs (the store hands over frozen objects).
 */
export async function encodeSnapshotSliced(
  data: StoreSnapshotData,
  sliceObjects: number,
  pause: () => Promise<void>,
): Promise<Uint8Array> {
  assert(Number.isSafeInteger(sliceObjects) && sliceObjects > 0, 'slices hold objects');
  const empty = { members: [], removedMembers: [], leases: [] };
  const parts = [StoreSnapshot.encode({ ...empty, version: { index: data.version }, objects: [] }).finish()];
  let total = parts[0]?.length ?? 0;
  for (let i = 0; i < data.objects.length; i += sliceObjects) {
    const objects = data.objects.slice(i, i + sliceObjects).map((o) => wrapStoredObject(o.kind, o.object));
    const part = StoreSnapshot.encode({ ...empty, version: undefined, objects }).finish();
    parts.push(part);
    total += part.length;
    await pause();
  }
  const store = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    store.set(part, at);
    at += part.length;
  }
  return frameSnapshot(store, data.membership);
}

/** frameSnapshot wraps an encoded StoreSnapshot and the membership in the envelope. */
function frameSnapshot(store: Uint8Array, membership: Uint8Array): Uint8Array {
  assert(store.length <= UINT32_MAX, 'store section fits a u32 length');
  assert(membership.length <= UINT32_MAX, 'membership fits a u32 length');
  const out = new Uint8Array(HEADER_BYTES + store.length + 4 + membership.length);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out.set(SNAPSHOT_MAGIC, 0);
  view.setUint32(4, SNAPSHOT_FORMAT_VERSION);
  view.setUint32(8, store.length);
  out.set(store, HEADER_BYTES);
  view.setUint32(HEADER_BYTES + store.length, membership.length);
  out.set(membership, HEADER_BYTES + store.length + 4);
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
