// Splitting bulk writes into transactions (SwarmKit store.Batch).
import { assert } from '@shoal/assert';
import { STORE_LIMITS } from '@shoal/limits';
import { Change as ProtoChange } from '@shoal/proto';
import { toProtoChange } from './entry-codec';
import type { Change } from './types';

/** Bytes of framing per change inside a TransactionRequest: field tag plus length varint. */
const CHANGE_FRAMING_BYTES = 6;

/** BatchLimits bound each transaction a batch is cut into. */
export interface BatchLimits {
  readonly maxChanges: number;
  readonly maxBytes: number;
}

/** DEFAULT_BATCH_LIMITS: 200 changes or ¾ × 1.5 MiB, whichever comes first (SwarmKit). */
export const DEFAULT_BATCH_LIMITS: BatchLimits = Object.freeze({
  maxChanges: STORE_LIMITS.maxChangesPerTransaction,
  maxBytes: STORE_LIMITS.batchSplitBytes,
});

/** changeBytes is the encoded size of one change as it travels in a transaction. */
export function changeBytes(change: Change): number {
  return ProtoChange.encode(toProtoChange(change)).finish().length + CHANGE_FRAMING_BYTES;
}

/**
 * splitChanges cuts `changes`, in order, into consecutive groups of at most
 * `limits.maxChanges` changes whose encoded size stays within `limits.maxBytes`. A single
 * change larger than `maxBytes` travels alone (and fails at apply if it is over the
 * transaction limit). Each group is meant to be one transaction: a batch is NOT atomic as a
 * whole, so when one transaction fails the earlier ones stay committed.
 */
export function splitChanges(
  changes: readonly Change[],
  limits: BatchLimits = DEFAULT_BATCH_LIMITS,
): Change[][] {
  assert(limits.maxChanges > 0, 'a batch transaction holds a change');
  assert(limits.maxBytes > 0, 'a batch transaction holds bytes');
  const groups: Change[][] = [];
  let group: Change[] = [];
  let bytes = 0;
  for (const change of changes) {
    const size = changeBytes(change);
    const full = group.length >= limits.maxChanges || bytes + size > limits.maxBytes;
    if (group.length > 0 && full) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(change);
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  assert(groups.reduce((n, g) => n + g.length, 0) === changes.length, 'every change is kept');
  return groups;
}
