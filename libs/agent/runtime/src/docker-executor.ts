// The docker executor: each task is one container on the local Docker Engine, driven through
// dockerode. Containers carry the task's labels, so an agent that restarts finds them again.
import type { OperationOutcome } from '@shoal/agent-core';
import { assert } from '@shoal/assert';
import { durationToMs, type ContainerSpec, type ContainerStatus, type HealthConfig, type Task } from '@shoal/proto';
import Docker from 'dockerode';
import { EngineGate, type GateWork } from './engine-gate';
import { engineDns, engineMount, enginePorts, type EngineMount } from './engine-mounts';
import { MissingDependency, type TaskFiles } from './task-files';
import { abortableDelay, errorMessage, type Executor, type TaskController } from './executor';
import { containerName, TASK_LABELS, taskLabels } from './labels';
import { AGENT_RUNTIME_LIMITS } from '@shoal/limits';

const NANOS_PER_MS = 1_000_000;
const MS_PER_SECOND = 1_000;
const HTTP_NOT_MODIFIED = 304;
const HTTP_NOT_FOUND = 404;
const HTTP_CONFLICT = 409;

/** DockerExecutorOptions configure the {@link DockerExecutor}. */
export interface DockerExecutorOptions {
  /** The engine client; default: `new Docker({ socketPath })`. */
  readonly docker?: Docker;
  /** The engine's unix socket when `docker` is not given; default /var/run/docker.sock. */
  readonly socketPath?: string;
  /** Extra labels on every container (tests mark theirs). */
  readonly extraLabels?: Readonly<Record<string, string>>;
  /** Ms between health polls while waiting on a running task; default AGENT_RUNTIME_LIMITS.healthPollMs. */
  readonly healthPollMs?: number;
  /** Ms an engine call other than wait may take; default AGENT_RUNTIME_LIMITS.dockerCallTimeoutMs. */
  readonly callTimeoutMs?: number;
  /** Container creates and starts in flight on the engine; default AGENT_RUNTIME_LIMITS.engineConcurrency. */
  readonly engineConcurrency?: number;
  /** Where tasks' secret and config files are written; without it a task that uses any is REJECTED. */
  readonly files?: TaskFiles;
}

/** DockerExecutor runs tasks as containers on the local Docker Engine. */
export class DockerExecutor implements Executor {
  readonly kind = 'docker' as const;
  readonly docker: Docker;
  /** The gate every controller's creates and starts pass through. */
  readonly gate: EngineGate;
  private readonly options: DockerExecutorOptions;

  constructor(options: DockerExecutorOptions = {}) {
    this.options = options;
    this.docker = options.docker ?? new Docker({ socketPath: options.socketPath ?? '/var/run/docker.sock' });
    this.gate = new EngineGate(options.engineConcurrency ?? AGENT_RUNTIME_LIMITS.engineConcurrency);
  }

  /** controller returns a controller for `task`; it needs a container spec. */
  controller(task: Task): TaskController {
    return new DockerController(this.docker, task, this.options, this.gate);
  }

  /** findContainers lists the ids of containers labelled with `com.shoal.task.id` = `taskId`. */
  async findContainers(taskId: string): Promise<string[]> {
    const found = await this.docker.listContainers({ all: true, filters: { label: [`${TASK_LABELS.taskId}=${taskId}`] } });
    return found.map((c) => c.Id);
  }
}

/** dockerStatus is the HTTP status of a dockerode error, if it has one. */
function dockerStatus(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** dockerMessage is the engine's own message of a dockerode error when it sent one. */
function dockerMessage(err: unknown): string {
  const json = (err as { json?: { message?: unknown } } | null)?.json;
  if (json !== undefined && json !== null && typeof json.message === 'string') return json.message;
  return errorMessage(err);
}

/**
 * classify turns an engine error into an outcome: an answer from the engine (any HTTP status)
 * is fatal, since retrying the same request gets the same answer; no answer at all (socket
 * missing, connection refused, timeout) is temporary.
 */
function classify(what: string, err: unknown): OperationOutcome {
  const message = `${what}: ${dockerMessage(err)}`;
  return dockerStatus(err) === undefined ? { kind: 'temporary', error: message } : { kind: 'fatal', error: message };
}

/** healthConfig converts a task's healthcheck to the engine's (durations in nanoseconds). */
function healthConfig(health: HealthConfig | undefined): Docker.HealthConfig | undefined {
  if (health === undefined) return undefined;
  const ns = (d: { seconds: number; nanos: number } | undefined): number | undefined =>
    d === undefined ? undefined : Math.round(durationToMs(d) * NANOS_PER_MS);
  return {
    Test: health.test.length > 0 ? health.test : undefined,
    Interval: ns(health.interval),
    Timeout: ns(health.timeout),
    Retries: health.retries > 0 ? health.retries : undefined,
    StartPeriod: ns(health.startPeriod),
  } as Docker.HealthConfig;
}

/** graceMs is the task's stop grace period in ms (default 10 s). */
export function graceMs(spec: ContainerSpec): number {
  return spec.stopGracePeriod === undefined ? AGENT_RUNTIME_LIMITS.defaultStopGraceMs : durationToMs(spec.stopGracePeriod);
}

/**
 * createOptions maps a task to the engine's create-container request, mounts and DNS settings
 * included; `fileMounts` are the task's secret and config files. Networks are not mapped yet
 * (see docs/design/node-agent.md).
 */
export function createOptions(task: Task, extraLabels: Readonly<Record<string, string>> = {},
  fileMounts: readonly EngineMount[] = []): Docker.ContainerCreateOptions {
  const runtime = task.spec?.runtime;
  assert(runtime?.$case === 'container', 'docker tasks have a container spec');
  const spec = runtime.container;
  const limits = task.spec?.resources?.limits;
  const graceSeconds = Math.ceil(graceMs(spec) / MS_PER_SECOND);
  const ports = enginePorts(task);
  return {
    name: containerName(task),
    Image: spec.image,
    Entrypoint: spec.command.length > 0 ? spec.command : undefined,
    Cmd: spec.args.length > 0 ? spec.args : undefined,
    Env: spec.env,
    WorkingDir: spec.dir || undefined,
    User: spec.user || undefined,
    Hostname: spec.hostname || undefined,
    Tty: spec.tty,
    OpenStdin: spec.openStdin,
    StopSignal: spec.stopSignal || undefined,
    StopTimeout: graceSeconds,
    Labels: taskLabels(task, extraLabels),
    Healthcheck: healthConfig(spec.healthcheck),
    ExposedPorts: ports.exposed,
    HostConfig: {
      PortBindings: ports.bindings,
      Init: spec.init,
      ReadonlyRootfs: spec.readOnly,
      CapAdd: spec.capabilityAdd.length > 0 ? spec.capabilityAdd : undefined,
      CapDrop: spec.capabilityDrop.length > 0 ? spec.capabilityDrop : undefined,
      PidsLimit: spec.pidsLimit > 0 ? spec.pidsLimit : undefined,
      Sysctls: Object.keys(spec.sysctls).length > 0 ? spec.sysctls : undefined,
      OomScoreAdj: spec.oomScoreAdj !== 0 ? spec.oomScoreAdj : undefined,
      ExtraHosts: spec.hosts.length > 0 ? spec.hosts.map(hostEntry) : undefined,
      GroupAdd: spec.groups.length > 0 ? spec.groups : undefined,
      Memory: limits !== undefined && limits.memoryBytes > 0 ? limits.memoryBytes : undefined,
      NanoCpus: limits !== undefined && limits.nanoCpus > 0 ? limits.nanoCpus : undefined,
      Ulimits: spec.ulimits.length > 0 ? spec.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard })) : undefined,
      Mounts: spec.mounts.length + fileMounts.length > 0
        ? [...spec.mounts.map(engineMount), ...fileMounts] as Docker.MountConfig : undefined,
      ...engineDns(spec),
    },
  };
}

/** hostEntry turns "IP hostname [aliases…]" (SwarmKit's hosts format) into the engine's "host:IP". */
function hostEntry(entry: string): string {
  const [ip, host] = entry.trim().split(/\s+/);
  return `${host ?? ''}:${ip ?? ''}`;
}

/** DockerController runs one task as one container. */
class DockerController implements TaskController {
  private containerId: string | undefined;
  /** Whether this controller created the container (so it is known to be in state `created`). */
  private createdHere = false;
  private readonly spec: ContainerSpec;

  constructor(
    private readonly docker: Docker,
    private readonly task: Task,
    private readonly options: DockerExecutorOptions,
    private readonly gate: EngineGate,
  ) {
    const runtime = task.spec?.runtime;
    assert(runtime?.$case === 'container', 'docker tasks have a container spec');
    this.spec = runtime.container;
  }

  private call(signal: AbortSignal): AbortSignal {
    return AbortSignal.any([signal, AbortSignal.timeout(this.options.callTimeoutMs ?? AGENT_RUNTIME_LIMITS.dockerCallTimeoutMs)]);
  }

  /** find returns the task's container id, looked up by label once and then cached. */
  private async find(signal: AbortSignal): Promise<string | undefined> {
    if (this.containerId !== undefined) return this.containerId;
    const found = await this.docker.listContainers({
      all: true,
      filters: { label: [`${TASK_LABELS.taskId}=${this.task.id}`] },
      abortSignal: this.call(signal),
    } as Docker.ContainerListOptions);
    // Normally one; should an engine hold more (a create raced a restart), use the oldest.
    found.sort((a, b) => a.Created - b.Created);
    this.containerId = found[0]?.Id;
    return this.containerId;
  }

  private status(info: Docker.ContainerInspectInfo): ContainerStatus {
    return { containerId: info.Id, pid: info.State.Pid, exitCode: info.State.ExitCode };
  }

  /** gated runs an engine call that creates or starts a container through the executor's gate. */
  private gated<T>(kind: GateWork, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    return this.gate.run(kind, signal, work);
  }

  /**
   * prepare creates the container. The name is the task's own, so a container left by an
   * earlier attempt answers the create with a conflict and is then looked up; a missing image
   * answers it with not-found and is then pulled (docker run does the same).
   */
  async prepare(signal: AbortSignal): Promise<OperationOutcome> {
    try {
      if (this.containerId !== undefined) return this.prepared();
      try {
        await this.create(signal);
      } catch (err) {
        const status = dockerStatus(err);
        if (status === HTTP_CONFLICT) {
          // A container of this name exists: an earlier create of this very task got through.
          if ((await this.find(signal)) === undefined) throw err;
          return this.prepared();
        }
        if (status !== HTTP_NOT_FOUND) throw err;
        const pulled = await this.ensureImage(signal);
        if (pulled !== undefined) return pulled;
        await this.create(signal);
      }
      return this.prepared();
    } catch (err) {
      if (err instanceof MissingDependency) return { kind: err.retryable ? 'temporary' : 'fatal', error: `prepare: ${err.message}` };
      return classify('prepare', err);
    }
  }

  private async create(signal: AbortSignal): Promise<void> {
    const fileMounts = await this.taskFiles();
    const created = await this.gated('create', signal, () => this.docker.createContainer({
      ...createOptions(this.task, this.options.extraLabels, fileMounts),
      abortSignal: this.call(signal),
    } as Docker.ContainerCreateOptions));
    this.containerId = created.id;
    this.createdHere = true;
  }

  /** taskFiles writes the task's secret and config files; a reference with no files dir is refused. */
  private async taskFiles(): Promise<EngineMount[]> {
    if (this.options.files !== undefined) return this.options.files.prepare(this.task.id, this.spec);
    if (this.spec.secrets.length + this.spec.configs.length === 0) return [];
    throw new MissingDependency('this agent has no directory for secret and config files', false);
  }

  private prepared(): OperationOutcome {
    return { kind: 'done', container: { containerId: this.containerId ?? '', pid: 0, exitCode: 0 } };
  }

  /** ensureImage uses a local image as is and pulls only a missing one; returns an outcome on failure. */
  private async ensureImage(signal: AbortSignal): Promise<OperationOutcome | undefined> {
    try {
      await this.docker.getImage(this.spec.image).inspect({ abortSignal: this.call(signal) } as object);
      return undefined;
    } catch (err) {
      if (dockerStatus(err) !== HTTP_NOT_FOUND) return classify('inspect image', err);
    }
    try {
      const stream = await this.docker.pull(this.spec.image, { abortSignal: signal } as object);
      await new Promise<void>((resolve, reject) => {
        this.docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve()));
      });
      return undefined;
    } catch (err) {
      // No registry, a bad name or no access: the task cannot run here (REJECTED).
      return { kind: 'fatal', error: `pull ${this.spec.image}: ${dockerMessage(err)}` };
    }
  }

  async start(signal: AbortSignal): Promise<OperationOutcome> {
    try {
      const id = await this.find(signal);
      if (id === undefined) return { kind: 'fatal', error: 'start: the task has no container' };
      const container = this.docker.getContainer(id);
      // A container this controller created has never run; any other (an agent restart) is
      // started only if it never ran, so an exited task is reported, not run again.
      const fresh = this.createdHere || (await container.inspect({ abortSignal: this.call(signal) })).State.Status === 'created';
      this.createdHere = false;
      if (fresh) {
        try {
          await this.gated('start', signal, () => container.start({ abortSignal: this.call(signal) } as object));
        } catch (err) {
          if (dockerStatus(err) !== HTTP_NOT_MODIFIED) throw err;
        }
      }
      const info = await container.inspect({ abortSignal: this.call(signal) });
      if (!info.State.Running) {
        return { kind: 'exited', exitCode: info.State.ExitCode, oomKilled: info.State.OOMKilled, container: this.status(info) };
      }
      const health = info.State.Health?.Status;
      if (health === 'unhealthy') return await this.stopUnhealthy(container, info, signal);
      if (health === 'starting') return { kind: 'starting', container: this.status(info) };
      return { kind: 'done', container: this.status(info) };
    } catch (err) {
      return classify('start', err);
    }
  }

  async wait(signal: AbortSignal): Promise<OperationOutcome> {
    try {
      const id = await this.find(signal);
      if (id === undefined) return { kind: 'fatal', error: 'wait: the task has no container' };
      const container = this.docker.getContainer(id);
      const info = await container.inspect({ abortSignal: this.call(signal) });
      if (info.State.Running) {
        const inner = new AbortController();
        const both = AbortSignal.any([signal, inner.signal]);
        try {
          const exited = container.wait({ condition: 'not-running', abortSignal: both } as object).then(() => 'exited' as const);
          const racers: Promise<'exited' | 'unhealthy'>[] = [exited];
          if (info.State.Health !== undefined) racers.push(this.untilUnhealthy(container, both));
          const first = await Promise.race(racers);
          if (first === 'unhealthy') return await this.stopUnhealthy(container, info, signal);
        } finally {
          inner.abort();
        }
      } else if (info.State.Status === 'created') {
        return { kind: 'fatal', error: 'wait: the container was never started' };
      }
      const after = await container.inspect({ abortSignal: this.call(signal) });
      return { kind: 'exited', exitCode: after.State.ExitCode, oomKilled: after.State.OOMKilled, container: this.status(after) };
    } catch (err) {
      return classify('wait', err);
    }
  }

  /** untilUnhealthy polls the container's health and resolves once it is unhealthy. */
  private async untilUnhealthy(container: Docker.Container, signal: AbortSignal): Promise<'unhealthy'> {
    const pollMs = this.options.healthPollMs ?? AGENT_RUNTIME_LIMITS.healthPollMs;
    for (;;) {
      await abortableDelay(pollMs, signal);
      const info = await container.inspect({ abortSignal: signal });
      if (info.State.Health?.Status === 'unhealthy') return 'unhealthy';
    }
  }

  /** stopUnhealthy stops a container whose healthcheck failed (as SwarmKit does) and says so. */
  private async stopUnhealthy(container: Docker.Container, info: Docker.ContainerInspectInfo, signal: AbortSignal): Promise<OperationOutcome> {
    await this.stop(container, signal);
    return { kind: 'unhealthy', container: this.status(info) };
  }

  private async stop(container: Docker.Container, signal: AbortSignal): Promise<void> {
    const graceSeconds = Math.ceil(graceMs(this.spec) / MS_PER_SECOND);
    try {
      await container.stop({ t: graceSeconds, abortSignal: this.call(signal) } as object);
    } catch (err) {
      if (dockerStatus(err) !== HTTP_NOT_MODIFIED) throw err;
    }
  }

  async shutdown(signal: AbortSignal): Promise<OperationOutcome> {
    try {
      const id = await this.find(signal);
      if (id === undefined) return { kind: 'done' };
      const container = this.docker.getContainer(id);
      const info = await container.inspect({ abortSignal: this.call(signal) });
      if (info.State.Running) await this.stop(container, signal);
      return { kind: 'done' };
    } catch (err) {
      if (dockerStatus(err) === HTTP_NOT_FOUND) return { kind: 'done' };
      return classify('shutdown', err);
    }
  }

  async terminate(signal: AbortSignal): Promise<OperationOutcome> {
    try {
      const id = await this.find(signal);
      if (id === undefined) return { kind: 'done' };
      await this.docker.getContainer(id).kill({ abortSignal: this.call(signal) } as object);
      return { kind: 'done' };
    } catch (err) {
      const code = dockerStatus(err);
      // 404: gone; 409: not running; 304: already stopped.
      if (code === HTTP_NOT_FOUND || code === HTTP_CONFLICT || code === HTTP_NOT_MODIFIED) return { kind: 'done' };
      return classify('terminate', err);
    }
  }

  async remove(signal: AbortSignal): Promise<OperationOutcome> {
    try {
      const id = await this.find(signal);
      if (id !== undefined) {
        await this.docker.getContainer(id).remove({ force: true, v: true, abortSignal: this.call(signal) } as object);
      }
      this.containerId = undefined;
      this.createdHere = false;
    } catch (err) {
      if (dockerStatus(err) !== HTTP_NOT_FOUND) return classify('remove', err);
    }
    try {
      await this.options.files?.remove(this.task.id);
      return { kind: 'done' };
    } catch (err) {
      return { kind: 'temporary', error: `remove: the task's secret and config files: ${errorMessage(err)}` };
    }
  }

}
