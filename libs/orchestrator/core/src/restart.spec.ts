// Goal: pin the restart supervisor: conditions (none, on-failure, any; any-as-on-failure for
// jobs), the restart delay and its exceptions, waiting for the old task (or its node, or the
// 1-minute timeout), max attempts with and without a window, history reset on a new spec
// version, and rebuilding the history from stored tasks (taskinit).
// Method: a World (fake store + agents) driven through planReplicated passes with explicit
// virtual time, comparing each pass's rendered actions; history values compared directly.
import { NodeSpec_Availability, RestartPolicy_Condition, TaskState, type Service } from '@shoal/proto';
import { planReplicated } from './replicated';
import { EMPTY_RESTART_HISTORY, rebuildRestartHistory, recordRestart, type RestartHistory } from './restart-history';
import { at, briefs, counterIds, nodeOf, serviceOf, taskOf, type ServiceOptions } from './testdata/fixtures';
import { World } from './testdata/world';

const { FAILED, COMPLETE, RUNNING } = TaskState;

function setup(o: ServiceOptions, nodes = [nodeOf('n1')]) {
  const service = serviceOf({ replicas: 1, ...o });
  const world = new World(nodes, [taskOf(service, { id: 'a', slot: 1, nodeId: 'n1' })]);
  world.services.set(service.id, service);
  world.nowMs = at(100).getTime();
  const ids = counterIds();
  let history: RestartHistory | undefined;
  const pass = (carry = false): string[] => {
    const s = world.services.get(service.id) as Service;
    const plan = planReplicated(s, world.list(), world.nodes, undefined, world.nowMs, ids,
      carry ? { history } : {});
    world.apply(plan.actions);
    history = plan.history;
    return briefs(plan.actions);
  };
  /** failNewest fails the newest runnable task (it must have run first). */
  const failNewest = (state = FAILED) => {
    const live = world.list().filter((t) => t.desiredState <= RUNNING);
    const newest = live[live.length - 1];
    if (newest === undefined) throw new Error('no live task');
    world.observe(newest.id, state);
  };
  return { world, pass, failNewest, history: () => history };
}

describe('restart supervisor', () => {
  it.each([
    { condition: RestartPolicy_Condition.NONE, state: FAILED, restarts: false },
    { condition: RestartPolicy_Condition.ON_FAILURE, state: COMPLETE, restarts: false },
    { condition: RestartPolicy_Condition.ON_FAILURE, state: FAILED, restarts: true },
    { condition: RestartPolicy_Condition.ANY, state: COMPLETE, restarts: true },
  ])('condition $condition after $state: restarts=$restarts', ({ condition, state, restarts }) => {
    const { pass, failNewest } = setup({ restart: { condition } });
    failNewest(state);
    expect(pass()).toEqual(restarts
      ? ['update a SHUTDOWN', 'create new1 slot=1 v1 RUNNING']
      : ['update a SHUTDOWN']);
    expect(pass()).toEqual([]); // a slot whose task must not restart stays occupied
  });

  it('waits the restart delay, then starts the replacement', () => {
    const { world, pass, failNewest } = setup({ restart: { delayMs: 5000 } });
    failNewest();
    expect(pass()).toEqual(['update a SHUTDOWN', 'create new1 slot=1 v1 READY', 'requeue 5000']);
    world.nowMs += 4000;
    expect(pass()).toEqual(['requeue 1000']);
    world.nowMs += 1000;
    expect(pass()).toEqual(['update new1 RUNNING']);
  });

  it('a held replacement that fails is restarted only after its own delay', () => {
    const { world, pass, failNewest } = setup({ restart: { delayMs: 5000 } });
    failNewest();
    pass();
    world.step(); // new1 assigned while held
    world.observe('new1', TaskState.REJECTED);
    expect(pass()).toEqual(['requeue 5000']);
    world.nowMs += 5000;
    expect(pass()).toEqual(['update new1 SHUTDOWN', 'create new2 slot=1 v1 READY', 'requeue 5000']);
  });

  it('no delay on a drained node, but the replacement waits for the old task to stop', () => {
    const { world, pass } = setup({ restart: { delayMs: 5000 } }, [nodeOf('n1'), nodeOf('n2')]);
    world.nodes = [nodeOf('n1', { availability: NodeSpec_Availability.DRAIN }), nodeOf('n2')];
    expect(pass()).toEqual(['update a SHUTDOWN', 'create new1 slot=1 v1 READY', 'requeue 60000']);
    world.step(); // a stops on n1; new1 assigned to n2
    expect(pass()).toEqual(['update new1 RUNNING']);
  });

  it('the old-task timeout (1 min) starts the replacement anyway', () => {
    const { world, pass } = setup({}, [nodeOf('n1'), nodeOf('n2')]);
    world.nodes = [nodeOf('n1', { availability: NodeSpec_Availability.DRAIN }), nodeOf('n2')];
    pass();
    world.nowMs += 59_000;
    expect(pass()).toEqual(['requeue 1000']);
    world.nowMs += 1000;
    expect(pass()).toEqual(['update new1 RUNNING']);
  });

  it('max_attempts without a window caps restarts per slot', () => {
    const { world, pass, failNewest } = setup({ restart: { maxAttempts: 2 } });
    for (const want of ['create new1 slot=1 v1 RUNNING', 'create new2 slot=1 v1 RUNNING']) {
      failNewest();
      expect(pass()).toContain(want);
      world.step();
      world.step();
      world.nowMs += 1000;
    }
    failNewest();
    expect(pass()).toEqual(['update new2 SHUTDOWN']);
  });

  it('max_attempts within a window counts only recent restarts', () => {
    const { world, pass, failNewest } = setup({ restart: { maxAttempts: 1, windowMs: 10_000 } });
    failNewest();
    expect(pass()).toContain('create new1 slot=1 v1 RUNNING');
    world.step();
    world.step();
    world.nowMs += 5000;
    failNewest(); // new1 fails 5 s after its restart: inside the window
    expect(pass()).toEqual(['update new1 SHUTDOWN']);
  });

  it('restarts older than the window no longer count', () => {
    const { world, pass, failNewest } = setup({ restart: { maxAttempts: 1, windowMs: 10_000 } });
    failNewest();
    pass();
    world.step();
    world.step();
    world.nowMs += 20_000;
    failNewest();
    expect(pass()).toContain('create new2 slot=1 v1 RUNNING');
  });

  it('a carried history equals the one rebuilt from stored tasks (taskinit)', () => {
    const { world, pass, failNewest, history } = setup({ restart: { maxAttempts: 5, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++) {
      failNewest();
      pass(true);
      world.step();
      world.step();
      world.nowMs += 1000;
    }
    const rebuilt = rebuildRestartHistory(world.list(), () => false, world.nowMs);
    expect(rebuilt).toEqual(history());
    expect(rebuilt.slots['svc/1']).toEqual({
      specVersion: 1, totalRestarts: 3,
      restartTimesMs: [at(100).getTime(), at(101).getTime(), at(102).getTime()],
    });
  });

  it('a new spec version resets the slot\'s history', () => {
    const service = serviceOf({ restart: { maxAttempts: 1 } });
    const v2 = serviceOf({ restart: { maxAttempts: 1 }, version: 2 });
    const tasks = [
      taskOf(service, { id: 'a', slot: 1, created: 0, desired: TaskState.SHUTDOWN, observed: FAILED }),
      taskOf(service, { id: 'b', slot: 1, created: 1 }),
      taskOf(v2, { id: 'c', slot: 1, created: 2 }),
    ];
    // Only version 2 counts, and c is its first task: no restart yet.
    expect(rebuildRestartHistory(tasks, () => false, at(3).getTime())).toEqual(EMPTY_RESTART_HISTORY);
    const v1History = rebuildRestartHistory(tasks.slice(0, 2), () => false, at(3).getTime());
    expect(v1History.slots['svc/1']?.totalRestarts).toBe(1);
    const reset = recordRestart(v1History, 'svc/1', taskOf(v2, { id: 'd', slot: 1 }), at(4).getTime());
    expect(reset.slots['svc/1']).toEqual({ specVersion: 2, totalRestarts: 1, restartTimesMs: [] });
  });
});
