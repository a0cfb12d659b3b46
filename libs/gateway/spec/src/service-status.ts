// ListServiceStatuses: desired, running and completed task counts of one service.
import { observedTaskState, TaskState, type ServiceStatus, type Service, type Task } from '@shoal/proto';

function inIteration(service: Service, task: Task): boolean {
  const iteration = service.jobStatus?.jobIteration?.index;
  return iteration === undefined || (task.jobIteration?.index ?? 0) === iteration;
}

/**
 * serviceStatus counts `tasks` (the service's) as SwarmKit does: desired = replicas
 * (replicated), tasks with desired RUNNING (global) or COMPLETE (global job), or the job's
 * remaining concurrency (replicated job); running = tasks observed RUNNING; completed = job
 * tasks of the current iteration observed COMPLETE.
 */
export function serviceStatus(service: Service, tasks: readonly Task[]): ServiceStatus {
  const mode = service.spec?.mode;
  const isJob = mode?.$case === 'replicatedJob' || mode?.$case === 'globalJob';
  const current = isJob ? tasks.filter((t) => inIteration(service, t)) : tasks;
  let running = 0;
  let completed = 0;
  for (const task of current) {
    const state = observedTaskState(task);
    if (state === TaskState.RUNNING && task.desiredState <= TaskState.COMPLETE) running++;
    if (isJob && state === TaskState.COMPLETE) completed++;
  }
  let desired = 0;
  if (mode === undefined) desired = 0;
  else if (mode.$case === 'replicated') desired = mode.replicated.replicas;
  else if (mode.$case === 'global') desired = current.filter((t) => t.desiredState === TaskState.RUNNING).length;
  else if (mode.$case === 'globalJob') desired = current.filter((t) => t.desiredState === TaskState.COMPLETE).length;
  else {
    const left = Math.max(0, mode.replicatedJob.totalCompletions - completed);
    desired = Math.min(mode.replicatedJob.maxConcurrent, left);
  }
  return { serviceId: service.id, desiredTasks: desired, runningTasks: running, completedTasks: completed };
}
