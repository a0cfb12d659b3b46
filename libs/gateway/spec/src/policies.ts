// Restart policy, update/rollback config and health check bounds (SwarmKit controlapi).
import { GATEWAY_LIMITS } from '@shoal/limits';
import {
  RestartPolicy_Condition,
  UpdateConfig_FailureAction,
  UpdateConfig_Order,
  type HealthConfig,
  type RestartPolicy,
  type UpdateConfig,
} from '@shoal/proto';
import { isNegative, msOf } from './durations';
import { invalid } from './invalid';

/** validateRestartPolicy checks a restart policy. Throws INVALID_ARGUMENT. */
export function validateRestartPolicy(policy: RestartPolicy | undefined): void {
  if (policy === undefined) return;
  if (RestartPolicy_Condition[policy.condition] === undefined || policy.condition < 0) {
    throw invalid(`TaskSpec: invalid restart condition ${policy.condition}`);
  }
  if (isNegative(policy.delay)) throw invalid('TaskSpec: restart-delay cannot be negative');
  if (isNegative(policy.window)) throw invalid('TaskSpec: restart-window cannot be negative');
}

/**
 * validateUpdateConfig checks an update (or rollback, `what` = "rollback") config.
 * Throws INVALID_ARGUMENT.
 */
export function validateUpdateConfig(config: UpdateConfig | undefined, what = 'update'): void {
  if (config === undefined) return;
  if (isNegative(config.delay)) throw invalid(`TaskSpec: ${what}-delay cannot be negative`);
  if (isNegative(config.monitor)) throw invalid(`TaskSpec: ${what}-monitor cannot be negative`);
  const ratio = config.maxFailureRatio;
  if (!(ratio >= 0 && ratio <= 1)) {
    throw invalid(`TaskSpec: ${what}-maxfailureratio cannot be less than 0 or bigger than 1`);
  }
  if (UpdateConfig_FailureAction[config.failureAction] === undefined || config.failureAction < 0) {
    throw invalid(`TaskSpec: invalid ${what} failure action ${config.failureAction}`);
  }
  if (UpdateConfig_Order[config.order] === undefined || config.order < 0) {
    throw invalid(`TaskSpec: invalid ${what} order ${config.order}`);
  }
}

/** validateHealthcheck checks a container health check's durations and retries. */
export function validateHealthcheck(health: HealthConfig | undefined): void {
  if (health === undefined) return;
  const min = GATEWAY_LIMITS.minHealthcheckDurationMs;
  const fields = [
    ['Interval', health.interval], ['Timeout', health.timeout],
    ['StartPeriod', health.startPeriod], ['StartInterval', health.startInterval],
  ] as const;
  for (const [name, value] of fields) {
    const ms = msOf(value);
    if (ms !== undefined && ms !== 0 && ms < min) {
      throw invalid(`ContainerSpec: ${name} in HealthConfig cannot be less than ${min}ms`);
    }
  }
  if (health.retries < 0) throw invalid('ContainerSpec: Retries in HealthConfig cannot be negative');
}
