// Goal: the status reporter keeps the latest status per task (never a lower state), waits
// while no session is attached, retries a failed send, and removes a status only once a send
// carrying it succeeded with nothing newer queued meanwhile.
// Method: a ManualClock for its timers and a scripted sender.
import { describe, expect, it } from '@jest/globals';
import { ManualClock } from '@shoal/clock';
import { TaskState, type TaskStatus, type TaskStatusUpdate } from '@shoal/proto';
import { SessionStatusReporter } from './status-reporter';

const st = (state: TaskState): TaskStatus => ({ state, message: '', err: '', appliedBy: '' });
const flush = async (clock: ManualClock, ms = 0): Promise<void> => {
  clock.advance(ms);
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('SessionStatusReporter', () => {
  it('waits for a session, sends the latest status per task, never a lower one', async () => {
    const clock = new ManualClock(0);
    const r = new SessionStatusReporter({ timers: clock, retryMs: 1_000 });
    r.report('t1', st(TaskState.PREPARING));
    r.report('t1', st(TaskState.RUNNING));
    r.report('t1', st(TaskState.READY)); // lower: dropped
    r.report('t2', st(TaskState.FAILED));
    await flush(clock, 10);
    expect(r.size).toBe(2);
    const sent: TaskStatusUpdate[][] = [];
    r.attach((u) => {
      sent.push(u);
      return Promise.resolve();
    });
    await flush(clock);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.map((u) => [u.taskId, u.status?.state])).toEqual([['t1', TaskState.RUNNING], ['t2', TaskState.FAILED]]);
    expect(r.size).toBe(0);
  });

  it('keeps what a failed send carried and retries it after retryMs', async () => {
    const clock = new ManualClock(0);
    const r = new SessionStatusReporter({ timers: clock, retryMs: 1_000 });
    let fail = true;
    const sent: string[] = [];
    r.attach((u) => {
      sent.push(u.map((x) => x.taskId).join(','));
      return fail ? Promise.reject(new Error('unavailable')) : Promise.resolve();
    });
    r.report('t1', st(TaskState.RUNNING));
    await flush(clock);
    expect(sent).toEqual(['t1']);
    expect(r.size).toBe(1);
    fail = false;
    await flush(clock, 999);
    expect(sent).toEqual(['t1']);
    await flush(clock, 1);
    expect(sent).toEqual(['t1', 't1']);
    expect(r.size).toBe(0);
    r.close();
  });
});
