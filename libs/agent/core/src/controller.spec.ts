// Goal: step() follows SwarmKit's exec.Do: one transition or one operation per call, REJECTED
// for fatal errors before STARTING and FAILED after, exit codes and OOM mapped to COMPLETE or
// FAILED, health keeping STARTING, temporary errors retried with capped doubling backoff,
// desired ≥ SHUTDOWN stopping the task, and states never moving backwards.
// Method: a table of (desired, observed, last outcome) → expected decision, then a driver
// that runs whole lifecycles against scripted outcomes, then a fast-check property over random
// inputs.
import fc from 'fast-check';
import { TASK_STATES, TaskState, type TaskStatus } from '@shoal/proto';
import {
  exitError,
  retryDelayMs,
  step,
  UNHEALTHY_ERROR,
  type LastOperation,
  type Operation,
  type OperationOutcome,
  type StepInput,
} from './controller';
import { AGENT_CORE_LIMITS } from '@shoal/limits';

const NOW = new Date('2024-01-01T00:00:00Z');
const S = TaskState;

function status(state: TaskState, extra: Partial<TaskStatus> = {}): TaskStatus {
  return { state, message: '', err: '', appliedBy: '', ...extra };
}

function input(desired: TaskState, state: TaskState, last?: LastOperation, extra: Partial<StepInput> = {}): StepInput {
  return { desiredState: desired, status: status(state), last, removed: false, retries: 0, now: NOW, ...extra };
}

const done: OperationOutcome = { kind: 'done' };
const fatal: OperationOutcome = { kind: 'fatal', error: 'boom' };
const temporary: OperationOutcome = { kind: 'temporary', error: 'engine unreachable' };

interface Row {
  readonly name: string;
  readonly desired: TaskState;
  readonly state: TaskState;
  readonly last?: LastOperation;
  readonly removed?: boolean;
  /** Expected new state (undefined = unchanged). */
  readonly to?: TaskState;
  readonly operation?: Operation;
  readonly message?: string;
  readonly err?: string;
}

const TABLE: readonly Row[] = [
  // Planning: pause states advance only while below desired.
  { name: 'NEW below RUNNING is accepted', desired: S.RUNNING, state: S.NEW, to: S.ACCEPTED, message: 'accepted' },
  { name: 'ASSIGNED below RUNNING is accepted', desired: S.RUNNING, state: S.ASSIGNED, to: S.ACCEPTED },
  { name: 'ACCEPTED below RUNNING moves to PREPARING', desired: S.RUNNING, state: S.ACCEPTED, to: S.PREPARING, message: 'preparing' },
  { name: 'PREPARING prepares', desired: S.RUNNING, state: S.PREPARING, operation: 'prepare' },
  { name: 'READY below RUNNING moves to STARTING', desired: S.RUNNING, state: S.READY, to: S.STARTING, message: 'starting' },
  { name: 'STARTING starts', desired: S.RUNNING, state: S.STARTING, operation: 'start' },
  { name: 'RUNNING waits', desired: S.RUNNING, state: S.RUNNING, operation: 'wait' },
  { name: 'READY with desired READY pauses', desired: S.READY, state: S.READY },
  { name: 'ACCEPTED with desired READY moves to PREPARING', desired: S.READY, state: S.ACCEPTED, to: S.PREPARING },
  { name: 'PREPARING with desired READY still prepares (may pass desired)', desired: S.READY, state: S.PREPARING, operation: 'prepare' },
  { name: 'RUNNING with desired COMPLETE (job) waits', desired: S.COMPLETE, state: S.RUNNING, operation: 'wait' },
  { name: 'ASSIGNED with desired ASSIGNED does nothing', desired: S.ASSIGNED, state: S.ASSIGNED },
  { name: 'COMPLETE with desired RUNNING stays (terminal)', desired: S.RUNNING, state: S.COMPLETE },
  { name: 'FAILED with desired RUNNING stays (terminal)', desired: S.RUNNING, state: S.FAILED },
  // Desired ≥ SHUTDOWN.
  { name: 'RUNNING with desired SHUTDOWN shuts down', desired: S.SHUTDOWN, state: S.RUNNING, operation: 'shutdown' },
  { name: 'ACCEPTED with desired SHUTDOWN shuts down', desired: S.SHUTDOWN, state: S.ACCEPTED, operation: 'shutdown' },
  { name: 'NEW with desired REMOVE shuts down first', desired: S.REMOVE, state: S.NEW, operation: 'shutdown' },
  { name: 'COMPLETE with desired SHUTDOWN stays', desired: S.SHUTDOWN, state: S.COMPLETE },
  { name: 'SHUTDOWN with desired REMOVE removes', desired: S.REMOVE, state: S.SHUTDOWN, operation: 'remove' },
  { name: 'FAILED with desired REMOVE removes', desired: S.REMOVE, state: S.FAILED, operation: 'remove' },
  { name: 'removed task with desired REMOVE is idle', desired: S.REMOVE, state: S.SHUTDOWN, removed: true },
  // Settling outcomes.
  { name: 'prepare done → READY', desired: S.RUNNING, state: S.PREPARING, last: { operation: 'prepare', outcome: done }, to: S.READY, message: 'prepared' },
  { name: 'prepare fatal → REJECTED', desired: S.RUNNING, state: S.PREPARING, last: { operation: 'prepare', outcome: fatal }, to: S.REJECTED, err: 'boom' },
  { name: 'prepare temporary → retry prepare', desired: S.RUNNING, state: S.PREPARING, last: { operation: 'prepare', outcome: temporary }, operation: 'prepare' },
  { name: 'start done → RUNNING', desired: S.RUNNING, state: S.STARTING, last: { operation: 'start', outcome: done }, to: S.RUNNING, message: 'started' },
  { name: 'start fatal → FAILED (at STARTING)', desired: S.RUNNING, state: S.STARTING, last: { operation: 'start', outcome: fatal }, to: S.FAILED, err: 'boom' },
  { name: 'start starting (health pending) → poll start', desired: S.RUNNING, state: S.STARTING, last: { operation: 'start', outcome: { kind: 'starting' } }, operation: 'start' },
  { name: 'start unhealthy → FAILED', desired: S.RUNNING, state: S.STARTING, last: { operation: 'start', outcome: { kind: 'unhealthy' } }, to: S.FAILED, err: UNHEALTHY_ERROR },
  { name: 'start exited 0 → COMPLETE', desired: S.RUNNING, state: S.STARTING, last: { operation: 'start', outcome: { kind: 'exited', exitCode: 0, oomKilled: false } }, to: S.COMPLETE },
  { name: 'wait exit 0 → COMPLETE', desired: S.RUNNING, state: S.RUNNING, last: { operation: 'wait', outcome: { kind: 'exited', exitCode: 0, oomKilled: false } }, to: S.COMPLETE, message: 'finished' },
  { name: 'wait exit 3 → FAILED', desired: S.RUNNING, state: S.RUNNING, last: { operation: 'wait', outcome: { kind: 'exited', exitCode: 3, oomKilled: false } }, to: S.FAILED, err: 'task: non-zero exit (3)' },
  { name: 'wait exit 137 (killed) → FAILED', desired: S.RUNNING, state: S.RUNNING, last: { operation: 'wait', outcome: { kind: 'exited', exitCode: 137, oomKilled: false } }, to: S.FAILED, err: 'task: non-zero exit (137)' },
  { name: 'wait OOM → FAILED even with exit 0', desired: S.RUNNING, state: S.RUNNING, last: { operation: 'wait', outcome: { kind: 'exited', exitCode: 0, oomKilled: true } }, to: S.FAILED, err: exitError(0, true) },
  { name: 'wait unhealthy → FAILED', desired: S.RUNNING, state: S.RUNNING, last: { operation: 'wait', outcome: { kind: 'unhealthy' } }, to: S.FAILED, err: UNHEALTHY_ERROR },
  { name: 'wait fatal (container gone) → FAILED', desired: S.RUNNING, state: S.RUNNING, last: { operation: 'wait', outcome: fatal }, to: S.FAILED, err: 'boom' },
  { name: 'wait temporary → retry wait', desired: S.RUNNING, state: S.RUNNING, last: { operation: 'wait', outcome: temporary }, operation: 'wait' },
  { name: 'shutdown done → SHUTDOWN', desired: S.SHUTDOWN, state: S.RUNNING, last: { operation: 'shutdown', outcome: done }, to: S.SHUTDOWN, message: 'shutdown' },
  { name: 'shutdown before start done → SHUTDOWN', desired: S.SHUTDOWN, state: S.ACCEPTED, last: { operation: 'shutdown', outcome: done }, to: S.SHUTDOWN },
  { name: 'shutdown fatal → terminate', desired: S.SHUTDOWN, state: S.RUNNING, last: { operation: 'shutdown', outcome: fatal }, operation: 'terminate' },
  { name: 'terminate done → SHUTDOWN', desired: S.SHUTDOWN, state: S.RUNNING, last: { operation: 'terminate', outcome: done }, to: S.SHUTDOWN, message: 'terminated' },
  { name: 'terminate fatal after start → FAILED', desired: S.SHUTDOWN, state: S.RUNNING, last: { operation: 'terminate', outcome: fatal }, to: S.FAILED },
  { name: 'terminate fatal before start → REJECTED', desired: S.SHUTDOWN, state: S.PREPARING, last: { operation: 'terminate', outcome: fatal }, to: S.REJECTED },
  { name: 'remove fatal → retry remove', desired: S.REMOVE, state: S.SHUTDOWN, last: { operation: 'remove', outcome: fatal }, operation: 'remove' },
];

describe('step: table', () => {
  it.each(TABLE.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const result = step(input(row.desired, row.state, row.last, { removed: row.removed ?? false }));
    expect(result.status.state).toBe(row.to ?? row.state);
    expect(result.changed).toBe(row.to !== undefined);
    expect(result.operation).toBe(row.operation);
    // One transition or one operation per call, never both.
    expect(result.changed && result.operation !== undefined).toBe(false);
    expect(result.idle).toBe(!result.changed && result.operation === undefined);
    if (row.message !== undefined) expect(result.status.message).toBe(row.message);
    if (row.err !== undefined) expect(result.status.err).toBe(row.err);
    if (result.changed) expect(result.status.timestamp).toEqual(NOW);
  });
});

describe('step: details', () => {
  it('records the exit code and container id on exit', () => {
    const start = input(S.RUNNING, S.RUNNING, {
      operation: 'wait',
      outcome: { kind: 'exited', exitCode: 3, oomKilled: false },
    }, { status: status(S.RUNNING, { containerStatus: { containerId: 'c1', pid: 42, exitCode: 0 } }) });
    const result = step(start);
    expect(result.status.containerStatus).toEqual({ containerId: 'c1', pid: 42, exitCode: 3 });
  });

  it('a health poll reports a new container id without leaving STARTING', () => {
    const result = step(input(S.RUNNING, S.STARTING, {
      operation: 'start',
      outcome: { kind: 'starting', container: { containerId: 'c9', pid: 7, exitCode: 0 } },
    }));
    expect(result.changed).toBe(true);
    expect(result.status.state).toBe(S.STARTING);
    expect(result.operation).toBe('start');
    expect(result.delayMs).toBe(AGENT_CORE_LIMITS.healthPollMs);
  });

  it('temporary failures back off, doubling up to the cap', () => {
    let retries = 0;
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = step(input(S.RUNNING, S.PREPARING, { operation: 'prepare', outcome: temporary }, { retries }));
      delays.push(r.delayMs);
      retries = r.retries;
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(retryDelayMs(1, { ...AGENT_CORE_LIMITS, retryInitialMs: 10, retryMaxMs: 25 })).toBe(10);
    expect(retryDelayMs(3, { ...AGENT_CORE_LIMITS, retryInitialMs: 10, retryMaxMs: 25 })).toBe(25);
  });

  it('a success after retries resets the retry count', () => {
    const r = step(input(S.RUNNING, S.PREPARING, { operation: 'prepare', outcome: done }, { retries: 4 }));
    expect(r.retries).toBe(0);
  });

  it('remove done marks the task removed and idle', () => {
    const r = step(input(S.REMOVE, S.SHUTDOWN, { operation: 'remove', outcome: done }));
    expect(r).toMatchObject({ removed: true, idle: true, changed: false, operation: undefined });
  });

  it('asserts on unknown states', () => {
    expect(() => step(input(TaskState.UNRECOGNIZED, S.NEW))).toThrow(/known task state/);
  });
});

/** drive runs steps until idle, answering each operation from `answers` (default: done). */
function drive(
  desired: TaskState,
  answers: Partial<Record<Operation, OperationOutcome[]>>,
  from: TaskState = S.ASSIGNED,
): { states: TaskState[]; operations: Operation[]; final: TaskStatus } {
  let current = status(from);
  let last: LastOperation | undefined;
  let retries = 0;
  let removed = false;
  const states: TaskState[] = [];
  const operations: Operation[] = [];
  for (let i = 0; i < 100; i++) {
    const r = step({ desiredState: desired, status: current, last, removed, retries, now: NOW });
    current = r.status;
    retries = r.retries;
    removed = r.removed;
    last = undefined;
    if (r.changed) states.push(r.status.state);
    if (r.idle) return { states, operations, final: current };
    if (r.operation !== undefined) {
      operations.push(r.operation);
      const queue = answers[r.operation];
      last = { operation: r.operation, outcome: queue?.shift() ?? done };
    }
  }
  throw new Error('did not settle in 100 steps');
}

describe('step: lifecycles', () => {
  it('ASSIGNED → … → RUNNING → COMPLETE on a clean exit', () => {
    const run = drive(S.RUNNING, { wait: [{ kind: 'exited', exitCode: 0, oomKilled: false }] });
    expect(run.states).toEqual([S.ACCEPTED, S.PREPARING, S.READY, S.STARTING, S.RUNNING, S.COMPLETE]);
    expect(run.operations).toEqual(['prepare', 'start', 'wait']);
  });

  it('a healthcheck keeps STARTING until healthy', () => {
    const run = drive(S.RUNNING, {
      start: [{ kind: 'starting' }, { kind: 'starting' }, done],
      wait: [{ kind: 'exited', exitCode: 1, oomKilled: false }],
    });
    expect(run.operations).toEqual(['prepare', 'start', 'start', 'start', 'wait']);
    expect(run.final.state).toBe(S.FAILED);
    expect(run.final.err).toBe('task: non-zero exit (1)');
  });

  it('a bad image is REJECTED', () => {
    const run = drive(S.RUNNING, { prepare: [{ kind: 'fatal', error: 'No such image: nope' }] });
    expect(run.final.state).toBe(S.REJECTED);
    expect(run.final.err).toBe('No such image: nope');
  });

  it('SHUTDOWN then REMOVE', () => {
    const stopped = drive(S.SHUTDOWN, {}, S.RUNNING);
    expect(stopped.states).toEqual([S.SHUTDOWN]);
    const removed = drive(S.REMOVE, {}, S.SHUTDOWN);
    expect(removed.operations).toEqual(['remove']);
  });
});

describe('step: properties', () => {
  const states = fc.constantFrom(...TASK_STATES);
  const outcome: fc.Arbitrary<OperationOutcome> = fc.oneof(
    fc.constant<OperationOutcome>(done),
    fc.constant<OperationOutcome>(fatal),
    fc.constant<OperationOutcome>(temporary),
    fc.record({ kind: fc.constant('exited' as const), exitCode: fc.integer({ min: 0, max: 255 }), oomKilled: fc.boolean() }),
  );

  it('over random lifecycles: never moves backwards, one transition or one operation per call', () => {
    const healthy = fc.oneof(outcome, fc.constant<OperationOutcome>({ kind: 'starting' }), fc.constant<OperationOutcome>({ kind: 'unhealthy' }));
    fc.assert(
      fc.property(states, fc.constantFrom(S.NEW, S.ASSIGNED, S.ACCEPTED, S.PREPARING, S.READY, S.STARTING, S.RUNNING),
        fc.array(healthy, { maxLength: 40 }), (desired, from, script) => {
        let current = status(from);
        let lastOp: LastOperation | undefined;
        let retries = 0;
        let removed = false;
        for (let i = 0; i < 60; i++) {
          const r = step({ desiredState: desired, status: current, last: lastOp, removed, retries, now: NOW });
          expect(r.status.state).toBeGreaterThanOrEqual(current.state);
          expect(r.changed && r.operation !== undefined && r.operation !== 'start').toBe(false);
          if (r.changed && r.status.state === S.REJECTED) expect(current.state).toBeLessThan(S.STARTING);
          if (r.delayMs > 0) expect(r.delayMs).toBeLessThanOrEqual(AGENT_CORE_LIMITS.retryMaxMs);
          current = r.status;
          retries = r.retries;
          removed = r.removed;
          lastOp = undefined;
          if (r.idle) break;
          if (r.operation !== undefined) {
            let answer = script.shift() ?? done;
            // Runtimes report exits only from start and wait, health only from start (and
            // unhealthy from wait).
            const op = r.operation;
            if (answer.kind === 'exited' && op !== 'start' && op !== 'wait') answer = done;
            if (answer.kind === 'starting' && op !== 'start') answer = done;
            if (answer.kind === 'unhealthy' && op !== 'start' && op !== 'wait') answer = done;
            lastOp = { operation: op, outcome: answer };
          }
        }
      }),
    );
  });

  it('without an outcome, acts only while observed < desired or to stop', () => {
    fc.assert(
      fc.property(states, states, (desired, state) => {
        const r = step(input(desired, state));
        if (r.operation === 'prepare' || r.operation === 'start' || r.operation === 'wait') {
          expect(desired).toBeLessThan(S.SHUTDOWN);
          expect(state).toBeLessThanOrEqual(desired);
        }
        if (r.changed) expect(state).toBeLessThan(desired);
        if (desired >= S.SHUTDOWN && state < S.COMPLETE) expect(r.operation).toBe('shutdown');
      }),
    );
  });
});
