// The CLI's `_up-to-date` task filter with SwarmKit's meaning: the task is not dirty, i.e. it
// was made from the service's current spec version or its spec equals the service's template
// (a scale changes the spec version but leaves the running tasks as they are).
import { TaskSpec, type Service, type Task } from '@shoal/proto';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
  return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
}

function sameTaskSpec(a: TaskSpec | undefined, b: TaskSpec | undefined): boolean {
  const text = (s: TaskSpec | undefined) => JSON.stringify(canonical(TaskSpec.toJSON(s ?? TaskSpec.fromPartial({}))));
  return text(a) === text(b);
}

/** isUpToDate reports whether `task` is not dirty with respect to `service`. */
export function isUpToDate(task: Task, service: Service | undefined): boolean {
  if (service === undefined) return false;
  if ((task.specVersion?.index ?? 0) === (service.specVersion?.index ?? 0)) return true;
  return sameTaskSpec(task.spec, service.spec?.task);
}
