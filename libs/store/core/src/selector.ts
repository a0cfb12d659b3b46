// Selector semantics (proto `Selector`, `WatchFilter`): the single source of truth for which
// objects a find or a watch matches. Indexes only narrow the candidates; this decides.
import {
  ChangeAction,
  Selector,
  WatchFilter,
  observedTaskState,
  type AnyStoredKind,
  type NodeSpec_Membership,
  type StoredKindName,
  type StoredKindTypes,
  type TaskState,
} from '@shoal/proto';
import { changeActionOf, labelsOf, nameOf, objectKindOf } from './kinds';
import type { StoreEvent } from './types';

/**
 * StoreSelector is a proto {@link Selector} plus `observedState` (tasks: the greatest of the
 * three statuses, see `observedTaskState`), which the proto does not carry yet.
 */
export interface StoreSelector extends Selector {
  observedState?: TaskState | undefined;
}

/** SelectorInput is what `find` accepts: any subset of a {@link StoreSelector}'s fields. */
export type SelectorInput = Partial<StoreSelector>;

/** normalizeSelector fills every unset field of a selector with its proto default. */
export function normalizeSelector(input: SelectorInput): StoreSelector {
  return { ...Selector.fromPartial(input), observedState: input.observedState };
}

/** labelsMatch: every wanted label is present, with the wanted value unless that is empty. */
export function labelsMatch(
  have: Readonly<Record<string, string>>,
  want: Readonly<Record<string, string>>,
): boolean {
  for (const [key, value] of Object.entries(want)) {
    const actual = have[key];
    if (actual === undefined) return false;
    if (value !== '' && actual !== value) return false;
  }
  return true;
}

function taskFieldsMatch(task: StoredKindTypes['task'], s: StoreSelector): boolean {
  if (s.serviceId !== '' && task.serviceId !== s.serviceId) return false;
  if (s.nodeId !== '' && task.nodeId !== s.nodeId) return false;
  if (s.slot !== undefined && task.slot !== s.slot) return false;
  if (s.desiredState !== undefined && task.desiredState !== s.desiredState) return false;
  if (s.observedState !== undefined && observedTaskState(task) !== s.observedState) return false;
  return true;
}

function nodeFieldsMatch(node: StoredKindTypes['node'], s: StoreSelector): boolean {
  if (s.role !== undefined && node.role !== s.role) return false;
  const membership: NodeSpec_Membership | undefined = node.spec?.membership;
  if (s.membership !== undefined && (membership ?? 0) !== s.membership) return false;
  return true;
}

function hasTaskFields(s: StoreSelector): boolean {
  return s.serviceId !== '' || s.nodeId !== '' || s.slot !== undefined ||
    s.desiredState !== undefined || s.observedState !== undefined;
}

function hasNodeFields(s: StoreSelector): boolean {
  return s.role !== undefined || s.membership !== undefined;
}

/**
 * matchesSelector reports whether an object of `kind` matches a normalized selector: every
 * set field must match (AND); a field that does not apply to the kind never matches when set.
 * Names compare case-insensitively.
 */
export function matchesSelector(
  kind: StoredKindName,
  object: AnyStoredKind,
  s: StoreSelector,
): boolean {
  if (s.id !== '' && object.id !== s.id) return false;
  if (s.idPrefix !== '' && !object.id.startsWith(s.idPrefix)) return false;
  if (s.name !== '' || s.namePrefix !== '') {
    const name = nameOf(kind, object);
    if (s.name !== '' && name !== s.name.toLowerCase()) return false;
    if (s.namePrefix !== '' && !name.startsWith(s.namePrefix.toLowerCase())) return false;
  }
  if (Object.keys(s.labels).length > 0 && !labelsMatch(labelsOf(kind, object), s.labels)) {
    return false;
  }
  if (kind === 'task') {
    return !hasNodeFields(s) && taskFieldsMatch(object as StoredKindTypes['task'], s);
  }
  if (hasTaskFields(s)) return false;
  if (kind === 'node') return nodeFieldsMatch(object as StoredKindTypes['node'], s);
  return !hasNodeFields(s);
}

/** WatchFilterInput is what `watch` accepts per filter: any subset of a proto WatchFilter. */
export type WatchFilterInput = Partial<WatchFilter>;

/** selectorOfFilter is the object part of a watch filter, as a selector. */
function selectorOfFilter(f: WatchFilter): StoreSelector {
  return normalizeSelector({
    id: f.id,
    idPrefix: f.idPrefix,
    name: f.name,
    namePrefix: f.namePrefix,
    labels: f.labels,
    serviceId: f.serviceId,
    nodeId: f.nodeId,
    desiredState: f.desiredState,
  });
}

/**
 * CompiledFilter is a watch filter ready to test events: `matches(event)` holds when the
 * event's kind and action are listed (or the lists are empty) and the object matches the
 * object fields; for an update, either the new or the old object may match, so a watcher
 * also sees an object leave its selection (e.g. a task whose desired state changes).
 */
export interface CompiledFilter {
  matches(event: StoreEvent): boolean;
}

/** compileFilter normalizes a proto WatchFilter into a {@link CompiledFilter}. */
export function compileFilter(input: WatchFilterInput): CompiledFilter {
  const f = WatchFilter.fromPartial(input);
  const selector = selectorOfFilter(f);
  const kinds = new Set(f.kinds);
  const actions = new Set<ChangeAction>(f.actions);
  return {
    matches(event: StoreEvent): boolean {
      if (kinds.size > 0 && !kinds.has(objectKindOf(event.kind))) return false;
      if (actions.size > 0 && !actions.has(changeActionOf(event.action))) return false;
      if (matchesSelector(event.kind, event.object, selector)) return true;
      const old = event.oldObject;
      return old !== undefined && matchesSelector(event.kind, old, selector);
    },
  };
}
