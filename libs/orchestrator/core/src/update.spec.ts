// Goal: pin the rolling updater's sequencing and status machine: stop-first and start-first
// across several passes, parallelism and delay, failure ratio → pause or rollback, force
// update, placement-only changes, completion after the monitor window, resume from facts.
// Method: seed a World (fake store + agents), call planReplicated, apply its actions, advance
// the world by explicit steps and virtual time between passes, and compare each pass's
// rendered action list with the expected one. No sleeps.
import { TaskState, UpdateConfig_FailureAction, UpdateConfig_Order, UpdateStatus_State, type Service } from '@shoal/proto';
import { planReplicated } from './replicated';
import { at, briefs, counterIds, nodeOf, serviceOf, specOf, taskOf, type ServiceOptions } from './testdata/fixtures';
import { World } from './testdata/world';

const { FAILED } = TaskState;

/** setup seeds `replicas` running v1 tasks a, b, c… on n1, n2, … and a v2 service. */
function setup(v2: ServiceOptions, replicas = 2) {
  const v1 = serviceOf({ replicas, version: 1 });
  const nodes = ['n1', 'n2', 'n3'].map((n) => nodeOf(n));
  const tasks = Array.from({ length: replicas }, (_, i) =>
    taskOf(v1, { id: String.fromCharCode(97 + i), slot: i + 1, nodeId: `n${(i % 3) + 1}` }));
  const world = new World(nodes, tasks);
  const service = serviceOf({ replicas, version: 2, image: 'nginx:2', ...v2, previous: { spec: specOf({ replicas }), version: 1 } });
  world.services.set(service.id, service);
  world.nowMs = at(100).getTime();
  const ids = counterIds();
  const pass = (): string[] => {
    const s = world.services.get(service.id) as Service;
    const plan = planReplicated(s, world.list(), world.nodes, undefined, world.nowMs, ids);
    world.apply(plan.actions);
    return briefs(plan.actions);
  };
  const status = () => world.services.get(service.id)?.updateStatus;
  return { world, pass, status };
}

describe('rolling update', () => {
  it('stop-first: old stops, then the new one starts, one slot at a time, then completes', () => {
    const { world, pass, status } = setup({});
    expect(pass()).toEqual(['update a SHUTDOWN', 'create new1 slot=1 v2 READY',
      'status UPDATING: update in progress', 'requeue 60000']);
    world.step(); // a stops, new1 is assigned
    expect(pass()).toEqual(['update new1 RUNNING']);
    expect(pass()).toEqual([]); // slot 1 busy until new1 runs
    world.step(); // new1 runs
    expect(pass()).toEqual(['update b SHUTDOWN', 'create new2 slot=2 v2 READY', 'requeue 60000']);
    world.step();
    expect(pass()).toEqual(['update new2 RUNNING']);
    world.step();
    expect(pass()).toEqual(['requeue 5000']); // monitoring the last task
    world.nowMs += 5000;
    expect(pass()).toEqual(['status COMPLETED: update completed']);
    expect(status()?.completedAt).toEqual(new Date(world.nowMs));
    expect(pass()).toEqual([]);
  });

  it('start-first: the new task starts first; the old stops once the new one runs', () => {
    const { world, pass } = setup({ update: { order: UpdateConfig_Order.START_FIRST } });
    expect(pass()).toEqual(['create new1 slot=1 v2 RUNNING', 'status UPDATING: update in progress']);
    world.step(); // new1 assigned
    expect(pass()).toEqual([]);
    world.step(); // new1 runs
    expect(pass()).toEqual(['update a SHUTDOWN', 'create new2 slot=2 v2 RUNNING']);
    world.step();
    world.step();
    expect(pass()).toEqual(['update b SHUTDOWN']);
    world.step();
    expect(pass()).toEqual(['requeue 5000']);
  });

  it('parallelism 0 updates every slot at once', () => {
    const { pass } = setup({ update: { parallelism: 0 } }, 3);
    expect(pass()).toEqual([
      'update a SHUTDOWN', 'create new1 slot=1 v2 READY',
      'update b SHUTDOWN', 'create new2 slot=2 v2 READY',
      'update c SHUTDOWN', 'create new3 slot=3 v2 READY',
      'status UPDATING: update in progress', 'requeue 60000',
    ]);
  });

  it('delay holds the next batch until delay after the previous task runs', () => {
    const { world, pass } = setup({ update: { delayMs: 10_000 } });
    pass();
    world.step();
    pass(); // new1 promoted
    world.step(); // new1 runs at t
    expect(pass()).toEqual(['requeue 10000']);
    world.nowMs += 10_000;
    expect(pass()).toEqual(['update b SHUTDOWN', 'create new2 slot=2 v2 READY', 'requeue 60000']);
  });

  it('a failure beyond max_failure_ratio pauses the update (the restart still happens)', () => {
    const { world, pass, status } = setup({});
    pass();
    world.step();
    pass();
    world.observe('new1', FAILED);
    expect(pass()).toEqual(['update new1 SHUTDOWN', 'create new2 slot=1 v2 RUNNING',
      'status PAUSED: update paused due to failure or early termination of task new1']);
    expect(status()?.state).toBe(UpdateStatus_State.PAUSED);
    world.step();
    world.step();
    expect(pass()).toEqual([]); // paused: slot 2 stays on v1
  });

  it('failures within max_failure_ratio continue', () => {
    const { world, pass } = setup({ update: { maxFailureRatio: 0.5 } });
    pass();
    world.step();
    pass();
    world.observe('new1', FAILED);
    // Slot 1's update task ended, so its worker moves on to slot 2.
    expect(pass()).toEqual(['update new1 SHUTDOWN', 'create new2 slot=1 v2 RUNNING',
      'update b SHUTDOWN', 'create new3 slot=2 v2 READY', 'requeue 60000']);
  });

  it('failure action ROLLBACK starts a rollback that converges to previous_spec', () => {
    const { world, pass, status } = setup({ update: { failureAction: UpdateConfig_FailureAction.ROLLBACK } });
    pass();
    world.step();
    pass();
    world.observe('new1', FAILED);
    expect(pass()).toEqual(['update new1 SHUTDOWN', 'create new2 slot=1 v2 RUNNING',
      'status ROLLBACK_STARTED: update rolled back due to failure or early termination of task new1',
      'requeue 1']);
    world.step();
    // Now the target is v1: slot 1 (v2 replacement) is dirty; slot 2 (v1) is clean.
    expect(pass()).toEqual(['update new2 SHUTDOWN', 'create new3 slot=1 v1 READY', 'requeue 60000']);
    world.step();
    expect(pass()).toEqual(['update new3 RUNNING']);
    world.step();
    expect(pass()).toEqual(['requeue 5000']);
    world.nowMs += 5000;
    expect(pass()).toEqual(['status ROLLBACK_COMPLETED: rollback completed']);
    expect(status()?.state).toBe(UpdateStatus_State.ROLLBACK_COMPLETED);
    expect(pass()).toEqual([]); // stays on previous_spec
  });

  it('force_update makes every task dirty', () => {
    const { pass } = setup({ image: 'nginx:1', forceUpdate: 1 });
    expect(pass()).toContain('create new1 slot=1 v2 READY');
  });

  it('a spec change that is not in the task spec is not an update', () => {
    const { pass } = setup({ image: 'nginx:1' });
    expect(pass()).toEqual([]);
  });

  it('placement-only changes are not dirty while the nodes still satisfy them', () => {
    const { pass } = setup({ image: 'nginx:1', constraints: ['node.hostname!=elsewhere'] });
    expect(pass()).toEqual([]);
  });

  it('placement-only changes the node no longer satisfies are dirty', () => {
    const { pass } = setup({ image: 'nginx:1', constraints: ['node.hostname==elsewhere'] });
    expect(pass()[1]).toBe('create new1 slot=1 v2 READY');
  });

  it('a new replica resumes an update from stored facts alone', () => {
    const { world, pass } = setup({});
    pass();
    world.step();
    // A new orchestrator replica: fresh id source, no memory; same facts.
    const s = world.services.get('svc') as Service;
    const plan = planReplicated(s, world.list(), world.nodes, undefined, world.nowMs, counterIds('r'));
    expect(briefs(plan.actions)).toEqual(['update new1 RUNNING']);
  });

  it('a user spec change while paused resumes with the new spec', () => {
    const { world, pass } = setup({});
    pass();
    world.step();
    pass();
    world.observe('new1', FAILED);
    pass(); // paused
    const paused = world.services.get('svc') as Service;
    world.services.set('svc', { ...paused, spec: specOf({ replicas: 2, image: 'nginx:3' }), specVersion: { index: 3 } });
    // new2 (the restart replacement) never got a node, so new3 need not wait for it.
    expect(pass()).toEqual(['update new2 SHUTDOWN', 'create new3 slot=1 v3 RUNNING',
      'status UPDATING: update in progress']);
  });

  it('a manual rollback to the first spec (spec_version unset) is recorded as ROLLBACK_STARTED', () => {
    const { world, pass } = setup({});
    const s = world.services.get('svc') as Service;
    world.services.set('svc', { ...s, spec: specOf({ replicas: 2, image: 'nginx:0' }), specVersion: undefined,
      previousSpecVersion: { index: 2 } });
    expect(pass()).toContain('status ROLLBACK_STARTED: manually requested rollback');
  });

  it('a manual rollback (spec_version went down) is recorded as ROLLBACK_STARTED', () => {
    const { world, pass } = setup({});
    const s = world.services.get('svc') as Service;
    // The user swapped in the previous spec (version 0, image nginx:0); tasks run version 1.
    const previous = specOf({ replicas: 2, image: 'nginx:0' });
    world.services.set('svc', { ...s, spec: previous, specVersion: { index: 0 }, previousSpecVersion: { index: 2 } });
    expect(pass()).toEqual(['update a SHUTDOWN', 'create new1 slot=1 v0 READY',
      'status ROLLBACK_STARTED: manually requested rollback', 'requeue 60000']);
    world.step();
    expect(pass()).toEqual(['update new1 RUNNING']);
  });
});
