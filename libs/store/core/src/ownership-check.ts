// Field ownership of updates: every top-level field an UPDATE changes must belong to the
// writer (proto `owner` options, table in @shoal/proto OWNERSHIP; docs/design/contracts.md).
import { ShoalError } from '@shoal/errors';
import { OWNERSHIP, type AnyStoredKind, type StoredKindName } from '@shoal/proto';
import { messageEqual } from './clone';
import type { Caller } from './types';

/** Fields the store writes itself on every change; an UPDATE's values for them are ignored. */
const STORE_WRITTEN_FIELDS: ReadonlySet<string> = new Set(['id', 'meta']);

/** OwnershipResult is the object to store, or the first field the caller may not change. */
export type OwnershipResult =
  | { readonly ok: true; readonly merged: AnyStoredKind }
  | { readonly ok: false; readonly error: ShoalError };

/**
 * checkOwnership compares every top-level field of `old` and `incoming` (declaration order)
 * with {@link messageEqual}, which treats generated defaults consistently (an unset message
 * equals an empty one). A changed field must be owned by `caller`, else PERMISSION_DENIED
 * naming the kind, object id, field and caller. `id` and `meta` are never compared.
 *
 * The merged object takes the caller's changed fields from `incoming` and every field that
 * compares equal from `old`, so a round trip that only changes representation (e.g. an
 * empty message for an unset one) leaves the stored field exactly as it was.
 */
export function checkOwnership(
  kind: StoredKindName,
  old: AnyStoredKind,
  incoming: AnyStoredKind,
  caller: Caller,
): OwnershipResult {
  const merged: Record<string, unknown> = { id: old.id, meta: old.meta };
  const before = old as unknown as Record<string, unknown>;
  const after = incoming as unknown as Record<string, unknown>;
  for (const field of OWNERSHIP[kind].fields) {
    if (STORE_WRITTEN_FIELDS.has(field.name)) continue;
    const was = before[field.name];
    const now = after[field.name];
    if (messageEqual(was, now)) {
      merged[field.name] = was;
      continue;
    }
    if (field.owner !== caller) {
      const owner = field.owner ?? 'nobody';
      const message =
        `${caller} may not change field ${field.protoName} of ${kind} ${old.id} ` +
        `(owned by ${owner})`;
      const details = { kind, id: old.id, field: field.protoName, caller, owner };
      return { ok: false, error: new ShoalError('PERMISSION_DENIED', message, details) };
    }
    merged[field.name] = now;
  }
  return { ok: true, merged: merged as unknown as AnyStoredKind };
}
