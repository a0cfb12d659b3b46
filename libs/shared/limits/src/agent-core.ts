// Limits of the node-agent's core that @shoal/limits does not name yet.
import { assert } from '@shoal/assert';

/** AgentCoreLimits is the type of {@link AGENT_CORE_LIMITS} (tests pass shorter delays). */
export interface AgentCoreLimits {
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  readonly healthPollMs: number;
}

/**
 * AGENT_CORE_LIMITS bound the controller state machine's retry and polling delays.
 *
 * TODO(agent): move into `@shoal/limits` once the owner of libs/shared agrees.
 */
export const AGENT_CORE_LIMITS: AgentCoreLimits = Object.freeze({
  /** Ms before the first retry of an operation that failed temporarily (SwarmKit's taskManager re-pumps ErrTaskRetry after 1 s). */
  retryInitialMs: 1_000,
  /** Ms cap of the doubling retry backoff (as the agent's session backoff, 8 s). */
  retryMaxMs: 8_000,
  /** Ms between health polls while a started task stays STARTING (Shoal). */
  healthPollMs: 500,
});


const L = AGENT_CORE_LIMITS;
assert(L.retryInitialMs > 0, 'retry backoff starts above zero');
assert(L.retryInitialMs <= L.retryMaxMs, 'retry backoff starts below its cap');
assert(L.healthPollMs > 0, 'health poll interval is positive');
