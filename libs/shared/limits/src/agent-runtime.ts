// Limits of the node-agent's runtime that @shoal/limits does not name yet.
import { assert } from '@shoal/assert';
import { SECOND_MS } from './units';

/**
 * AGENT_RUNTIME_LIMITS bound the node-agent's executors, task managers and local task store.
 *
 * TODO(agent): move into `@shoal/limits` once the owner of libs/shared agrees.
 */
export const AGENT_RUNTIME_LIMITS = Object.freeze({
  /** Ms between the stop signal and SIGKILL when the spec sets none (SwarmKit's default stop_grace_period). */
  defaultStopGraceMs: 10 * SECOND_MS,
  /** Ms between health polls while a running task with a healthcheck is waited on (Shoal). */
  healthPollMs: 500,
  /** Tasks one agent keeps in its local store (Shoal; SwarmKit has no limit). */
  maxTasks: 10_000,
  /** Bytes of the local task store file (Shoal): 10,000 tasks of a few KiB each. */
  maxStoreBytes: 64 * 1024 * 1024,
  /** Ms a docker API call other than wait may take before it is abandoned (Shoal). */
  dockerCallTimeoutMs: 60 * SECOND_MS,
  /**
   * Container creates and starts one agent keeps in flight on its engine (Shoal; SwarmKit has
   * no bound). On 2 cores the engine's rate is flat from 4 to 8 in flight on a quiet machine
   * (../shared/reference/perf.md §6) and best at 8 when other processes compete for the CPU
   * (bench:e2e floor, 100 containers: 4 → 12.0 / 16.7 s, 8 → 11.6 / 11.2 s, 16 → 12.1 / 12.3 s);
   * 100 at once (SwarmKit) only lengthens every start.
   */
  engineConcurrency: 8,
});

/** AgentRuntimeLimits is the type of {@link AGENT_RUNTIME_LIMITS}. */
export type AgentRuntimeLimits = typeof AGENT_RUNTIME_LIMITS;

const L = AGENT_RUNTIME_LIMITS;
assert(L.defaultStopGraceMs >= SECOND_MS, 'the default grace period is at least a second');
assert(L.healthPollMs > 0, 'health poll interval is positive');
assert(L.maxTasks > 0, 'the store holds some tasks');
assert(L.engineConcurrency >= 1, 'the agent may start a container');
assert(L.maxStoreBytes > L.maxTasks, 'a task takes more than a byte');
