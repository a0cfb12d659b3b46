// A task's secrets and configs as files the engine bind-mounts read-only into its container:
// secrets at /run/secrets/<name>, configs at their target path (/<name> by default), with the
// reference's owner and mode, as dockerd does for swarm tasks. The files live in a directory per
// task under `root` (a tmpfs when the agent can: secrets should not reach a disk) and go with it.
import { chmod, chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { ContainerSpec, FileTarget } from '@shoal/proto';
import type { DependencyStore } from './dependencies';
import type { EngineMount } from './engine-mounts';

/** SECRETS_DIR is where a secret with a relative target name appears in the container. */
export const SECRETS_DIR = '/run/secrets';
const DEFAULT_MODE = 0o444;

/**
 * MissingDependency is thrown when a task's secret or config cannot be given to it. `retryable`:
 * the dependency has not reached this node yet (after an agent restart the COMPLETE assignments
 * message brings it again), so the create is tried again later; otherwise the task cannot run.
 */
export class MissingDependency extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
  }
}

interface Planned {
  readonly file: string;
  readonly data: Buffer;
  readonly target: FileTarget | undefined;
  readonly mountAt: string;
}

/** TaskFiles writes and removes the secret and config files of tasks under `root`. */
export class TaskFiles {
  constructor(readonly root: string, private readonly deps: DependencyStore) {}

  /** prepare writes the task's files and returns their mounts (none without references). */
  async prepare(taskId: string, spec: ContainerSpec): Promise<EngineMount[]> {
    const planned = this.plan(taskId, spec);
    if (planned.length === 0) return [];
    await mkdir(join(this.root, taskId), { recursive: true, mode: 0o700 });
    for (const p of planned) {
      await writeFile(p.file, p.data, { mode: 0o600 });
      const uid = numeric(p.target?.uid);
      const gid = numeric(p.target?.gid);
      if (uid !== undefined || gid !== undefined) await chown(p.file, uid ?? 0, gid ?? 0);
      await chmod(p.file, p.target !== undefined && p.target.mode > 0 ? p.target.mode : DEFAULT_MODE);
    }
    return planned.map((p) => ({ Type: 'bind', Source: p.file, Target: p.mountAt, ReadOnly: true }));
  }

  /** remove deletes the task's files (nothing to do when it had none). */
  async remove(taskId: string): Promise<void> {
    await rm(join(this.root, taskId), { recursive: true, force: true });
  }

  private plan(taskId: string, spec: ContainerSpec): Planned[] {
    const dir = join(this.root, taskId);
    const out: Planned[] = [];
    for (const ref of spec.secrets) {
      const secret = this.deps.secret(ref.secretId);
      if (secret === undefined) throw new MissingDependency(`secret ${ref.secretName || ref.secretId} has not reached this node`, true);
      const target = ref.target?.$case === 'file' ? ref.target.file : undefined;
      const name = target?.name || ref.secretName;
      out.push({ file: join(dir, `secret-${ref.secretId}`), data: secret.spec?.data ?? Buffer.alloc(0), target,
        mountAt: posix.isAbsolute(name) ? name : posix.join(SECRETS_DIR, name) });
    }
    for (const ref of spec.configs) {
      if (ref.target?.$case === 'runtime') continue; // a runtime target (Windows credential spec) is no file
      const config = this.deps.config(ref.configId);
      if (config === undefined) throw new MissingDependency(`config ${ref.configName || ref.configId} has not reached this node`, true);
      const target = ref.target?.$case === 'file' ? ref.target.file : undefined;
      const name = target?.name || ref.configName;
      out.push({ file: join(dir, `config-${ref.configId}`), data: config.spec?.data ?? Buffer.alloc(0), target,
        mountAt: posix.isAbsolute(name) ? name : posix.join('/', name) });
    }
    return out;
  }
}

/** numeric reads a uid or gid given as digits (a name cannot be resolved outside the image). */
function numeric(id: string | undefined): number | undefined {
  return id !== undefined && /^\d+$/.test(id) ? Number(id) : undefined;
}
