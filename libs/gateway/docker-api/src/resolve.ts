// Finding an object the way dockerd does: full ID, then exact name, then unique ID prefix.
import { isShoalError, ShoalError } from '@shoal/errors';

/** Lookup is how to find objects of one kind through the Control API. */
export interface Lookup<T> {
  /** The kind in messages, e.g. `service`. */
  readonly kind: string;
  /** get reads by full ID; NOT_FOUND and INVALID_ARGUMENT (not an ID) count as absent. */
  get(id: string): Promise<T>;
  /** byName lists objects whose name is `name`. */
  byName(name: string): Promise<T[]>;
  /** byIdPrefix lists objects whose ID starts with `prefix`. */
  byIdPrefix(prefix: string): Promise<T[]>;
  idOf(t: T): string;
  /** The names an object answers to (a node: its spec name and its hostname). */
  namesOf(t: T): string[];
}

async function getOrUndefined<T>(lookup: Lookup<T>, id: string): Promise<T | undefined> {
  try {
    return await lookup.get(id);
  } catch (err) {
    if (isShoalError(err, 'NOT_FOUND') || isShoalError(err, 'INVALID_ARGUMENT')) return undefined;
    throw err;
  }
}

function unique<T>(lookup: Lookup<T>, ref: string, found: T[]): T | undefined {
  if (found.length === 0) return undefined;
  if (found.length > 1) throw ShoalError.invalidArgument(`${lookup.kind} ${ref} is ambiguous (${found.length} matches found)`);
  return found[0];
}

/**
 * resolveRef finds the one object `ref` names: the object with that full ID, else the one with
 * that name (case-insensitive), else the one whose ID starts with `ref`. Throws NOT_FOUND
 * ("service web not found") or INVALID_ARGUMENT when several match ("... is ambiguous").
 */
export async function resolveRef<T>(lookup: Lookup<T>, ref: string): Promise<T> {
  if (ref === '') throw ShoalError.notFound(lookup.kind, ref);
  const byId = await getOrUndefined(lookup, ref);
  if (byId !== undefined) return byId;
  const lower = ref.toLowerCase();
  const named = (await lookup.byName(ref)).filter((t) => lookup.namesOf(t).some((n) => n.toLowerCase() === lower));
  const one = unique(lookup, ref, named);
  if (one !== undefined) return one;
  const prefixed = (await lookup.byIdPrefix(ref)).filter((t) => lookup.idOf(t).startsWith(ref));
  const match = unique(lookup, ref, prefixed);
  if (match === undefined) throw ShoalError.notFound(lookup.kind, ref);
  return match;
}
