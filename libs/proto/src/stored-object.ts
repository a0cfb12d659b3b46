import type {
  Cluster,
  Config,
  Network,
  Node,
  Resource,
  Secret,
  Service,
  StoredObject,
  Task,
} from './gen/shoal/v1/objects';
import type { StoredKindName } from './ownership.gen';

/** StoredKindTypes maps each stored kind's name to its generated message type. */
export interface StoredKindTypes {
  node: Node;
  service: Service;
  task: Task;
  network: Network;
  cluster: Cluster;
  secret: Secret;
  config: Config;
  resource: Resource;
}

/** AnyStoredKind is any stored kind's message. Every one has `id` and `meta`. */
export type AnyStoredKind = StoredKindTypes[StoredKindName];

/** UnwrappedStoredObject is a StoredObject's case as a (kind, object) pair. */
export type UnwrappedStoredObject = {
  [K in StoredKindName]: { readonly kind: K; readonly object: StoredKindTypes[K] };
}[StoredKindName];

/**
 * unwrapStoredObject returns the kind and message a StoredObject carries, or undefined when its
 * oneof is unset (e.g. decoded from a newer writer's unknown kind).
 */
export function unwrapStoredObject(stored: StoredObject): UnwrappedStoredObject | undefined {
  const carried = stored.kind;
  if (carried === undefined) return undefined;
  const object: unknown = (carried as Record<string, unknown>)[carried.$case];
  return { kind: carried.$case, object } as UnwrappedStoredObject;
}

/** wrapStoredObject puts a stored kind's message into a StoredObject. */
export function wrapStoredObject<K extends StoredKindName>(
  kind: K,
  object: StoredKindTypes[K],
): StoredObject {
  // NB: TypeScript cannot correlate `$case` with the computed key for a generic K.
  const carried: unknown = { $case: kind, [kind]: object };
  return { kind: carried as StoredObject['kind'] };
}
