// Goal: reported task statuses are accepted only for the caller's own tasks, only forwards
// and only when they say something new; the batcher keeps the last write per key and flushes
// at 100 ms or 10,000 items.
// Method: table checks of validateStatus on partial tasks; a LastWriteBatcher driven with
// explicit times from a ManualClock.
import { describe, expect, it } from '@jest/globals';
import { ManualClock } from '@shoal/clock';
import { DISPATCHER_LIMITS } from '@shoal/limits';
import { Task, TaskState, TaskStatus } from '@shoal/proto';
import { LastWriteBatcher } from './batcher';
import { validateStatus } from './status-update';

const status = (state: TaskState, message = ''): TaskStatus => TaskStatus.fromPartial({ state, message });
const mine = Task.fromPartial({ id: 't1', nodeId: 'n1', schedulerStatus: { state: TaskState.ASSIGNED } });

describe('validateStatus', () => {
  it('judges ownership, direction and novelty', () => {
    const running = { ...mine, status: status(TaskState.RUNNING, 'started') };
    expect(validateStatus('n1', undefined, status(TaskState.RUNNING))).toBe('unknown');
    expect(validateStatus('n2', mine, status(TaskState.RUNNING))).toBe('denied');
    expect(validateStatus('n1', mine, status(TaskState.ACCEPTED))).toBe('accept');
    expect(validateStatus('n1', running, status(TaskState.PREPARING))).toBe('backward');
    expect(validateStatus('n1', running, { ...status(TaskState.RUNNING, 'started'),
      timestamp: new Date(5) })).toBe('identical');
    expect(validateStatus('n1', running, status(TaskState.RUNNING, 'healthy'))).toBe('accept');
    expect(validateStatus('n1', running, status(TaskState.FAILED))).toBe('accept');
  });
});

describe('LastWriteBatcher', () => {
  // SwarmKit's 100 ms interval, so the times below read as SwarmKit's (Shoal's own is shorter).
  const limits = { intervalMs: 100, maxItems: DISPATCHER_LIMITS.statusBatchMaxItems };

  it('is due 100 ms after the first queued item, keeping the last value per key', () => {
    const clock = new ManualClock(0);
    const batch = new LastWriteBatcher<string>(limits);
    expect(batch.due(clock.now())).toBe(false);
    batch.add('t1', 'ACCEPTED', clock.now());
    clock.advance(60);
    batch.add('t1', 'RUNNING', clock.now());
    batch.add('t2', 'RUNNING', clock.now());
    clock.advance(39);
    expect(batch.due(clock.now())).toBe(false);
    clock.advance(1);
    expect(batch.due(clock.now())).toBe(true);
    const taken = batch.take();
    expect([...taken].map(([k, v]) => [k, v.value, v.queuedAtMs])).toEqual([['t1', 'RUNNING', 0], ['t2', 'RUNNING', 60]]);
    expect(batch.size).toBe(0);
    expect(batch.due(clock.now() + 1_000)).toBe(false);
  });

  it('is due at once at 10,000 items', () => {
    const batch = new LastWriteBatcher<number>(limits);
    for (let i = 0; i < 9_999; i++) batch.add(`t${i}`, i, 0);
    expect(batch.due(0)).toBe(false);
    batch.add('t9999', 1, 0);
    expect(batch.due(0)).toBe(true);
  });
});
