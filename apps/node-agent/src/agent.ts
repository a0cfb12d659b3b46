// The node-agent's work: an executor, the local task store, the worker that keeps one task
// manager per assigned task, and the dispatcher session that feeds it assignments and carries
// its task statuses back. The node joins through the ca on its first start.
import { Metadata, credentials as grpcCredentials } from '@grpc/grpc-js';
import {
  AgentSession,
  describeNode,
  DependencyStore,
  DockerExecutor,
  LocalTaskStore,
  ProcessExecutor,
  SessionStatusReporter,
  SimExecutor,
  TaskFiles,
  Worker,
  type ChannelSecurityLike,
  type Executor,
  type ExecutorKind,
} from '@shoal/agent-runtime';
import { ConfigError } from '@shoal/config';
import { AGENT_SESSION_LIMITS } from '@shoal/limits';
import type { Logger } from '@shoal/logging';
import type { Metrics } from '@shoal/metrics';
import { Task } from '@shoal/proto';
import { cryptoRandom, systemClock, systemTimers } from '@shoal/runtime';
import { channelCredentials, startCertRenewal, TlsMaterial } from '@shoal/tls';
import Docker from 'dockerode';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { join, resolve } from 'node:path';
import { checkAgentConfig, DEFAULT_STATE_DIR, type AgentConfig } from './config';
import { nodeCredentials } from './identity';
import { agentMetrics } from './metrics';

export { agentConfig, DEFAULT_STATE_DIR, type AgentConfig } from './config';

/** TEST_NODE_HEADER is the dispatcher's test identity header (tests only). */
const TEST_NODE_HEADER = 'x-shoal-test-node';
/** DISPATCHER_SERVER_NAME is the SAN every dispatcher's certificate carries. */
const DISPATCHER_SERVER_NAME = 'dispatcher';

/** RunningAgent is a started agent. */
export interface RunningAgent {
  readonly worker: Worker;
  readonly executor: Executor;
  /** The node's ID (from its certificate or --test-node-id); undefined with no session. */
  readonly nodeId: string | undefined;
  readonly session: AgentSession | undefined;
  stop(): Promise<void>;
}

/** makeExecutor builds an executor of `kind`. */
export function makeExecutor(kind: ExecutorKind, config: AgentConfig, stateDir: string,
  dependencies = new DependencyStore()): Executor {
  switch (kind) {
    case 'docker':
      return new DockerExecutor({ socketPath: config.dockerSocket, files: new TaskFiles(taskFilesRoot(stateDir), dependencies) });
    case 'process':
      return new ProcessExecutor({ workRoot: join(stateDir, 'process') });
    case 'sim':
      return new SimExecutor({
        startLatencyMs: config.simLatencyMs, failureRate: config.simFailureRate, runMs: config.simRunMs, random: cryptoRandom(),
      });
  }
}

/**
 * taskFilesRoot is where tasks' secret and config files go: a directory on /dev/shm (a tmpfs,
 * so secrets never reach a disk) named after the state directory, else `<state-dir>/files`.
 */
export function taskFilesRoot(stateDir: string): string {
  if (!existsSync(SHM_DIR)) return join(stateDir, 'files');
  const tag = createHash('sha256').update(resolve(stateDir)).digest('hex').slice(0, 16);
  return join(SHM_DIR, `shoal-agent-${tag}`);
}

const SHM_DIR = '/dev/shm';

/**
 * chooseExecutor returns --executor, or by default docker when the engine at --docker-socket
 * answers a ping within AGENT_SESSION_LIMITS.enginePingTimeoutMs, else process (logged as an
 * error: tasks then run unisolated).
 */
export async function chooseExecutor(config: AgentConfig, logger: Logger): Promise<ExecutorKind> {
  if (config.executor !== undefined) return config.executor;
  const docker = new Docker({ socketPath: config.dockerSocket, timeout: AGENT_SESSION_LIMITS.enginePingTimeoutMs });
  try {
    await docker.ping();
    logger.info({ socket: config.dockerSocket }, 'executor docker: the Docker Engine answers');
    return 'docker';
  } catch (err) {
    logger.error({ err, socket: config.dockerSocket },
      'NO DOCKER ENGINE: executor defaults to process; tasks run as UNISOLATED child processes of the agent');
    return 'process';
  }
}

/** loadAssignments reads a development assignments file: a JSON array of tasks. */
export async function loadAssignments(path: string): Promise<Task[]> {
  const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
  if (!Array.isArray(parsed)) throw new ConfigError([`${path}: expected a JSON array of tasks`]);
  return parsed.map((t) => Task.fromJSON(t));
}

/** SessionIdentity is how the session authenticates: channel security, metadata, node ID. */
interface SessionIdentity {
  readonly nodeId: string;
  readonly security: () => ChannelSecurityLike;
  readonly metadata: () => Metadata;
  /** Starts certificate renewal; resolves when `signal` aborts. */
  readonly renew: (signal: AbortSignal) => Promise<void>;
}

async function sessionIdentity(config: AgentConfig, stateDir: string, logger: Logger): Promise<SessionIdentity> {
  if (config.allowTestIdentity === true) {
    logger.error('TEST IDENTITY: no TLS, the node is named by header; never in production');
    const md = new Metadata();
    md.set(TEST_NODE_HEADER, config.testNodeId ?? '');
    const insecure = { credentials: grpcCredentials.createInsecure(), options: {} };
    return { nodeId: config.testNodeId ?? '', security: () => insecure, metadata: () => md.clone(),
      renew: () => Promise.resolve() };
  }
  const creds = await nodeCredentials(config, stateDir, cryptoRandom(), logger);
  const material = new TlsMaterial(creds.files, creds.bundle);
  return {
    nodeId: creds.identity.id,
    security: () => channelCredentials(material, DISPATCHER_SERVER_NAME),
    metadata: () => new Metadata(),
    renew: async (signal) => {
      const renewal = startCertRenewal(material, { caEndpoints: config.caEndpoints ?? [], logger,
        onRefused: () => logger.error('the ca refuses to renew this node (removed?): its certificate will expire') });
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await renewal.stop();
    },
  };
}

/**
 * startAgent opens the task store, reattaches to the tasks in it (re-reporting their
 * statuses), applies the development assignments file if any, and, with
 * --dispatcher-endpoints, joins (first start) and keeps a dispatcher session.
 */
export async function startAgent(config: AgentConfig, logger: Logger, metrics: Metrics,
  env: NodeJS.ProcessEnv = process.env): Promise<RunningAgent> {
  checkAgentConfig(config, env);
  const stateDir = config.stateDir ?? DEFAULT_STATE_DIR;
  const kind = await chooseExecutor(config, logger);
  const store = await LocalTaskStore.open(stateDir);
  const dependencies = new DependencyStore();
  const executor = makeExecutor(kind, config, stateDir, dependencies);
  if (kind === 'process') logger.warn('process executor: tasks run UNISOLATED as child processes of the agent');
  const m = agentMetrics(metrics);
  const reporter = new SessionStatusReporter({ timers: systemTimers, logger });
  const worker: Worker = new Worker({
    executor, store, clock: systemClock, timers: systemTimers, logger, observe: m.observe, dependencies,
    report: (taskId, status) => {
      m.tasks(worker.statuses().values());
      reporter.report(taskId, status);
    },
  });
  await worker.init();
  for (const [taskId, status] of worker.statuses()) reporter.report(taskId, status);
  m.tasks(worker.statuses().values());
  if (config.assignmentsFile !== undefined) await worker.assign(await loadAssignments(config.assignmentsFile));
  const abort = new AbortController();
  const background: Promise<void>[] = [];
  let session: AgentSession | undefined;
  let nodeId: string | undefined;
  const dispatchers = config.dispatcherEndpoints ?? [];
  if (dispatchers.length > 0) {
    const id = await sessionIdentity(config, stateDir, logger);
    nodeId = id.nodeId;
    const host = config.hostname ?? osHostname();
    const docker = executor instanceof DockerExecutor ? executor.docker : undefined;
    session = new AgentSession({
      dispatchers, security: id.security, metadata: id.metadata, sink: worker, reporter,
      describe: () => describeNode({ hostname: host, executor: kind, docker }),
      clock: systemClock, timers: systemTimers, random: cryptoRandom(), logger, hooks: m.session,
    });
    background.push(session.run(abort.signal), id.renew(abort.signal));
  } else {
    logger.warn('no --dispatcher-endpoints: the agent runs only the tasks in its state dir and --assignments-file');
  }
  logger.info({ executor: kind, stateDir, nodeId, dispatchers, tasks: store.list().length }, 'node-agent started');
  return {
    worker, executor, nodeId, session,
    stop: async () => {
      abort.abort();
      await Promise.allSettled(background);
      reporter.close();
      await worker.close();
    },
  };
}
