// The process executor: each task is a plain child process of the agent, for machines with no
// container engine. UNISOLATED: the process runs as the agent's user, on the agent's
// filesystem and network, with no resource limits; the image is ignored. Processes do not
// survive as tasks across an agent restart: a reattached task whose process is unknown fails.
import type { OperationOutcome } from '@shoal/agent-core';
import { assert } from '@shoal/assert';
import type { ContainerSpec, Task } from '@shoal/proto';
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, rm } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { graceMs } from './docker-executor';
import { abortableDelay, errorMessage, type Executor, type TaskController } from './executor';

/** ProcessExecutorOptions configure the {@link ProcessExecutor}. */
export interface ProcessExecutorOptions {
  /** Directory under which each task without a `dir` gets its working directory `<workRoot>/<taskId>`. */
  readonly workRoot: string;
  /** PATH used to find executables and passed to tasks; default the agent's own. */
  readonly path?: string;
}

/** How a child process ended. */
interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

interface Child {
  readonly process: ChildProcess;
  readonly exited: Promise<Exit>;
  exit: Exit | undefined;
}

/** ProcessExecutor runs each task as one unisolated child process (argv = command + args). */
export class ProcessExecutor implements Executor {
  readonly kind = 'process' as const;
  private readonly children = new Map<string, Child>();

  constructor(private readonly options: ProcessExecutorOptions) {}

  controller(task: Task): TaskController {
    const runtime = task.spec?.runtime;
    assert(runtime?.$case === 'container', 'process tasks have a container spec');
    return new ProcessController(task.id, runtime.container, this.options, this.children);
  }
}

/** exitCodeOf maps a child's end to a shell-style exit code (128 + signal number when killed). */
export function exitCodeOf(exit: Exit): number {
  if (exit.code !== null) return exit.code;
  const signo = exit.signal === null ? 0 : (osConstants.signals[exit.signal] ?? 0);
  return 128 + signo;
}

class ProcessController implements TaskController {
  private readonly argv: string[];

  constructor(
    private readonly taskId: string,
    private readonly spec: ContainerSpec,
    private readonly options: ProcessExecutorOptions,
    private readonly children: Map<string, Child>,
  ) {
    this.argv = [...spec.command, ...spec.args];
  }

  private get path(): string {
    return this.options.path ?? process.env['PATH'] ?? '';
  }

  private get workDir(): string {
    return this.spec.dir !== '' ? this.spec.dir : join(this.options.workRoot, this.taskId);
  }

  /** resolve finds the executable the way a shell would (absolute or relative paths as given). */
  private async resolve(file: string): Promise<string | undefined> {
    const candidates = file.includes('/') ? [file] : this.path.split(delimiter).filter((d) => d !== '').map((d) => join(d, file));
    for (const candidate of candidates) {
      try {
        await access(isAbsolute(candidate) ? candidate : join(this.workDir, candidate), fsConstants.X_OK);
        return candidate;
      } catch {
        // not this one
      }
    }
    return undefined;
  }

  async prepare(): Promise<OperationOutcome> {
    const file = this.argv[0];
    if (file === undefined) return { kind: 'fatal', error: 'process executor: the task has no command or args' };
    try {
      await mkdir(this.workDir, { recursive: true });
    } catch (err) {
      return { kind: 'fatal', error: `process executor: working directory ${this.workDir}: ${errorMessage(err)}` };
    }
    if ((await this.resolve(file)) === undefined) return { kind: 'fatal', error: `process executor: executable not found: ${file}` };
    return { kind: 'done' };
  }

  async start(): Promise<OperationOutcome> {
    const known = this.children.get(this.taskId);
    if (known !== undefined) return this.running(known);
    const [file, ...rest] = this.argv;
    if (file === undefined) return { kind: 'fatal', error: 'process executor: the task has no command or args' };
    const child = spawn(file, rest, {
      cwd: this.workDir,
      env: { PATH: this.path, ...envOf(this.spec.env) },
      stdio: 'ignore',
    });
    const exited = new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', () => resolve({ code: 127, signal: null }));
    });
    const spawned = await new Promise<Error | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', (err) => resolve(err));
    });
    if (spawned !== undefined) return { kind: 'fatal', error: `process executor: ${spawned.message}` };
    const entry: Child = { process: child, exited, exit: undefined };
    void exited.then((exit) => {
      entry.exit = exit;
    });
    this.children.set(this.taskId, entry);
    return this.running(entry);
  }

  private running(child: Child): OperationOutcome {
    const container = { containerId: '', pid: child.process.pid ?? 0, exitCode: 0 };
    if (child.exit !== undefined) return { kind: 'exited', exitCode: exitCodeOf(child.exit), oomKilled: false, container };
    return { kind: 'done', container };
  }

  async wait(signal: AbortSignal): Promise<OperationOutcome> {
    const child = this.children.get(this.taskId);
    if (child === undefined) {
      return { kind: 'fatal', error: 'process executor: the process is unknown to this agent (processes are not reattached after an agent restart)' };
    }
    const aborted = new Promise<undefined>((resolve) => {
      if (signal.aborted) resolve(undefined);
      signal.addEventListener('abort', () => resolve(undefined), { once: true });
    });
    const exit = await Promise.race([child.exited, aborted]);
    if (exit === undefined) return { kind: 'temporary', error: 'wait cancelled' };
    return { kind: 'exited', exitCode: exitCodeOf(exit), oomKilled: false, container: { containerId: '', pid: child.process.pid ?? 0, exitCode: exitCodeOf(exit) } };
  }

  async shutdown(signal: AbortSignal): Promise<OperationOutcome> {
    const child = this.children.get(this.taskId);
    if (child === undefined || child.exit !== undefined) return { kind: 'done' };
    const stopSignal = (this.spec.stopSignal || 'SIGTERM') as NodeJS.Signals;
    try {
      child.process.kill(stopSignal);
    } catch (err) {
      return { kind: 'fatal', error: `process executor: kill ${stopSignal}: ${errorMessage(err)}` };
    }
    const grace = abortableDelay(graceMs(this.spec), signal).then(() => 'grace' as const, () => 'aborted' as const);
    const first = await Promise.race([child.exited.then(() => 'exited' as const), grace]);
    if (first === 'grace') child.process.kill('SIGKILL');
    if (first !== 'aborted') await child.exited;
    return { kind: 'done' };
  }

  async terminate(): Promise<OperationOutcome> {
    const child = this.children.get(this.taskId);
    if (child === undefined || child.exit !== undefined) return { kind: 'done' };
    child.process.kill('SIGKILL');
    await child.exited;
    return { kind: 'done' };
  }

  async remove(): Promise<OperationOutcome> {
    const child = this.children.get(this.taskId);
    if (child !== undefined && child.exit === undefined) {
      child.process.kill('SIGKILL');
      await child.exited;
    }
    this.children.delete(this.taskId);
    if (this.spec.dir === '') await rm(this.workDir, { recursive: true, force: true });
    return { kind: 'done' };
  }
}

/** envOf turns "KEY=VALUE" entries into an environment object. */
function envOf(entries: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}
