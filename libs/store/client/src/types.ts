// The client's typed vocabulary: kinds, changes, events and object keys, on top of the
// generated messages (the store core's own types live in @shoal/store, which clients may
// not import).
import {
  ChangeAction,
  STORED_KINDS,
  StoredObject,
  unwrapStoredObject,
  wrapStoredObject,
  type ObjectKind,
  type StoredKindName,
  type StoredKindTypes,
  type UnwrappedStoredObject,
} from '@shoal/proto';
import { ShoalError } from '@shoal/errors';

/** ClientAction is what a change does to one object. */
export type ClientAction = 'create' | 'update' | 'delete';

/**
 * ClientChange is one write of a transaction, typed by kind (as proto Change): `create` the
 * whole new object with a fresh id; `update` the whole new object whose `meta.version` is the
 * stored one; `delete` the object (only `id` is needed; `meta.version` is checked if set).
 */
export type ClientChange = {
  [K in StoredKindName]: {
    readonly action: ClientAction;
    readonly kind: K;
    readonly object: StoredKindTypes[K];
  };
}[StoredKindName];

/**
 * ClientEvent is one committed change seen by a watch: `object` after the change (deletes:
 * as deleted), `oldObject` on updates. Objects are decoded per watch; clone before sharing.
 */
export type ClientEvent = {
  [K in StoredKindName]: {
    readonly action: ClientAction;
    readonly kind: K;
    readonly object: StoredKindTypes[K];
    readonly oldObject?: StoredKindTypes[K] | undefined;
  };
}[StoredKindName];

/** objectKindOf maps a kind name to the proto ObjectKind (numbers are the oneof cases). */
export function objectKindOf(kind: StoredKindName): ObjectKind {
  return (STORED_KINDS.indexOf(kind) + 1) as ObjectKind;
}

/** changeActionOf maps a client action to the proto ChangeAction. */
export function changeActionOf(action: ClientAction): ChangeAction {
  if (action === 'create') return ChangeAction.CREATE;
  if (action === 'update') return ChangeAction.UPDATE;
  return ChangeAction.DELETE;
}

/** clientActionOf maps a proto ChangeAction back; undefined for unknown values. */
export function clientActionOf(action: ChangeAction): ClientAction | undefined {
  if (action === ChangeAction.CREATE) return 'create';
  if (action === ChangeAction.UPDATE) return 'update';
  if (action === ChangeAction.DELETE) return 'delete';
  return undefined;
}

/**
 * unwrapOrThrow unwraps a StoredObject from a response; INTERNAL if it carries no kind this
 * build knows (a newer server), which a client cannot act on.
 */
export function unwrapOrThrow(object: StoredObject | undefined): UnwrappedStoredObject {
  const unwrapped = object === undefined ? undefined : unwrapStoredObject(object);
  if (unwrapped === undefined) throw ShoalError.internal('the store sent an object of no known kind');
  return unwrapped;
}

/** ObjectKey names one cached object: `<kind>/<id>`. */
export type ObjectKey = `${StoredKindName}/${string}`;

/** objectKey returns the key of an object of `kind` with this id. */
export function objectKey(kind: StoredKindName, id: string): ObjectKey {
  return `${kind}/${id}`;
}

/** parseObjectKey splits a key back into kind and id; undefined if it is not one. */
export function parseObjectKey(key: string): { kind: StoredKindName; id: string } | undefined {
  const slash = key.indexOf('/');
  const kind = key.slice(0, slash) as StoredKindName;
  if (slash <= 0 || !STORED_KINDS.includes(kind)) return undefined;
  return { kind, id: key.slice(slash + 1) };
}

/**
 * cloneStored returns a deep copy of a stored object (through its wire encoding), for code
 * that must modify an object it got from a cache or a watch.
 */
export function cloneStored<K extends StoredKindName>(
  kind: K,
  object: StoredKindTypes[K],
): StoredKindTypes[K] {
  const bytes = StoredObject.encode(wrapStoredObject(kind, object)).finish();
  return unwrapOrThrow(StoredObject.decode(bytes)).object as StoredKindTypes[K];
}
