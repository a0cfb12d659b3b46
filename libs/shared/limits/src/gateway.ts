import { MIB } from './units';

/**
 * GATEWAY_LIMITS are the api-gateway's defaults and bounds for user specs. Source: SwarmKit
 * `api/defaults/service.go`, `controlapi` and `api/validation` (`../shared/reference/swarmkit.md`
 * §2.3, §3.5, §6, §7), and Docker's `daemon/cluster` for what dockerd adds.
 */
export const GATEWAY_LIMITS = Object.freeze({
  /** Replicas of a replicated service whose spec names no mode (dockerd's default). */
  defaultReplicas: 1,
  /** Restart delay when the spec has no restart policy (SwarmKit default 5 s). */
  defaultRestartDelayMs: 5_000,
  /** Update and rollback parallelism when unset (SwarmKit default 1). */
  defaultUpdateParallelism: 1,
  /** Update and rollback monitor period when unset (SwarmKit default 5 s). */
  defaultUpdateMonitorMs: 5_000,
  /** Time between stop signal and SIGKILL when unset (SwarmKit default 10 s). */
  defaultStopGracePeriodMs: 10_000,
  /** Old tasks kept per slot when the cluster spec leaves it unset (SwarmKit default 5). */
  defaultTaskHistoryRetention: 5,
  /** Agent heartbeat period when the cluster spec leaves it unset (SwarmKit default 5 s). */
  defaultHeartbeatPeriodMs: 5_000,
  /** Shortest health-check interval, timeout, start period (SwarmKit/Docker: 1 ms). */
  minHealthcheckDurationMs: 1,
  /** Characters in a secret or config name (SwarmKit `validateConfigOrSecretAnnotations`). */
  secretNameLength: 64,
  /** Characters in a repository name of an image reference (distribution/reference). */
  repositoryNameLength: 255,
  /** Characters in an image tag (distribution/reference: 128). */
  imageTagLength: 128,
  /** Largest Resource payload accepted, bytes (fits a store transaction). */
  resourcePayloadBytes: 1 * MIB,
  /**
   * Times an update re-applies the user's fields when another component wrote the object
   * between the version check and the write (user fields unchanged).
   */
  updateConflictRetries: 3,
  /** Deadline of each Control call the `shoal` CLI makes, ms. */
  cliCallDeadlineMs: 10_000,
});

/** GatewayLimits is the type of {@link GATEWAY_LIMITS}. */
export type GatewayLimits = typeof GATEWAY_LIMITS;
