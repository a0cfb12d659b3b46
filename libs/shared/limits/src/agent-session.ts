// Limits of the node-agent's dispatcher session (SwarmKit `agent/agent.go`, `agent/session.go`,
// `../shared/reference/swarmkit.md` §9).
import { assert } from '@shoal/assert';
import { SECOND_MS } from './units';

/** AGENT_SESSION_LIMITS bound the agent's session loop, heartbeats and status reports. */
export const AGENT_SESSION_LIMITS = Object.freeze({
  /** Ms added to twice the previous backoff after a failed session (SwarmKit 100 ms). */
  backoffBaseMs: 100,
  /** Ms cap of the session backoff (SwarmKit `maxSessionFailureBackoff` 8 s). */
  backoffMaxMs: 8 * SECOND_MS,
  /** Ms each agent → dispatcher unary call may take (SwarmKit `dispatcherRPCTimeout` 5 s). */
  rpcTimeoutMs: 5 * SECOND_MS,
  /** Ms the first session message may take before the dispatcher is given up (Shoal). */
  sessionOpenTimeoutMs: 10 * SECOND_MS,
  /** Task statuses sent in one UpdateTaskStatus call (SwarmKit's batch variant: 1024). */
  statusBatchMax: 1024,
  /** Ms before unsent statuses are tried again after a failed report (Shoal). */
  statusRetryMs: 1 * SECOND_MS,
  /** Ms a session must have lasted for its failure not to grow the backoff (Shoal). */
  healthySessionMs: 30 * SECOND_MS,
  /**
   * Ms between keepalive pings on the dispatcher channel, and Ms to wait for the ack (Shoal:
   * the heartbeat already detects a dead dispatcher; a short ack timeout drops every session on
   * a connection when either side is briefly starved of CPU).
   */
  keepaliveTimeMs: 30 * SECOND_MS,
  keepaliveTimeoutMs: 20 * SECOND_MS,
  /** Ms the agent waits for the Docker Engine to answer when choosing the default executor. */
  enginePingTimeoutMs: 3 * SECOND_MS,
});

/** AgentSessionLimits is the type of {@link AGENT_SESSION_LIMITS}. */
export type AgentSessionLimits = typeof AGENT_SESSION_LIMITS;

const L = AGENT_SESSION_LIMITS;
assert(L.backoffBaseMs > 0 && L.backoffBaseMs < L.backoffMaxMs, 'session backoff base below its cap');
assert(L.statusBatchMax > 0, 'a status report carries at least one status');
