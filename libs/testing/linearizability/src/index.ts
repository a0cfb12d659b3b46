// Public surface of @shoal/testing-linearizability: a Porcupine-style (Wing & Gong / Lowe)
// linearizability checker with per-key partitioning, time budget and explanations, plus a
// key-value model. Pure: no I/O, and time only through an injected clock.
export { checkOperations } from './checker';
export {
  KV_MODEL,
  type KvInput,
  type KvOperation,
  type KvOutput,
  type KvState,
} from './kv-model';
export { LINEARIZABILITY_LIMITS, type LinearizabilityLimits } from '@shoal/limits';
export type {
  CheckOptions,
  CheckResult,
  Explanation,
  Model,
  Operation,
  OperationRef,
} from './model';
