// The node-agent's local task store: the tasks assigned to this node and their last status,
// in one JSON file replaced atomically (write a temporary file, fsync, rename), so that an agent
// that restarts reattaches to its running tasks instead of starting them again.
import { assert } from '@shoal/assert';
import { Task, TaskStatus } from '@shoal/proto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AGENT_RUNTIME_LIMITS } from '@shoal/limits';

/** TaskRecord is what the agent remembers of one task. */
export interface TaskRecord {
  readonly task: Task;
  /** The last status the agent computed (and reported) for the task. */
  readonly status: TaskStatus;
  /** Whether the task's runtime resources are removed. */
  readonly removed: boolean;
}

/** STORE_FILE_NAME is the store's file name inside the agent's state directory. */
export const STORE_FILE_NAME = 'tasks.json';
const FORMAT_VERSION = 1;

interface FileShape {
  readonly version: number;
  readonly tasks: ReadonlyArray<{ task: unknown; status: unknown; removed: boolean }>;
}

/**
 * taskJson caches each task's JSON by object: a task's statuses change far more often than the
 * task itself, and every file write would otherwise encode every task again.
 */
const taskJson = new WeakMap<Task, string>();

function encodeTask(task: Task): string {
  let json = taskJson.get(task);
  if (json === undefined) {
    json = JSON.stringify(Task.toJSON(task));
    taskJson.set(task, json);
  }
  return json;
}

/** encodeRecord is one entry of the file's `tasks` array. */
function encodeRecord(r: TaskRecord): string {
  return `{"task":${encodeTask(r.task)},"status":${JSON.stringify(TaskStatus.toJSON(r.status))},"removed":${r.removed}}`;
}

/** LocalTaskStore keeps {@link TaskRecord}s in memory and in `<stateDir>/tasks.json`. */
export class LocalTaskStore {
  private readonly records = new Map<string, TaskRecord>();
  /** Each record's file entry, encoded when it was put. */
  private readonly encoded = new Map<string, string>();
  /** The write in progress, if any. */
  private writing: Promise<void> | undefined;
  /** The write queued behind it: it will hold every change made since `writing` began. */
  private queued: Promise<void> | undefined;
  private writes = 0;

  private constructor(readonly path: string) {}

  /** open loads the store in `stateDir` (creating the directory; an absent file is an empty store). */
  static async open(stateDir: string): Promise<LocalTaskStore> {
    await mkdir(stateDir, { recursive: true });
    const store = new LocalTaskStore(join(stateDir, STORE_FILE_NAME));
    let text: string;
    try {
      text = await readFile(store.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return store;
      throw err;
    }
    const parsed = JSON.parse(text) as FileShape;
    if (parsed.version !== FORMAT_VERSION) throw new Error(`${store.path}: unknown task store version ${parsed.version}`);
    for (const entry of parsed.tasks) {
      const task = Task.fromJSON(entry.task);
      const record = { task, status: TaskStatus.fromJSON(entry.status), removed: entry.removed };
      store.records.set(task.id, record);
      store.encoded.set(task.id, encodeRecord(record));
    }
    return store;
  }

  /** list returns every record. */
  list(): TaskRecord[] {
    return [...this.records.values()];
  }

  /** get returns the record of `taskId`, if any. */
  get(taskId: string): TaskRecord | undefined {
    return this.records.get(taskId);
  }

  /** put saves `record` and resolves once the file holding it is durable. */
  put(record: TaskRecord): Promise<void> {
    assert(record.task.id !== '', 'stored tasks have an id');
    assert(this.records.has(record.task.id) || this.records.size < AGENT_RUNTIME_LIMITS.maxTasks, 'the task store is not full');
    this.records.set(record.task.id, record);
    this.encoded.set(record.task.id, encodeRecord(record));
    return this.flush();
  }

  /** delete forgets `taskId` and resolves once that is durable. */
  delete(taskId: string): Promise<void> {
    if (!this.records.delete(taskId)) return Promise.resolve();
    this.encoded.delete(taskId);
    return this.flush();
  }

  /** fileWrites counts the times the file was written (group commit makes it far fewer than puts). */
  get fileWrites(): number {
    return this.writes;
  }

  /**
   * flush makes the current records durable (group commit). Writes never interleave: while one
   * is in progress, every change joins the single write queued behind it, which snapshots the
   * records when it begins; so a burst of puts costs two file writes, not one each.
   */
  private flush(): Promise<void> {
    if (this.queued !== undefined) return this.queued;
    const before = this.writing ?? Promise.resolve();
    const next: Promise<void> = before.catch(() => undefined).then(() => {
      this.queued = undefined;
      this.writing = next;
      return this.write();
    });
    this.queued = next;
    void next.catch(() => undefined).finally(() => {
      if (this.writing === next) this.writing = undefined;
    });
    return next;
  }

  private async write(): Promise<void> {
    // The FileShape, assembled from the entries encoded at put time.
    const text = `{"version":${FORMAT_VERSION},"tasks":[${[...this.encoded.values()].join(',')}]}`;
    assert(text.length <= AGENT_RUNTIME_LIMITS.maxStoreBytes, 'the task store fits its size limit');
    const tmp = `${this.path}.tmp-${process.pid}-${this.writes}`;
    this.writes++;
    const file = await open(tmp, 'w', 0o600);
    try {
      await file.writeFile(text, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, this.path);
    const dir = await open(dirname(this.path), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
