// The node-agent's work: an executor, the local task store and the worker that keeps one task
// manager per assigned task. Until the dispatcher session exists, assignments come only from
// the local store (reattach) and, for development, from a JSON file of tasks.
import { ConfigError } from '@shoal/config';
import type { Logger } from '@shoal/logging';
import type { Metrics } from '@shoal/metrics';
import { Task, TaskState } from '@shoal/proto';
import { DockerExecutor, LocalTaskStore, ProcessExecutor, SimExecutor, Worker, type Executor, type ExecutorKind } from '@shoal/agent-runtime';
import { cryptoRandom, systemClock, systemTimers } from '@shoal/runtime';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/** DEFAULT_STATE_DIR is where the agent keeps its task store unless --state-dir says otherwise. */
export const DEFAULT_STATE_DIR = '/var/lib/shoal/node-agent';

/** agentConfig are the node-agent's own config keys. */
export const agentConfig = {
  executor: z.enum(['docker', 'process', 'sim']).default('docker')
    .describe('How tasks run: docker (containers), process (UNISOLATED child processes), sim (no work)'),
  dockerSocket: z.string().default('/var/run/docker.sock').describe('Docker Engine socket (docker executor)'),
  simLatencyMs: z.number().int().min(0).default(100).describe('Ms each prepare and start takes (sim executor)'),
  simFailureRate: z.number().min(0).max(1).default(0).describe('Probability that prepare or start fails (sim executor)'),
  simRunMs: z.number().int().min(0).optional().describe('Ms a simulated task runs before exiting 0 (default: until stopped)'),
  assignmentsFile: z.string().optional()
    .describe('DEVELOPMENT ONLY: a JSON array of tasks (proto JSON) to run as this node\'s assignment set'),
};

/** AgentConfig is the parsed form of {@link agentConfig} plus the base state directory. */
export interface AgentConfig {
  readonly executor: ExecutorKind;
  readonly stateDir?: string | undefined;
  readonly dockerSocket: string;
  readonly simLatencyMs: number;
  readonly simFailureRate: number;
  readonly simRunMs?: number | undefined;
  readonly assignmentsFile?: string | undefined;
}

/** RunningAgent is a started agent. */
export interface RunningAgent {
  readonly worker: Worker;
  readonly executor: Executor;
  stop(): Promise<void>;
}

/** makeExecutor builds the configured executor. */
export function makeExecutor(config: AgentConfig, stateDir: string): Executor {
  switch (config.executor) {
    case 'docker':
      return new DockerExecutor({ socketPath: config.dockerSocket });
    case 'process':
      return new ProcessExecutor({ workRoot: join(stateDir, 'process') });
    case 'sim':
      return new SimExecutor({
        startLatencyMs: config.simLatencyMs, failureRate: config.simFailureRate, runMs: config.simRunMs, random: cryptoRandom(),
      });
  }
}

/** loadAssignments reads a development assignments file: a JSON array of tasks. */
export async function loadAssignments(path: string): Promise<Task[]> {
  const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
  if (!Array.isArray(parsed)) throw new ConfigError([`${path}: expected a JSON array of tasks`]);
  return parsed.map((t) => Task.fromJSON(t));
}

/**
 * startAgent opens the task store, reattaches to the tasks in it, applies the development
 * assignments file if any, and exports task counts by state as `shoal_agent_tasks{state}`.
 */
export async function startAgent(config: AgentConfig, logger: Logger, metrics: Metrics): Promise<RunningAgent> {
  const stateDir = config.stateDir ?? DEFAULT_STATE_DIR;
  const store = await LocalTaskStore.open(stateDir);
  const executor = makeExecutor(config, stateDir);
  if (executor instanceof DockerExecutor) {
    try {
      await executor.docker.ping();
    } catch (err) {
      logger.warn({ err, socket: config.dockerSocket }, 'the Docker Engine does not answer: task operations will retry');
    }
  }
  if (config.executor === 'process') logger.warn('process executor: tasks run UNISOLATED as child processes of the agent');
  const gauge = metrics.gauge('agent_tasks', 'Tasks this agent runs, by state', ['state']);
  const worker = new Worker({
    executor, store, clock: systemClock, timers: systemTimers, logger,
    report: () => {
      gauge.reset();
      for (const status of worker.statuses().values()) gauge.inc({ state: TaskState[status.state] });
    },
  });
  await worker.init();
  logger.info({ executor: executor.kind, stateDir, tasks: store.list().length }, 'node-agent started; dispatcher session not implemented yet');
  if (config.assignmentsFile !== undefined) await worker.assign(await loadAssignments(config.assignmentsFile));
  return { worker, executor, stop: () => worker.close() };
}
