// Public surface of @shoal/agent-core: the node-agent's pure task controller state machine
// (SwarmKit's exec.Do as a function from desired state, observed status and runtime facts to
// one transition or one operation).
export {
  exitError,
  OPERATIONS,
  retryDelayMs,
  step,
  UNHEALTHY_ERROR,
  type LastOperation,
  type Operation,
  type OperationOutcome,
  type StepInput,
  type StepResult,
} from './controller';
export { AGENT_CORE_LIMITS, type AgentCoreLimits } from '@shoal/limits';
