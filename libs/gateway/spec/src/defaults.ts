// SwarmKit's service defaults (api/defaults), filled in only where a field is unset, as
// InterpolateService does: on create, and on GetService with insert_defaults.
import { GATEWAY_LIMITS } from '@shoal/limits';
import {
  durationFromMs,
  RestartPolicy_Condition,
  UpdateConfig_FailureAction,
  UpdateConfig_Order,
  type RestartPolicy,
  type ServiceSpec,
  type TaskSpec,
  type UpdateConfig,
} from '@shoal/proto';
import { isJobMode, serviceModeOf } from './service-spec';

/** defaultRestartPolicy is SwarmKit's: condition ANY, delay 5 s, unlimited attempts. */
export function defaultRestartPolicy(): RestartPolicy {
  return {
    condition: RestartPolicy_Condition.ANY,
    delay: durationFromMs(GATEWAY_LIMITS.defaultRestartDelayMs),
    maxAttempts: 0,
    window: durationFromMs(0),
  };
}

/** defaultUpdateConfig is SwarmKit's: parallelism 1, delay 0, PAUSE, monitor 5 s, STOP_FIRST. */
export function defaultUpdateConfig(): UpdateConfig {
  return {
    parallelism: GATEWAY_LIMITS.defaultUpdateParallelism,
    delay: durationFromMs(0),
    failureAction: UpdateConfig_FailureAction.PAUSE,
    monitor: durationFromMs(GATEWAY_LIMITS.defaultUpdateMonitorMs),
    maxFailureRatio: 0,
    order: UpdateConfig_Order.STOP_FIRST,
  };
}

function taskWithDefaults(task: TaskSpec | undefined): TaskSpec | undefined {
  if (task === undefined) return undefined;
  const runtime = task.runtime;
  const withGrace = runtime?.$case === 'container' && runtime.container.stopGracePeriod === undefined
    ? { $case: 'container' as const, container: {
      ...runtime.container,
      stopGracePeriod: durationFromMs(GATEWAY_LIMITS.defaultStopGracePeriodMs),
    } }
    : runtime;
  return { ...task, runtime: withGrace, restart: task.restart ?? defaultRestartPolicy() };
}

/**
 * withServiceDefaults returns `spec` with SwarmKit's defaults where fields are unset: mode
 * replicated ×1, restart policy, update and rollback configs (not for jobs, which may not
 * have one), stop grace period; a replicated job's max_concurrent 0 becomes 1 and its
 * total_completions 0 becomes max_concurrent. `spec` is not modified.
 */
export function withServiceDefaults(spec: ServiceSpec): ServiceSpec {
  const mode = serviceModeOf(spec);
  const job = isJobMode(mode);
  let specMode = spec.mode ?? { $case: 'replicated' as const,
    replicated: { replicas: GATEWAY_LIMITS.defaultReplicas } };
  if (specMode.$case === 'replicatedJob') {
    const maxConcurrent = specMode.replicatedJob.maxConcurrent || 1;
    const totalCompletions = specMode.replicatedJob.totalCompletions || maxConcurrent;
    specMode = { $case: 'replicatedJob', replicatedJob: { maxConcurrent, totalCompletions } };
  }
  return {
    ...spec,
    mode: specMode,
    task: taskWithDefaults(spec.task),
    update: job ? spec.update : spec.update ?? defaultUpdateConfig(),
    rollback: job ? spec.rollback : spec.rollback ?? defaultUpdateConfig(),
  };
}
