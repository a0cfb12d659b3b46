// List filters of the Control API, as pure predicates: fields are ANDed, entries of a
// repeated field ORed, an empty field matches everything (control.proto). Names compare
// case-insensitively, as name uniqueness does.
import {
  type ListNodesRequest_Filters,
  type ListTasksRequest_Filters,
  type Node,
  type Service,
  type Task,
} from '@shoal/proto';

/** CommonFilters are the filters every List request has. */
export interface CommonFilters {
  readonly names?: readonly string[];
  readonly namePrefixes?: readonly string[];
  readonly idPrefixes?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
}

/** labelsMatch: every wanted label is present; an empty wanted value matches any value. */
export function labelsMatch(
  have: Readonly<Record<string, string>> | undefined,
  want: Readonly<Record<string, string>> | undefined,
): boolean {
  for (const [key, value] of Object.entries(want ?? {})) {
    const actual = have?.[key];
    if (actual === undefined || (value !== '' && actual !== value)) return false;
  }
  return true;
}

function anyOf<T>(wanted: readonly T[] | undefined, test: (w: T) => boolean): boolean {
  return wanted === undefined || wanted.length === 0 || wanted.some(test);
}

/** commonMatch applies names, name prefixes, id prefixes and labels to one object. */
export function commonMatch(
  object: { readonly id: string; readonly name: string; readonly labels?: Readonly<Record<string, string>> },
  filters: CommonFilters | undefined,
): boolean {
  if (filters === undefined) return true;
  const name = object.name.toLowerCase();
  return anyOf(filters.names, (n) => n.toLowerCase() === name) &&
    anyOf(filters.namePrefixes, (p) => name.startsWith(p.toLowerCase())) &&
    anyOf(filters.idPrefixes, (p) => object.id.startsWith(p)) &&
    labelsMatch(object.labels, filters.labels);
}

/** runtimeOf names a task spec's runtime: "container", "attachment" or the generic kind. */
export function runtimeOf(spec: Task['spec']): string {
  const runtime = spec?.runtime;
  if (runtime === undefined) return '';
  return runtime.$case === 'generic' ? runtime.generic.kind : runtime.$case;
}

/**
 * taskDisplayName is a task's name as SwarmKit shows it: its annotation name, or
 * `<service>.<slot>.<id>` (replicated) / `<service>.<node id>.<id>` (global).
 */
export function taskDisplayName(task: Task): string {
  const own = task.annotations?.name ?? '';
  if (own !== '') return own;
  const service = task.serviceAnnotations?.name ?? '';
  const slot = task.slot !== 0 ? String(task.slot) : task.nodeId;
  return service === '' ? task.id : `${service}.${slot}.${task.id}`;
}

/** nodeDisplayName is a node's name: its spec name, else its hostname. */
export function nodeDisplayName(node: Node): string {
  const name = node.spec?.annotations?.name ?? '';
  return name !== '' ? name : node.description?.hostname ?? '';
}

/**
 * taskMatches applies ListTasks filters. `services` resolves a task's service for
 * `up_to_date` (a task is up to date when its spec_version is its service's).
 */
export function taskMatches(
  task: Task,
  filters: ListTasksRequest_Filters | undefined,
  services: ReadonlyMap<string, Service>,
): boolean {
  if (filters === undefined) return true;
  const labels = task.annotations?.labels ?? {};
  if (!commonMatch({ id: task.id, name: taskDisplayName(task), labels }, filters)) return false;
  if (!anyOf(filters.serviceIds, (id) => id === task.serviceId)) return false;
  if (!anyOf(filters.nodeIds, (id) => id === task.nodeId)) return false;
  if (!anyOf(filters.desiredStates, (s) => s === task.desiredState)) return false;
  if (!anyOf(filters.runtimes, (r) => r === runtimeOf(task.spec))) return false;
  if (filters.upToDate) {
    const service = services.get(task.serviceId);
    if (service === undefined) return false;
    if ((task.specVersion?.index ?? 0) !== (service.specVersion?.index ?? 0)) return false;
  }
  return true;
}

/** nodeMatches applies ListNodes filters (labels = engine labels, node_labels = spec's). */
export function nodeMatches(node: Node, filters: ListNodesRequest_Filters | undefined): boolean {
  if (filters === undefined) return true;
  const common = { names: filters.names, namePrefixes: filters.namePrefixes, idPrefixes: filters.idPrefixes };
  if (!commonMatch({ id: node.id, name: nodeDisplayName(node) }, common)) return false;
  if (!labelsMatch(node.description?.engine?.labels, filters.labels)) return false;
  if (!labelsMatch(node.spec?.annotations?.labels, filters.nodeLabels)) return false;
  if (!anyOf(filters.memberships, (m) => m === node.spec?.membership)) return false;
  return anyOf(filters.roles, (r) => r === node.role);
}
