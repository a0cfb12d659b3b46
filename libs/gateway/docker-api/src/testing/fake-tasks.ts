// How the fake Control API turns a service into tasks: one RUNNING task per slot (or per
// eligible node), replaced when dirty or on an ineligible node, removed on scale-down.
import {
  NodeSpec_Availability as Availability, NodeStatus_State as NodeState, TaskSpec, TaskState,
  type Node, type Service, type Task,
} from '@shoal/proto';
import type { FakeIds } from './fake-ids';

/** TaskWorld is what reconciling needs from the fake: its tables, IDs, clock and versions. */
export interface TaskWorld {
  readonly tasks: Map<string, Task>;
  readonly nodes: Map<string, Node>;
  readonly ids: FakeIds;
  readonly now: () => Date;
  /** Whether new tasks start RUNNING at once (else they stay PENDING). */
  readonly runTasks: boolean;
  nextVersion(): number;
}

function eligible(n: Node): boolean {
  return n.status?.state === NodeState.READY && (n.spec?.availability ?? Availability.ACTIVE) === Availability.ACTIVE;
}

function isActive(t: Task): boolean {
  return t.desiredState <= TaskState.RUNNING;
}

function dirty(t: Task, s: Service): boolean {
  if (t.specVersion?.index === s.specVersion?.index) return false;
  return JSON.stringify(TaskSpec.toJSON(t.spec ?? TaskSpec.fromPartial({})))
    !== JSON.stringify(TaskSpec.toJSON(s.spec?.task ?? TaskSpec.fromPartial({})));
}

function newTask(w: TaskWorld, s: Service, slot: number, nodeId: string): Task {
  const now = w.now();
  const version = w.nextVersion();
  const running = w.runTasks && nodeId !== '';
  return {
    id: w.ids.id(), meta: { version: { index: version }, createdAt: now, updatedAt: now },
    spec: s.spec?.task, specVersion: s.specVersion, serviceId: s.id, slot, nodeId,
    annotations: { name: '', labels: {} }, serviceAnnotations: s.spec?.annotations,
    allocatorStatus: { timestamp: now, state: TaskState.PENDING, message: 'pending task scheduling', err: '', appliedBy: '' },
    schedulerStatus: nodeId === ''
      ? { timestamp: now, state: TaskState.PENDING, message: 'pending task scheduling', err: 'no suitable node (0 nodes ready)', appliedBy: '' }
      : { timestamp: now, state: TaskState.ASSIGNED, message: 'scheduler assigned task to node', err: '', appliedBy: '' },
    status: running ? {
      timestamp: now, state: TaskState.RUNNING, message: 'started', err: '', appliedBy: '',
      containerStatus: { containerId: w.ids.hex(32), pid: 1000 + slot, exitCode: 0 },
    } : undefined,
    desiredState: TaskState.RUNNING, networks: [], endpoint: undefined, logDriver: undefined,
    assignedGenericResources: [], jobIteration: undefined,
  };
}

function shutDown(w: TaskWorld, t: Task): void {
  const now = w.now();
  w.tasks.set(t.id, {
    ...t, meta: { ...t.meta, version: { index: w.nextVersion() }, updatedAt: now },
    desiredState: TaskState.SHUTDOWN,
    status: { timestamp: now, state: TaskState.SHUTDOWN, message: 'shutdown', err: '', appliedBy: '', containerStatus: t.status?.containerStatus },
  });
}

function pickNode(w: TaskWorld, slot: number): string {
  const nodes = [...w.nodes.values()].filter(eligible).sort((a, b) => a.id.localeCompare(b.id));
  return nodes.length === 0 ? '' : (nodes[(slot - 1) % nodes.length]?.id ?? '');
}

function keep(w: TaskWorld, s: Service, t: Task): boolean {
  const node = w.nodes.get(t.nodeId);
  return !dirty(t, s) && (t.nodeId === '' || (node !== undefined && eligible(node)));
}

/** reconcileService makes `s`'s tasks match its spec in `w` (replicated and global modes). */
export function reconcileService(w: TaskWorld, s: Service): void {
  const active = [...w.tasks.values()].filter((t) => t.serviceId === s.id && isActive(t));
  const mode = s.spec?.mode;
  if (mode?.$case === 'global') {
    const nodes = [...w.nodes.values()].filter(eligible);
    for (const t of active) if (!keep(w, s, t) || !nodes.some((n) => n.id === t.nodeId)) shutDown(w, t);
    for (const n of nodes) {
      if (!active.some((t) => t.nodeId === n.id && keep(w, s, t))) {
        const t = newTask(w, s, 0, n.id);
        w.tasks.set(t.id, t);
      }
    }
    return;
  }
  const replicas = mode?.$case === 'replicated' ? mode.replicated.replicas : 0;
  for (const t of active) {
    if (t.slot > replicas) w.tasks.delete(t.id);
    else if (!keep(w, s, t)) shutDown(w, t);
  }
  for (let slot = 1; slot <= replicas; slot++) {
    if (active.some((t) => t.slot === slot && keep(w, s, t))) continue;
    const t = newTask(w, s, slot, pickNode(w, slot));
    w.tasks.set(t.id, t);
  }
}
