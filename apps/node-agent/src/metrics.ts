// The node-agent's metrics (names get the `shoal_` prefix from @shoal/metrics).
import type { Metrics } from '@shoal/metrics';
import type { AgentSessionHooks, OperationObserver } from '@shoal/agent-runtime';
import { TaskState, type TaskStatus } from '@shoal/proto';

/** AgentMetrics are the hooks the agent's parts report through. */
export interface AgentMetrics {
  /** Recount tasks by state. */
  readonly tasks: (statuses: Iterable<TaskStatus>) => void;
  readonly observe: OperationObserver;
  readonly session: AgentSessionHooks;
}

/**
 * agentMetrics registers `agent_tasks{state}`, `agent_operation_duration_seconds{operation,
 * outcome}` (controller steps), `agent_engine_errors_total{operation,kind}` (runtime calls
 * that failed, fatal or temporary), `agent_session_connected`, `agent_sessions_ended_total`
 * and `agent_heartbeat_rtt_seconds`.
 */
export function agentMetrics(metrics: Metrics): AgentMetrics {
  const tasks = metrics.gauge('agent_tasks', 'Tasks this agent runs, by state', ['state']);
  const steps = metrics.histogram('agent_operation_duration_seconds', 'Controller operations (prepare, start, wait, ...) by outcome',
    ['operation', 'outcome']);
  const errors = metrics.counter('agent_engine_errors_total', 'Runtime calls that failed, by operation and kind', ['operation', 'kind']);
  const connected = metrics.gauge('agent_session_connected', '1 while a dispatcher session is open');
  const ended = metrics.counter('agent_sessions_ended_total', 'Dispatcher sessions that ended with an error');
  const rtt = metrics.histogram('agent_heartbeat_rtt_seconds', 'Heartbeat round trips');
  return {
    tasks: (statuses) => {
      tasks.reset();
      for (const s of statuses) tasks.inc({ state: TaskState[s.state] });
    },
    observe: (operation, outcome, ms) => {
      steps.observe({ operation, outcome }, ms / 1000);
      if (outcome === 'fatal' || outcome === 'temporary') errors.inc({ operation, kind: outcome });
    },
    session: {
      onConnected: () => connected.set(1),
      onSessionEnd: () => {
        connected.set(0);
        ended.inc();
      },
      onHeartbeat: (ms) => rtt.observe(ms / 1000),
    },
  };
}
