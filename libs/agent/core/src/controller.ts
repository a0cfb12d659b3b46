// The node-agent's task controller state machine: SwarmKit's `exec.Do` as a pure function.
// One call decides at most one thing: either one state transition to report, or one runtime
// operation to perform (prepare, start, wait, shutdown, terminate, remove). The caller (the
// agent's task manager) performs the operation and feeds its outcome into the next call.
import { assert, assertNever } from '@shoal/assert';
import { TASK_STATES, TaskState, type ContainerStatus, type TaskStatus } from '@shoal/proto';
import { AGENT_CORE_LIMITS, type AgentCoreLimits } from '@shoal/limits';

/** Operation is one runtime step of a task's controller (SwarmKit's `exec.Controller` methods). */
export type Operation = 'prepare' | 'start' | 'wait' | 'shutdown' | 'terminate' | 'remove';

/** OPERATIONS lists every {@link Operation}. */
export const OPERATIONS: readonly Operation[] = Object.freeze([
  'prepare',
  'start',
  'wait',
  'shutdown',
  'terminate',
  'remove',
]);

/**
 * OperationOutcome is what the runtime reports after performing one operation: the runtime
 * facts the next step decides from.
 *
 * - `done`: the operation succeeded (for `start`: the task runs and is healthy, or has no
 *   healthcheck; already-prepared or already-started counts as done).
 * - `starting`: `start` only: the task runs but its healthcheck has not passed yet.
 * - `exited`: `start` or `wait` only: the task's process ended with `exitCode` (OOM-killed or not).
 * - `unhealthy`: `start` or `wait` only: the healthcheck failed; the runtime has stopped the task.
 * - `fatal`: the operation cannot succeed (bad spec, missing image, container gone…).
 * - `temporary`: the operation may succeed later (engine unreachable…): it is retried with backoff.
 */
export type OperationOutcome =
  | { readonly kind: 'done'; readonly container?: ContainerStatus }
  | { readonly kind: 'starting'; readonly container?: ContainerStatus }
  | {
      readonly kind: 'exited';
      readonly exitCode: number;
      readonly oomKilled: boolean;
      readonly container?: ContainerStatus;
    }
  | { readonly kind: 'unhealthy'; readonly container?: ContainerStatus }
  | { readonly kind: 'fatal'; readonly error: string; readonly container?: ContainerStatus }
  | { readonly kind: 'temporary'; readonly error: string };

/** LastOperation pairs an operation a step asked for with the outcome the runtime reported. */
export interface LastOperation {
  readonly operation: Operation;
  readonly outcome: OperationOutcome;
}

/** StepInput is everything one controller step decides from. */
export interface StepInput {
  /**
   * The task's desired state as the orchestrator wrote it; the caller passes REMOVE for a task
   * that is no longer assigned to this node.
   */
  readonly desiredState: TaskState;
  /** The agent's current status of the task (its observed state, as last reported). */
  readonly status: TaskStatus;
  /**
   * The outcome of the operation the previous step asked for; undefined when none ran (the
   * first step, a step after a transition, or after a task update cancelled the operation).
   */
  readonly last?: LastOperation | undefined;
  /** Whether the task's runtime resources (container, process) were already removed. */
  readonly removed: boolean;
  /** Consecutive temporary failures of the operation in `last` so far (0 before any). */
  readonly retries: number;
  /** The current time, stamped on any new status. */
  readonly now: Date;
  /** Overrides of {@link AGENT_CORE_LIMITS} (tests use short delays). */
  readonly limits?: Partial<AgentCoreLimits> | undefined;
}

/** StepResult is one step's decision. */
export interface StepResult {
  /** The status to report; the same object as the input's when nothing changed. */
  readonly status: TaskStatus;
  /** Whether `status` differs from the input's and so must be persisted and reported. */
  readonly changed: boolean;
  /** The operation to perform next, or undefined for none. */
  readonly operation: Operation | undefined;
  /** Ms to wait before performing `operation` (retry backoff, health polling); 0 = at once. */
  readonly delayMs: number;
  /** Consecutive temporary failures to pass to the next step. */
  readonly retries: number;
  /** Whether the task's runtime resources are removed (the task manager may then forget it). */
  readonly removed: boolean;
  /**
   * Whether the task is idle: no operation and no change, so the caller waits for a task update
   * before stepping again.
   */
  readonly idle: boolean;
}

/** UNHEALTHY_ERROR is the task error when its healthcheck fails (SwarmKit's ErrContainerUnhealthy). */
export const UNHEALTHY_ERROR = 'unhealthy container';

/** exitError is the task error for a non-zero exit, as SwarmKit words it. */
export function exitError(exitCode: number, oomKilled: boolean): string {
  const base = `task: non-zero exit (${exitCode})`;
  return oomKilled ? `${base}: container killed by the OOM killer` : base;
}

/** retryDelayMs is the backoff before retry number `retries` (1-based): doubling, capped. */
export function retryDelayMs(retries: number, limits: AgentCoreLimits = AGENT_CORE_LIMITS): number {
  assert(Number.isSafeInteger(retries) && retries >= 1, 'retry numbers start at 1');
  const exponent = Math.min(retries - 1, 30);
  return Math.min(limits.retryInitialMs * 2 ** exponent, limits.retryMaxMs);
}

const KNOWN_STATES = new Set<TaskState>(TASK_STATES);

/**
 * step performs one controller step of a task (SwarmKit's `exec.Do`, pure):
 *
 * 1. With `last`, it settles the outcome of the previous operation: success moves the task
 *    forward (prepare → READY, start → RUNNING, wait → COMPLETE, shutdown → SHUTDOWN); a fatal
 *    error gives REJECTED before STARTING and FAILED from STARTING on; a non-zero exit or an
 *    OOM kill gives FAILED ("task: non-zero exit (N)"), a failed healthcheck FAILED ("unhealthy
 *    container"); a pending healthcheck keeps STARTING and polls `start` again; a temporary
 *    error retries the same operation with doubling backoff; a failed shutdown escalates to
 *    terminate.
 * 2. Otherwise it plans: desired ≥ SHUTDOWN shuts a live task down (and removes it once desired
 *    is REMOVE); else PREPARING prepares, STARTING starts, RUNNING waits (these may pass the
 *    desired state), and the "pause" states NEW…ASSIGNED → ACCEPTED → PREPARING and READY →
 *    STARTING advance only while the state is below desired.
 *
 * A step returns either one transition or one operation, never both, except that a `start`
 * poll may also carry a new container status. States never move backwards.
 */
export function step(input: StepInput): StepResult {
  const { desiredState, status } = input;
  assert(KNOWN_STATES.has(desiredState), 'desired state is a known task state');
  assert(KNOWN_STATES.has(status.state), 'observed state is a known task state');
  assert(Number.isSafeInteger(input.retries) && input.retries >= 0, 'retries is a count');
  const limits: AgentCoreLimits = { ...AGENT_CORE_LIMITS, ...input.limits };
  const result = input.last === undefined ? plan(input) : settle(input, input.last, limits);
  assert(result.status.state >= status.state, 'task states never move backwards');
  return result;
}

/** settle applies the outcome of the previous operation. */
function settle(input: StepInput, last: LastOperation, limits: AgentCoreLimits): StepResult {
  const { status, now } = input;
  const { operation, outcome } = last;
  const failedState = status.state < TaskState.STARTING ? TaskState.REJECTED : TaskState.FAILED;
  const base = { removed: input.removed };
  switch (outcome.kind) {
    case 'temporary': {
      const retries = input.retries + 1;
      return { ...base, ...unchanged(status), operation, delayMs: retryDelayMs(retries, limits), retries };
    }
    case 'fatal':
      if (operation === 'shutdown') {
        // A stop that failed escalates to a kill before the task is given up on.
        return { ...base, ...unchanged(status), operation: 'terminate', delayMs: 0, retries: 0 };
      }
      if (operation === 'remove') {
        // Removal has no state to fail into: keep trying, with backoff.
        const retries = input.retries + 1;
        return { ...base, ...unchanged(status), operation, delayMs: retryDelayMs(retries, limits), retries };
      }
      return transition(input, failedState, failedState === TaskState.REJECTED ? 'rejected' : 'failed',
        outcome.error, outcome.container, now);
    case 'starting': {
      assert(operation === 'start', 'only start reports a pending healthcheck');
      const next = withContainer(status, outcome.container, now);
      const changed = next !== status;
      return { ...base, status: next, changed, operation: 'start', delayMs: limits.healthPollMs, retries: 0, idle: false };
    }
    case 'unhealthy':
      assert(operation === 'start' || operation === 'wait', 'only start and wait report health');
      return transition(input, TaskState.FAILED, 'failed', UNHEALTHY_ERROR, outcome.container, now);
    case 'exited': {
      assert(operation === 'start' || operation === 'wait', 'only start and wait report an exit');
      assert(Number.isSafeInteger(outcome.exitCode), 'exit code is an integer');
      const container = { containerId: '', pid: 0, ...status.containerStatus, ...outcome.container, exitCode: outcome.exitCode };
      if (outcome.exitCode === 0 && !outcome.oomKilled) {
        return transition(input, TaskState.COMPLETE, 'finished', '', container, now);
      }
      return transition(input, TaskState.FAILED, 'failed', exitError(outcome.exitCode, outcome.oomKilled), container, now);
    }
    case 'done':
      switch (operation) {
        case 'prepare':
          return transition(input, TaskState.READY, 'prepared', '', outcome.container, now);
        case 'start':
          return transition(input, TaskState.RUNNING, 'started', '', outcome.container, now);
        case 'wait':
          return transition(input, TaskState.COMPLETE, 'finished', '', outcome.container, now);
        case 'shutdown':
          return transition(input, TaskState.SHUTDOWN, 'shutdown', '', outcome.container, now);
        case 'terminate':
          return transition(input, TaskState.SHUTDOWN, 'terminated', '', outcome.container, now);
        case 'remove':
          return { ...unchanged(status), removed: true, operation: undefined, delayMs: 0, retries: 0, idle: true };
        default:
          return assertNever(operation, 'operation');
      }
    default:
      return assertNever(outcome, 'operation outcome');
  }
}

/** plan decides the next transition or operation from the desired and observed states. */
function plan(input: StepInput): StepResult {
  const { desiredState: desired, status, removed, now } = input;
  const current = status.state;
  const operate = (operation: Operation): StepResult => ({
    ...unchanged(status), removed, operation, delayMs: 0, retries: input.retries,
  });
  const idle: StepResult = { ...unchanged(status), removed, operation: undefined, delayMs: 0, retries: 0, idle: true };

  if (desired >= TaskState.SHUTDOWN) {
    if (current < TaskState.COMPLETE) return operate('shutdown');
    if (desired >= TaskState.REMOVE && !removed) return operate('remove');
    return idle;
  }
  // Way beyond the desired state: pause.
  if (current > desired) return idle;
  // These states may proceed past the desired state.
  switch (current) {
    case TaskState.PREPARING:
      return operate('prepare');
    case TaskState.STARTING:
      return operate('start');
    case TaskState.RUNNING:
      return operate('wait');
    default:
      break;
  }
  // The "pause" states move on only while below the desired state.
  if (current >= desired) return idle;
  switch (current) {
    case TaskState.NEW:
    case TaskState.PENDING:
    case TaskState.ASSIGNED:
      return transition(input, TaskState.ACCEPTED, 'accepted', '', undefined, now);
    case TaskState.ACCEPTED:
      return transition(input, TaskState.PREPARING, 'preparing', '', undefined, now);
    case TaskState.READY:
      return transition(input, TaskState.STARTING, 'starting', '', undefined, now);
    default:
      return idle; // terminal states
  }
}

function unchanged(status: TaskStatus): Pick<StepResult, 'status' | 'changed' | 'idle'> {
  return { status, changed: false, idle: false };
}

/** transition moves the task to `state` (never backwards) with a fresh timestamp. */
function transition(
  input: StepInput,
  state: TaskState,
  message: string,
  err: string,
  container: ContainerStatus | undefined,
  now: Date,
): StepResult {
  const status = input.status;
  assert(state >= status.state, `transition ${status.state} -> ${state} moves forward`);
  const containerStatus = container === undefined ? status.containerStatus : { ...status.containerStatus, ...container };
  const next: TaskStatus = { ...status, state, message, err, timestamp: now, containerStatus };
  return { status: next, changed: true, operation: undefined, delayMs: 0, retries: 0, removed: input.removed, idle: false };
}

/** withContainer returns `status` with `container` merged in, or `status` itself when that changes nothing. */
function withContainer(status: TaskStatus, container: ContainerStatus | undefined, now: Date): TaskStatus {
  if (container === undefined) return status;
  const merged = { ...status.containerStatus, ...container };
  const old = status.containerStatus;
  if (old !== undefined && old.containerId === merged.containerId && old.pid === merged.pid && old.exitCode === merged.exitCode) {
    return status;
  }
  return { ...status, containerStatus: merged, timestamp: now };
}
