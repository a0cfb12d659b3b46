// Public surface of @shoal/agent-runtime: the node-agent's executors (docker, process, sim),
// the per-task manager that drives @shoal/agent-core's step function, the worker that keeps
// one manager per assigned task, and the local task store that makes restarts reattach.
export { createOptions, DockerExecutor, graceMs, type DockerExecutorOptions } from './docker-executor';
export {
  EXECUTOR_KINDS,
  runOperation,
  type Executor,
  type ExecutorKind,
  type TaskController,
} from './executor';
export { containerName, TASK_LABELS, taskLabels, taskName } from './labels';
export { AGENT_RUNTIME_LIMITS, type AgentRuntimeLimits } from '@shoal/limits';
export { exitCodeOf, ProcessExecutor, type ProcessExecutorOptions } from './process-executor';
export { SIM_FAILURE, SimExecutor, type SimExecutorOptions } from './sim-executor';
export { TaskManager, type OperationObserver, type StatusReporter, type TaskManagerOptions } from './task-manager';
export { AgentSession, nextBackoffMs, type AgentSessionHooks, type AgentSessionOptions } from './session/agent-session';
export {
  DISPATCHER_CHANNEL_OPTIONS,
  runDispatcherSession,
  type AssignmentSink,
  type ChannelSecurityLike,
  type DispatcherSessionOptions,
  type SessionHooks,
} from './session/dispatcher-session';
export { describeNode, type DescribeNodeOptions } from './session/node-description';
export { SessionStatusReporter, type StatusReporterOptions, type StatusSender } from './session/status-reporter';
export { LocalTaskStore, STORE_FILE_NAME, type TaskRecord } from './task-store';
export { DependencyStore, type DependencyChange } from './dependencies';
export { MissingDependency, SECRETS_DIR, TaskFiles } from './task-files';
export { Worker, type WorkerOptions } from './worker';
