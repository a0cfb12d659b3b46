// The labels the node-agent puts on every container it creates, and the container name.
import type { Task } from '@shoal/proto';

/** TASK_LABELS are the label keys that tie a container to its task (SwarmKit's com.docker.swarm.*). */
export const TASK_LABELS = Object.freeze({
  taskId: 'com.shoal.task.id',
  taskName: 'com.shoal.task.name',
  serviceId: 'com.shoal.service.id',
  serviceName: 'com.shoal.service.name',
  slot: 'com.shoal.slot',
  nodeId: 'com.shoal.node.id',
});

/** taskLabels returns the container labels of `task`: the spec's own, then Shoal's (which win). */
export function taskLabels(task: Task, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const spec = task.spec?.runtime?.$case === 'container' ? task.spec.runtime.container.labels : {};
  return {
    ...spec,
    ...extra,
    [TASK_LABELS.taskId]: task.id,
    [TASK_LABELS.taskName]: taskName(task),
    [TASK_LABELS.serviceId]: task.serviceId,
    [TASK_LABELS.serviceName]: task.serviceAnnotations?.name ?? '',
    [TASK_LABELS.slot]: String(task.slot),
    [TASK_LABELS.nodeId]: task.nodeId,
  };
}

/**
 * taskName is the task's display name: its annotation name, else
 * `<service>.<slot|nodeID>.<taskID>` (SwarmKit's api/naming).
 */
export function taskName(task: Task): string {
  const given = task.annotations?.name ?? '';
  if (given !== '') return given;
  const service = task.serviceAnnotations?.name || task.serviceId || 'task';
  const slot = task.slot !== 0 ? String(task.slot) : task.nodeId;
  return `${service}.${slot}.${task.id}`;
}

/**
 * containerName is {@link taskName} made safe for the engine's `[a-zA-Z0-9][a-zA-Z0-9_.-]*`,
 * always ending in the task ID: the orchestrator names tasks `<service>.<slot>`, and a
 * replacement task in the same slot must not collide with its predecessor's container.
 */
export function containerName(task: Task): string {
  const name = taskName(task);
  const unique = task.id === '' || name.endsWith(task.id) ? name : `${name}.${task.id}`;
  const safe = unique.replace(/[^a-zA-Z0-9_.-]/g, '_');
  return /^[a-zA-Z0-9]/.test(safe) ? safe : `t${safe}`;
}
