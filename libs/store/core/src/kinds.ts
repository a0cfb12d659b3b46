// Per-kind facts the store needs: where a kind keeps its name and labels, whether names are
// unique, and the mapping between kind names, the proto ObjectKind enum and ChangeAction.
import { assertNever } from '@shoal/assert';
import {
  ChangeAction,
  ObjectKind,
  STORED_KINDS,
  type AnyStoredKind,
  type Annotations,
  type StoredKindName,
  type StoredKindTypes,
  type Task,
} from '@shoal/proto';
import type { StoreAction } from './types';

/**
 * UNIQUE_NAME_KINDS are the kinds whose name is unique per kind, case-insensitively, as in
 * SwarmKit: every kind except nodes (named by hostname) and tasks (named by service and slot).
 */
export const UNIQUE_NAME_KINDS: ReadonlySet<StoredKindName> = new Set<StoredKindName>([
  'service',
  'network',
  'cluster',
  'secret',
  'config',
  'resource',
]);

/** annotationsOf returns the annotations a kind is named and labelled by, if set. */
export function annotationsOf(kind: StoredKindName, object: AnyStoredKind): Annotations | undefined {
  switch (kind) {
    case 'node':
      return (object as StoredKindTypes['node']).spec?.annotations;
    case 'service':
      return (object as StoredKindTypes['service']).spec?.annotations;
    case 'task':
      return (object as StoredKindTypes['task']).annotations;
    case 'network':
      return (object as StoredKindTypes['network']).spec?.annotations;
    case 'cluster':
      return (object as StoredKindTypes['cluster']).spec?.annotations;
    case 'secret':
      return (object as StoredKindTypes['secret']).spec?.annotations;
    case 'config':
      return (object as StoredKindTypes['config']).spec?.annotations;
    case 'resource':
      return (object as StoredKindTypes['resource']).annotations;
    default:
      return assertNever(kind, 'stored kind');
  }
}

/**
 * taskName is SwarmKit's display name of a task: its own annotations' name if set, else
 * "<service name>.<slot, or node id for global services>.<task id>".
 */
export function taskName(task: Task): string {
  const own = task.annotations?.name ?? '';
  if (own !== '') return own;
  const slot = task.slot !== 0 ? String(task.slot) : task.nodeId;
  return `${task.serviceAnnotations?.name ?? ''}.${slot}.${task.id}`;
}

/**
 * nameOf returns the name an object is indexed and selected by, lower-cased (names compare
 * case-insensitively): the annotations' name; a node without one goes by its hostname and a
 * task by {@link taskName}. The empty string means "no name": it is never indexed and never
 * conflicts.
 */
export function nameOf(kind: StoredKindName, object: AnyStoredKind): string {
  let name = annotationsOf(kind, object)?.name ?? '';
  if (name === '' && kind === 'node') {
    name = (object as StoredKindTypes['node']).description?.hostname ?? '';
  }
  if (kind === 'task') name = taskName(object as Task);
  return name.toLowerCase();
}

/** labelsOf returns the labels an object is selected by (its annotations' labels). */
export function labelsOf(
  kind: StoredKindName,
  object: AnyStoredKind,
): Readonly<Record<string, string>> {
  return annotationsOf(kind, object)?.labels ?? {};
}

/** objectKindOf maps a kind name to the proto ObjectKind (whose numbers are the oneof cases). */
export function objectKindOf(kind: StoredKindName): ObjectKind {
  return (STORED_KINDS.indexOf(kind) + 1) as ObjectKind;
}

/** kindOfObjectKind maps a proto ObjectKind to its kind name; undefined if not a stored kind. */
export function kindOfObjectKind(kind: ObjectKind): StoredKindName | undefined {
  return STORED_KINDS[kind - 1];
}

/** changeActionOf maps a StoreAction to the proto ChangeAction. */
export function changeActionOf(action: StoreAction): ChangeAction {
  switch (action) {
    case 'create':
      return ChangeAction.CREATE;
    case 'update':
      return ChangeAction.UPDATE;
    case 'delete':
      return ChangeAction.DELETE;
    default:
      return assertNever(action, 'store action');
  }
}

const STORE_ACTION_BY_CHANGE_ACTION: ReadonlyMap<number, StoreAction> = new Map([
  [ChangeAction.CREATE, 'create'],
  [ChangeAction.UPDATE, 'update'],
  [ChangeAction.DELETE, 'delete'],
]);

/**
 * storeActionOf maps a proto ChangeAction to a StoreAction; undefined for UNSPECIFIED and for
 * numbers this build does not know (ts-proto passes unknown enum numbers through decode).
 */
export function storeActionOf(action: ChangeAction): StoreAction | undefined {
  return STORE_ACTION_BY_CHANGE_ACTION.get(action);
}
