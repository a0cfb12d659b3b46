import { assertNever } from '@shoal/assert';
import { ORCHESTRATOR_LIMITS } from '@shoal/limits';
import {
  durationToMs,
  RestartPolicy_Condition,
  UpdateConfig_FailureAction,
  UpdateConfig_Order,
  type Duration,
  type ServiceSpec,
  type TaskSpec,
  type UpdateConfig,
} from '@shoal/proto';

/** ResolvedRestartPolicy is a task's restart policy with SwarmKit's defaults filled in. */
export interface ResolvedRestartPolicy {
  readonly condition: RestartPolicy_Condition;
  /** Ms before a replacement starts. */
  readonly delayMs: number;
  /** Restarts allowed (within `windowMs`); 0 = unlimited. */
  readonly maxAttempts: number;
  /** Sliding window for `maxAttempts`; 0 = unbounded. */
  readonly windowMs: number;
}

/** ResolvedUpdateConfig is an update (or rollback) config with SwarmKit's defaults filled in. */
export interface ResolvedUpdateConfig {
  /** Slots updated at once; 0 = all at once. */
  readonly parallelism: number;
  readonly delayMs: number;
  readonly failureAction: UpdateConfig_FailureAction;
  readonly monitorMs: number;
  readonly maxFailureRatio: number;
  readonly order: UpdateConfig_Order;
}

function msOr(duration: Duration | undefined, fallbackMs: number): number {
  if (duration === undefined) return fallbackMs;
  const ms = durationToMs(duration);
  return ms >= 0 ? ms : fallbackMs;
}

/**
 * restartPolicyOf resolves a task spec's restart policy: unset means condition ANY, delay 5 s,
 * unlimited attempts, unbounded window (SwarmKit `api/defaults`). An unrecognized condition is
 * treated as ANY, the default.
 */
export function restartPolicyOf(spec: TaskSpec | undefined): ResolvedRestartPolicy {
  const policy = spec?.restart;
  const condition =
    policy === undefined || policy.condition === RestartPolicy_Condition.UNRECOGNIZED
      ? RestartPolicy_Condition.ANY
      : policy.condition;
  return {
    condition,
    delayMs: msOr(policy?.delay, ORCHESTRATOR_LIMITS.restartDelayMs),
    maxAttempts: policy?.maxAttempts ?? ORCHESTRATOR_LIMITS.restartMaxAttempts,
    windowMs: msOr(policy?.window, 0),
  };
}

/**
 * updateConfigOf resolves the config of an update (`rollback` false) or rollback (`rollback`
 * true) of a service spec, filling SwarmKit's defaults: parallelism 1, delay 0, PAUSE,
 * monitor 5 s, ratio 0, STOP_FIRST. An unset monitor takes the default even when the rest
 * of the config is set (SwarmKit does the same).
 */
export function updateConfigOf(spec: ServiceSpec, rollback: boolean): ResolvedUpdateConfig {
  const config: UpdateConfig | undefined = rollback ? spec.rollback : spec.update;
  if (config === undefined) {
    return {
      parallelism: ORCHESTRATOR_LIMITS.updateParallelism,
      delayMs: ORCHESTRATOR_LIMITS.updateDelayMs,
      failureAction: UpdateConfig_FailureAction.PAUSE,
      monitorMs: ORCHESTRATOR_LIMITS.updateMonitorMs,
      maxFailureRatio: 0,
      order: UpdateConfig_Order.STOP_FIRST,
    };
  }
  return {
    parallelism: config.parallelism,
    delayMs: msOr(config.delay, ORCHESTRATOR_LIMITS.updateDelayMs),
    failureAction: knownFailureAction(config.failureAction),
    monitorMs: msOr(config.monitor, ORCHESTRATOR_LIMITS.updateMonitorMs),
    maxFailureRatio: config.maxFailureRatio,
    order: config.order === UpdateConfig_Order.START_FIRST
      ? UpdateConfig_Order.START_FIRST
      : UpdateConfig_Order.STOP_FIRST,
  };
}

function knownFailureAction(action: UpdateConfig_FailureAction): UpdateConfig_FailureAction {
  switch (action) {
    case UpdateConfig_FailureAction.PAUSE:
    case UpdateConfig_FailureAction.CONTINUE:
    case UpdateConfig_FailureAction.ROLLBACK:
      return action;
    case UpdateConfig_FailureAction.UNRECOGNIZED:
      return UpdateConfig_FailureAction.PAUSE;
    default:
      return assertNever(action, 'update failure action');
  }
}

/** ServiceMode names the four service modes of {@link ServiceSpec}'s `mode` oneof. */
export type ServiceMode = 'replicated' | 'global' | 'replicatedJob' | 'globalJob';

/** serviceModeOf returns a spec's mode; a spec without one counts as replicated (proto default). */
export function serviceModeOf(spec: ServiceSpec | undefined): ServiceMode {
  return spec?.mode?.$case ?? 'replicated';
}

/** isJobMode reports whether a mode runs tasks to completion (replicated or global job). */
export function isJobMode(mode: ServiceMode): boolean {
  switch (mode) {
    case 'replicated':
    case 'global':
      return false;
    case 'replicatedJob':
    case 'globalJob':
      return true;
    default:
      return assertNever(mode, 'service mode');
  }
}

/** isGlobalMode reports whether a mode keeps one task per node (global service or job). */
export function isGlobalMode(mode: ServiceMode): boolean {
  return mode === 'global' || mode === 'globalJob';
}
