/**
 * The checker's vocabulary: a sequential model, a history of operations, and the verdict.
 * Shapes follow Porcupine (`shared/reference/raft.md` §5.3): Model {init, step, equal, hash},
 * Operation {clientId, input, call, output, return}, and ok / illegal / unknown results.
 */

/**
 * Model is an executable sequential specification of an object (e.g. a key-value store).
 *
 * Contract:
 * - `init` returns the state before any operation; `step` never mutates `state`.
 * - `step(state, input, output)` says whether `output` is a legal answer to `input` in
 *   `state` (`ok`) and the state after it. `output` is `undefined` for an operation whose
 *   outcome is unknown (timeout, crash) or that returns nothing: `step` must then accept
 *   and return the state the operation leaves if it takes effect.
 * - `equal` and `hash` agree: equal states have equal hashes.
 * - `partitionKey` (optional) splits a history into independent sub-histories, e.g. per key.
 *   Linearizability is compositional (Herlihy & Wing), so each one is checked on its own
 *   from `init()`; operations in different partitions must never affect each other.
 * - `describe` (optional) renders an operation for explanations.
 */
export interface Model<State, Input, Output> {
  init(): State;
  step(state: State, input: Input, output: Output | undefined): [ok: boolean, next: State];
  equal(a: State, b: State): boolean;
  hash(state: State): string;
  partitionKey?(input: Input): string;
  describe?(input: Input, output: Output | undefined): string;
}

/**
 * Operation is one client call as observed: invoked at `call`, answered with `output` at
 * `return`. `return` is `undefined` when the outcome is unknown: the operation may have taken
 * effect at any time after `call`, or never. Times are any numbers on one clock; intervals
 * are closed, so [10, 20] and [20, 30] overlap.
 * Invariant: `call` is finite, and `return` is undefined or at least `call`.
 */
export interface Operation<Input, Output> {
  clientId: number;
  input: Input;
  call: number;
  output?: Output;
  return: number | undefined;
}

/** OperationRef is an operation and its position (`id`) in the history that was checked. */
export interface OperationRef<Input, Output> {
  id: number;
  operation: Operation<Input, Output>;
}

/**
 * Explanation says why a history is illegal, in one partition. The search got furthest with
 * `linearized` (in order); then `blocked` returned although no order of `candidates` (the
 * operations called but not yet linearized at that point) let it take effect first.
 */
export interface Explanation<Input, Output> {
  partition: string;
  linearized: OperationRef<Input, Output>[];
  blocked: OperationRef<Input, Output>;
  candidates: OperationRef<Input, Output>[];
  /** A readable summary quoting the end of `linearized`, `blocked` and `candidates`. */
  message: string;
}

/**
 * CheckResult is the verdict: `ok` (linearizable), `illegal` (with an explanation), or
 * `unknown` (the time budget ran out before an answer).
 */
export type CheckResult<Input, Output> =
  | { result: 'ok' }
  | { result: 'illegal'; explanation: Explanation<Input, Output> }
  | { result: 'unknown' };

/**
 * CheckOptions bound the search in time. Without `budgetMs` the search runs to the end;
 * with it, `now` (milliseconds, injected so the checker stays pure) must be given too.
 */
export interface CheckOptions {
  budgetMs?: number;
  now?: () => number;
}
