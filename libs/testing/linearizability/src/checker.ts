/**
 * checkOperations decides whether a concurrent history is linearizable against a sequential
 * model: the Wing & Gong search with Lowe's memoization, as Porcupine implements it (Horn &
 * Kroening, "Faster linearizability checking via P-compositionality", 2015).
 *
 * The history becomes a doubly linked list of call and return events in time order. The
 * search walks it from the front: at a call it tries to take that operation's effect now
 * (`step`); if the model accepts and the (linearized set, state) pair is new, the operation
 * is lifted out of the list and the walk restarts. Reaching a return whose operation is not
 * yet linearized means the current order cannot work: undo the last choice (backtrack) and
 * try the next call after it. The cache of (linearized set, state) pairs seen is what makes
 * the search practical: two orders of the same operations that reach the same state are
 * explored once. No recursion: the choices live on an explicit stack.
 *
 * Unknown outcomes: an operation without a return has only a call event. It may be lifted
 * like any other, and the search succeeds once every *completed* operation is linearized,
 * so it may also never take effect.
 */
import { assert } from '@shoal/assert';
import { Bitset } from './bitset';
import { LINEARIZABILITY_LIMITS } from '@shoal/limits';
import type {
  CheckOptions,
  CheckResult,
  Explanation,
  Model,
  Operation,
  OperationRef,
} from './model';

/** Event is a call or return in the doubly linked event list (sentinels have op -1). */
class Event {
  prev: Event = this;
  next: Event = this;
  /** For a call, its return event (undefined for an unknown outcome); unused for returns. */
  match: Event | undefined = undefined;

  constructor(
    /** Index into the partition's operations. */
    readonly op: number,
    readonly isCall: boolean,
  ) {}
}

interface Partition<Input, Output> {
  key: string;
  refs: OperationRef<Input, Output>[];
}

/** Deadline is the shared time budget of one check. */
interface Deadline {
  expired(): boolean;
}

/**
 * checkOperations checks `history` against `model` and returns ok, illegal (with an
 * explanation for the first illegal partition) or unknown (budget spent). Contract: see
 * {@link Operation} for what a history must satisfy; `options.now` is required with
 * `options.budgetMs`. Pure: no I/O, and time is read only through `options.now`.
 */
export function checkOperations<State, Input, Output>(
  model: Model<State, Input, Output>,
  history: readonly Operation<Input, Output>[],
  options: CheckOptions = {},
): CheckResult<Input, Output> {
  history.forEach(checkOperation);
  const deadline = makeDeadline(options);
  let unknown = false;
  for (const partition of partitionHistory(model, history)) {
    const verdict = checkPartition(model, partition, deadline);
    if (verdict.result === 'illegal') return verdict;
    if (verdict.result === 'unknown') unknown = true;
  }
  return unknown ? { result: 'unknown' } : { result: 'ok' };
}

function checkOperation<Input, Output>(operation: Operation<Input, Output>): void {
  assert(Number.isFinite(operation.call), 'operation call time is finite');
  if (operation.return !== undefined) {
    assert(operation.return >= operation.call, 'an operation returns after its call');
  }
}

function makeDeadline(options: CheckOptions): Deadline {
  const { budgetMs, now } = options;
  if (budgetMs === undefined) return { expired: () => false };
  assert(now !== undefined, 'a time budget needs an injected clock');
  const end = now() + budgetMs;
  return { expired: () => now() > end };
}

/** partitionHistory groups operations by the model's partition key, in first-seen order. */
function partitionHistory<State, Input, Output>(
  model: Model<State, Input, Output>,
  history: readonly Operation<Input, Output>[],
): Partition<Input, Output>[] {
  const byKey = new Map<string, Partition<Input, Output>>();
  history.forEach((operation, id) => {
    const key = model.partitionKey === undefined ? '' : model.partitionKey(operation.input);
    let partition = byKey.get(key);
    if (partition === undefined) {
      partition = { key, refs: [] };
      byKey.set(key, partition);
    }
    partition.refs.push({ id, operation });
  });
  for (const partition of byKey.values()) {
    const count = partition.refs.length;
    assert(count <= LINEARIZABILITY_LIMITS.operationsPerPartitionMax, 'partition size limit');
  }
  return [...byKey.values()];
}

/**
 * buildEvents returns the head sentinel of the event list: calls and returns by time, calls
 * before returns at equal times (closed intervals), ties broken by history order.
 */
function buildEvents(refs: readonly OperationRef<unknown, unknown>[]): Event {
  const timed: Array<{ time: number; isCall: boolean; op: number }> = [];
  refs.forEach(({ operation }, op) => {
    timed.push({ time: operation.call, isCall: true, op });
    if (operation.return !== undefined) timed.push({ time: operation.return, isCall: false, op });
  });
  timed.sort((a, b) => a.time - b.time || Number(b.isCall) - Number(a.isCall) || a.op - b.op);
  const head = new Event(-1, false);
  const calls = new Map<number, Event>();
  let last = head;
  for (const { isCall, op } of timed) {
    const event = new Event(op, isCall);
    event.prev = last;
    last.next = event;
    last = event;
    if (isCall) {
      calls.set(op, event);
      continue;
    }
    const call = calls.get(op);
    assert(call !== undefined, 'a call sorts before its return');
    call.match = event;
  }
  const tail = new Event(-1, false);
  tail.prev = last;
  last.next = tail;
  return head;
}

function lift(call: Event): void {
  call.prev.next = call.next;
  call.next.prev = call.prev;
  const ret = call.match;
  if (ret !== undefined) {
    ret.prev.next = ret.next;
    ret.next.prev = ret.prev;
  }
}

/** unlift undoes {@link lift}; calls must be unlifted in the reverse order of lifting. */
function unlift(call: Event): void {
  const ret = call.match;
  if (ret !== undefined) {
    ret.prev.next = ret;
    ret.next.prev = ret;
  }
  call.prev.next = call;
  call.next.prev = call;
}

/** Cache remembers (linearized set, state) pairs already explored. */
class Cache<State> {
  private readonly buckets = new Map<string, Array<{ bits: Bitset; state: State }>>();

  constructor(private readonly model: Model<State, unknown, unknown>) {}

  /** add records the pair and returns true, or returns false if it was seen before. */
  add(bits: Bitset, state: State): boolean {
    const key = `${bits.hash()}|${this.model.hash(state)}`;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = [];
      this.buckets.set(key, bucket);
    }
    for (const seen of bucket) {
      if (seen.bits.equals(bits) && this.model.equal(seen.state, state)) return false;
    }
    bucket.push({ bits: bits.clone(), state });
    return true;
  }
}

interface SearchState<State> {
  state: State;
  linearized: Bitset;
  stack: Array<{ call: Event; state: State }>;
  returnsLeft: number;
  steps: number;
}

/** checkPartition runs the search over one partition from the model's initial state. */
function checkPartition<State, Input, Output>(
  model: Model<State, Input, Output>,
  partition: Partition<Input, Output>,
  deadline: Deadline,
): CheckResult<Input, Output> {
  const { refs } = partition;
  const head = buildEvents(refs);
  const cache = new Cache<State>(model as Model<State, unknown, unknown>);
  const search: SearchState<State> = {
    state: model.init(),
    linearized: new Bitset(refs.length),
    stack: [],
    returnsLeft: refs.filter((ref) => ref.operation.return !== undefined).length,
    steps: 0,
  };
  const explainer = new Explainer(partition, head, model);
  let entry = head.next;
  while (search.returnsLeft > 0) {
    search.steps += 1;
    if (search.steps % LINEARIZABILITY_LIMITS.budgetCheckSteps === 0 && deadline.expired()) {
      return { result: 'unknown' };
    }
    assert(entry.op >= 0, 'a pending return is met before the end of the events');
    if (entry.isCall) {
      const { input, output } = refs[entry.op].operation;
      const [ok, next] = model.step(search.state, input, output);
      if (ok && tryLinearize(search, cache, entry, next)) {
        entry = head.next;
        continue;
      }
      entry = entry.next;
      continue;
    }
    explainer.note(search.stack, entry);
    const top = search.stack.pop();
    if (top === undefined) return { result: 'illegal', explanation: explainer.explanation() };
    search.state = top.state;
    search.linearized.clear(top.call.op);
    unlift(top.call);
    if (top.call.match !== undefined) search.returnsLeft += 1;
    entry = top.call.next;
  }
  return { result: 'ok' };
}

/** tryLinearize takes `call`'s effect (leading to `next`) unless that pair was explored. */
function tryLinearize<State>(
  search: SearchState<State>,
  cache: Cache<State>,
  call: Event,
  next: State,
): boolean {
  search.linearized.set(call.op);
  if (!cache.add(search.linearized, next)) {
    search.linearized.clear(call.op);
    return false;
  }
  search.stack.push({ call, state: search.state });
  search.state = next;
  lift(call);
  if (call.match !== undefined) search.returnsLeft -= 1;
  return true;
}

/**
 * Explainer keeps the deepest point the search reached: the longest linearized prefix, the
 * return it then hit, and the operations that were candidates to go before it.
 */
class Explainer<State, Input, Output> {
  private best: Omit<Explanation<Input, Output>, 'message'> | undefined;

  constructor(
    private readonly partition: Partition<Input, Output>,
    private readonly head: Event,
    private readonly model: Model<State, Input, Output>,
  ) {}

  note(stack: readonly { call: Event }[], blocked: Event): void {
    if (this.best !== undefined && stack.length <= this.best.linearized.length) return;
    const refs = this.partition.refs;
    const candidates: OperationRef<Input, Output>[] = [];
    for (let event = this.head.next; event !== blocked; event = event.next) {
      if (event.isCall) candidates.push(refs[event.op]);
    }
    this.best = {
      partition: this.partition.key,
      linearized: stack.map((frame) => refs[frame.call.op]),
      blocked: refs[blocked.op],
      candidates,
    };
  }

  explanation(): Explanation<Input, Output> {
    assert(this.best !== undefined, 'an illegal verdict met a blocking return');
    const best = this.best;
    const show = (ref: OperationRef<Input, Output>): string => {
      const { input, output, clientId } = ref.operation;
      const text = this.model.describe?.(input, output) ?? JSON.stringify({ input, output });
      return `#${ref.id} client ${clientId} ${text}`;
    };
    const quoted = LINEARIZABILITY_LIMITS.explanationOperationsQuoted;
    const tail = best.linearized.slice(-quoted);
    const skipped = best.linearized.length - tail.length;
    const message =
      `partition "${best.partition}": after ` +
      `${skipped > 0 ? `${skipped} operations and then ` : ''}` +
      `[${tail.map(show).join('; ') || 'nothing'}], ` +
      `no order of the pending operations [${best.candidates.map(show).join('; ')}] ` +
      `lets ${show(best.blocked)} take effect before it returned`;
    return { ...best, message };
  }
}
