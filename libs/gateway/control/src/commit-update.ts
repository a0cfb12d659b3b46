// Versioned updates without false conflicts: the client's version was checked against
// `current`; if another component (orchestrator, allocator, dispatcher, ca) writes the object
// between that check and our write, the store answers "update out of sequence" although
// nothing the user owns changed. Then the user's fields are re-applied on the fresh object.
import { isShoalError } from '@shoal/errors';
import { fieldsOwnedBy, type StoredKindName, type StoredKindTypes } from '@shoal/proto';
import { GATEWAY_LIMITS } from '@shoal/limits';
import type { ClientChange } from '@shoal/store-client';
import { WRITER, type ControlDeps } from './deps';

/** sameValue compares decoded messages structurally (bytes by content). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    return a.every((x, i) => x === b[i]);
  }
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if (!sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

function userFields(kind: StoredKindName, object: object): Record<string, unknown> {
  const record = object as Record<string, unknown>;
  return Object.fromEntries(fieldsOwnedBy(kind, WRITER).map((name) => [name, record[name]]));
}

/**
 * commitUpdate writes `next` (built from `current`, whose version the client sent). On a
 * sequence conflict it re-reads; while the user-owned fields are still those of `current`, it
 * writes them onto the fresh object (at most GATEWAY_LIMITS.updateConflictRetries times);
 * otherwise the conflict is real and "update out of sequence" goes back to the client.
 */
export async function commitUpdate<K extends StoredKindName>(
  deps: ControlDeps, kind: K, current: StoredKindTypes[K], next: StoredKindTypes[K],
): Promise<StoredKindTypes[K]> {
  const wanted = userFields(kind, next);
  let object = next;
  for (let attempt = 0; ; attempt++) {
    try {
      const committed = await deps.store.transaction([{ action: 'update', kind, object } as ClientChange],
        { writer: WRITER });
      return committed.objects[0]?.object as StoredKindTypes[K];
    } catch (err) {
      if (!isShoalError(err, 'SEQUENCE_CONFLICT') || attempt >= GATEWAY_LIMITS.updateConflictRetries) throw err;
      const fresh = await deps.store.get(kind, (current as { id: string }).id);
      if (fresh === undefined || !sameValue(userFields(kind, fresh), userFields(kind, current))) throw err;
      deps.logger.debug({ kind, attempt }, 'another component wrote the object; re-applying the user fields');
      object = { ...fresh, ...wanted } as StoredKindTypes[K];
    }
  }
}
