// Finding the object a request names, as dockerd does: the full ID, else the exact name
// (case-insensitive), else a unique ID prefix.
import { ShoalError } from '@shoal/errors';
import type { StoredKindName, StoredKindTypes } from '@shoal/proto';
import type { ControlDeps } from './deps';

/** Kinds whose objects a name can reach (tasks have display names, not stored ones). */
type Named = Exclude<StoredKindName, 'task'>;

/**
 * resolveObject returns the `kind` object `ref` names (ID, name, unique ID prefix), skipping
 * objects `hidden` rejects (e.g. services being removed). Throws NOT_FOUND "<kind> <ref> not
 * found", or INVALID_ARGUMENT "<kind> <ref> is ambiguous (N matches found)".
 */
export async function resolveObject<K extends StoredKindName>(
  deps: ControlDeps,
  kind: K,
  ref: string,
  hidden: (object: StoredKindTypes[K]) => boolean = () => false,
): Promise<StoredKindTypes[K]> {
  if (ref === '') throw ShoalError.invalidArgument(`${kind} ID must be provided`);
  const exact = await deps.store.get(kind, ref);
  if (exact !== undefined && !hidden(exact)) return exact;
  if (kind !== 'task') {
    const byName = (await deps.store.find(kind as Named, { name: ref })).objects
      .filter((o) => !hidden(o as StoredKindTypes[K]));
    if (byName.length === 1) return byName[0] as StoredKindTypes[K];
    if (byName.length > 1) throw ambiguous(kind, ref, byName.length);
  }
  const byPrefix = (await deps.store.find(kind, { idPrefix: ref })).objects.filter((o) => !hidden(o));
  if (byPrefix.length === 1) return byPrefix[0] as StoredKindTypes[K];
  if (byPrefix.length > 1) throw ambiguous(kind, ref, byPrefix.length);
  throw ShoalError.notFound(kind, ref);
}

function ambiguous(kind: string, ref: string, matches: number): ShoalError {
  return ShoalError.invalidArgument(`${kind} ${ref} is ambiguous (${matches} matches found)`,
    { kind, id: ref });
}
