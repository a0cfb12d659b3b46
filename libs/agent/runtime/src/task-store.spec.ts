// Goal: the local task store keeps records across a reopen, deletes them, writes atomically
// (no temporary files left, the file always parses) and refuses unknown formats.
// Method: a temporary directory, concurrent puts, reopen and compare.
import { TaskState } from '@shoal/proto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalTaskStore, STORE_FILE_NAME } from './task-store';
import { makeTask } from './testing/fixtures';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-agent-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('LocalTaskStore', () => {
  it('round-trips records through the file, dates and all', async () => {
    const store = await LocalTaskStore.open(dir);
    const a = makeTask({ image: 'x', command: ['sleep', '1'] });
    const b = makeTask({ image: 'y' });
    const status = { state: TaskState.RUNNING, message: 'started', err: '', appliedBy: '', timestamp: new Date('2024-05-01T10:00:00.123Z'),
      containerStatus: { containerId: 'abc', pid: 12, exitCode: 0 } };
    await Promise.all([store.put({ task: a, status, removed: false }), store.put({ task: b, status, removed: true })]);
    const again = await LocalTaskStore.open(dir);
    expect(again.list().map((r) => r.task.id).sort()).toEqual([a.id, b.id].sort());
    expect(again.get(a.id)).toEqual({ task: a, status, removed: false });
    expect(again.get(b.id)?.removed).toBe(true);
    await again.delete(a.id);
    expect((await LocalTaskStore.open(dir)).list().map((r) => r.task.id)).toEqual([b.id]);
    expect(await readdir(dir)).toEqual([STORE_FILE_NAME]);
    const text = await readFile(join(dir, STORE_FILE_NAME), 'utf8');
    expect(() => JSON.parse(text) as unknown).not.toThrow();
  });

  it('opens an empty store when the file is absent, and refuses an unknown version', async () => {
    expect((await LocalTaskStore.open(join(dir, 'new'))).list()).toEqual([]);
    await writeFile(join(dir, STORE_FILE_NAME), JSON.stringify({ version: 99, tasks: [] }));
    await expect(LocalTaskStore.open(dir)).rejects.toThrow(/unknown task store version 99/);
  });

  it('many concurrent writes leave one consistent file', async () => {
    const store = await LocalTaskStore.open(dir);
    const tasks = Array.from({ length: 50 }, () => makeTask({}));
    await Promise.all(tasks.map((task) => store.put({ task, status: { state: TaskState.ACCEPTED, message: '', err: '', appliedBy: '' }, removed: false })));
    const text = await readFile(join(dir, STORE_FILE_NAME), 'utf8');
    expect((JSON.parse(text) as { tasks: unknown[] }).tasks).toHaveLength(50);
    expect(await readdir(dir)).toEqual([STORE_FILE_NAME]);
  });

  it('groups a burst of puts into at most two file writes, each put durable when it resolves', async () => {
    const store = await LocalTaskStore.open(dir);
    const tasks = Array.from({ length: 100 }, () => makeTask({}));
    const status = { state: TaskState.ACCEPTED, message: '', err: '', appliedBy: '' };
    await Promise.all(tasks.map((task) => store.put({ task, status, removed: false })));
    expect(store.fileWrites).toBeLessThanOrEqual(2);
    // A put after the burst gets a write of its own, which holds it.
    const late = makeTask({});
    await store.put({ task: late, status, removed: false });
    expect((await LocalTaskStore.open(dir)).get(late.id)?.status.state).toBe(TaskState.ACCEPTED);
    expect((await LocalTaskStore.open(dir)).list()).toHaveLength(101);
  });
});
