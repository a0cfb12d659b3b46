// Test fixtures for the node-agent runtime: tasks, a status log, and polling waits.
import { durationFromMs, TaskState, type ContainerSpec, type Task, type TaskStatus } from '@shoal/proto';

let counter = 0;

/** makeTask builds an ASSIGNED task with a container spec (ids unique per test run). */
export function makeTask(container: Partial<ContainerSpec>, extra: Partial<Task> = {}): Task {
  counter += 1;
  const id = `t${process.pid.toString(36)}x${Date.now().toString(36)}x${counter}`;
  const spec: ContainerSpec = {
    image: '', labels: {}, command: [], args: [], hostname: '', env: [], dir: '', user: '', groups: [],
    tty: false, openStdin: false, readOnly: false, stopSignal: '', mounts: [], secrets: [], configs: [], hosts: [],
    isolation: 0, pidsLimit: 0, sysctls: {}, capabilityAdd: [], capabilityDrop: [], ulimits: [], oomScoreAdj: 0,
    stopGracePeriod: durationFromMs(1_000),
    ...container,
  };
  return {
    id,
    serviceId: 'svc1',
    slot: 1,
    nodeId: 'node1',
    serviceAnnotations: { name: 'web', labels: {} },
    spec: { runtime: { $case: 'container', container: spec }, networks: [], forceUpdate: 0, resourceReferences: [] },
    schedulerStatus: { state: TaskState.ASSIGNED, message: 'scheduler assigned task to node', err: '', appliedBy: '' },
    desiredState: TaskState.RUNNING,
    networks: [],
    assignedGenericResources: [],
    ...extra,
  };
}

/** StatusLog records every reported status, per task. */
export class StatusLog {
  readonly byTask = new Map<string, TaskStatus[]>();

  /** report is a StatusReporter. */
  readonly report = (taskId: string, status: TaskStatus): void => {
    const list = this.byTask.get(taskId) ?? [];
    list.push(status);
    this.byTask.set(taskId, list);
  };

  /** states returns the states reported for `taskId`, in order. */
  states(taskId: string): TaskState[] {
    return (this.byTask.get(taskId) ?? []).map((s) => s.state);
  }

  /** last returns the last status reported for `taskId`. */
  last(taskId: string): TaskStatus | undefined {
    const list = this.byTask.get(taskId);
    return list?.[list.length - 1];
  }

  /** until waits until the last status of `taskId` has reached `state` (or passed it). */
  async until(taskId: string, state: TaskState, timeoutMs = 10_000): Promise<TaskStatus> {
    await waitFor(() => (this.last(taskId)?.state ?? -1) >= state, timeoutMs, () => `task ${taskId} to reach ${TaskState[state]} (states: ${this.states(taskId).map((s) => TaskState[s]).join(',')}; last err: ${this.last(taskId)?.err ?? ''})`);
    const last = this.last(taskId);
    if (last === undefined) throw new Error('unreachable');
    return last;
  }
}

/** waitFor polls `cond` every 20 ms until it holds, or throws after `timeoutMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: () => string = () => 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
