// Goal: the node-agent's wiring runs the tasks of a development assignments file through the
// configured executor, persists them in --state-dir, and a second start reattaches to them.
// Method: the sim executor (no engine needed), a temporary state directory, a silent logger.
import { createMetrics } from '@shoal/metrics';
import { silentLogger } from '@shoal/logging';
import { durationFromMs, Task, TaskState } from '@shoal/proto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, type AgentConfig } from './agent';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-node-agent-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function task(id: string): Task {
  return Task.fromPartial({
    id, serviceId: 's', slot: 1, nodeId: 'n', desiredState: TaskState.RUNNING,
    spec: { runtime: { $case: 'container', container: { image: 'x', stopGracePeriod: durationFromMs(1_000) } } },
    schedulerStatus: { state: TaskState.ASSIGNED },
  });
}

/** until polls `cond` (sync or async) every 20 ms for up to 30 s: loaded CI machines are slow. */
async function until(cond: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1500 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 20));
  expect(await cond()).toBe(true);
}

describe('node-agent wiring', () => {
  it('runs an assignments file with the sim executor and reattaches on restart', async () => {
    const file = join(dir, 'assignments.json');
    await writeFile(file, JSON.stringify([Task.toJSON(task('task1')), Task.toJSON(task('task2'))]));
    const config: AgentConfig = { executor: 'sim', stateDir: join(dir, 'state'), dockerSocket: '', simLatencyMs: 5, simFailureRate: 0, assignmentsFile: file };
    const metrics = createMetrics({ app: 'node-agent', version: 'test', collectDefaults: false });
    const first = await startAgent(config, silentLogger(), metrics);
    await until(() => [...first.worker.statuses().values()].filter((s) => s.state === TaskState.RUNNING).length === 2);
    const running = 'shoal_agent_tasks{state="RUNNING"} 2';
    await until(async () =>
      (await metrics.registry.getSingleMetricAsString('shoal_agent_tasks')).includes(running));
    await first.stop();
    const second = await startAgent({ ...config, assignmentsFile: undefined }, silentLogger(), createMetrics({ app: 'node-agent', version: 'test', collectDefaults: false }));
    expect([...second.worker.statuses().keys()].sort()).toEqual(['task1', 'task2']);
    await second.stop();
  });
});
