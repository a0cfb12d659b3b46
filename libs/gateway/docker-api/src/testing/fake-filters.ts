// List filters of the fake Control API: fields ANDed, entries of one field ORed.
import { labelsMatch } from '@shoal/gateway-spec';
import type { Task } from '@shoal/proto';

/** CommonFilters are the filters every List request has. */
export interface CommonFilters {
  readonly names?: readonly string[];
  readonly idPrefixes?: readonly string[];
  readonly namePrefixes?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
}

/** matchesCommon applies names (exact, case-insensitive), ID and name prefixes and labels. */
export function matchesCommon(
  id: string, names: readonly string[], labels: Readonly<Record<string, string>>, f: CommonFilters | undefined,
): boolean {
  if (f === undefined) return true;
  const lower = names.map((n) => n.toLowerCase());
  const okNames = (f.names ?? []).length === 0 || (f.names ?? []).some((n) => lower.includes(n.toLowerCase()));
  const okIds = (f.idPrefixes ?? []).length === 0 || (f.idPrefixes ?? []).some((p) => id.startsWith(p));
  const okPrefixes = (f.namePrefixes ?? []).length === 0
    || (f.namePrefixes ?? []).some((p) => names.some((n) => n.startsWith(p)));
  return okNames && okIds && okPrefixes && labelsMatch(labels, f.labels);
}

/** taskName is SwarmKit's display name of a task: `<service>.<slot|node>.<id>`. */
export function taskName(t: Task): string {
  if (t.annotations?.name) return t.annotations.name;
  const service = t.serviceAnnotations?.name ?? t.serviceId;
  return `${service}.${t.slot === 0 ? t.nodeId : t.slot}.${t.id}`;
}
