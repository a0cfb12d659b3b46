/**
 * KV_MODEL is the sequential specification of a key-value register map with put, get and
 * compare-and-set. Its state is the value of ONE key (undefined: absent): it partitions
 * histories per key, and the checker always checks partitions separately.
 */
import { assertNever } from '@shoal/assert';
import type { Model, Operation } from './model';

/** KvInput is a request: put a value, get a key, or swap `expected` (absent: undefined). */
export type KvInput =
  | { kind: 'put'; key: string; value: string }
  | { kind: 'get'; key: string }
  | { kind: 'cas'; key: string; expected: string | undefined; value: string };

/** KvOutput is a response; its `kind` matches the input's. */
export type KvOutput =
  | { kind: 'put' }
  | { kind: 'get'; value: string | undefined }
  | { kind: 'cas'; swapped: boolean };

/** KvState is one key's value; undefined means absent. */
export type KvState = string | undefined;

/** KvOperation is an operation of the KV model's history. */
export type KvOperation = Operation<KvInput, KvOutput>;

function kvStep(
  state: KvState,
  input: KvInput,
  output: KvOutput | undefined,
): [ok: boolean, next: KvState] {
  switch (input.kind) {
    case 'put':
      return [output === undefined || output.kind === 'put', input.value];
    case 'get':
      if (output === undefined) return [true, state];
      return [output.kind === 'get' && output.value === state, state];
    case 'cas': {
      const swaps = state === input.expected;
      const next = swaps ? input.value : state;
      if (output === undefined) return [true, next];
      return [output.kind === 'cas' && output.swapped === swaps, next];
    }
    default:
      return assertNever(input, 'kv input');
  }
}

function describeKv(input: KvInput, output: KvOutput | undefined): string {
  const result = (text: string): string => (output === undefined ? `${text} -> ?` : text);
  switch (input.kind) {
    case 'put':
      return result(`put(${input.key}, ${JSON.stringify(input.value)})`);
    case 'get': {
      const value = output?.kind === 'get' ? JSON.stringify(output.value ?? null) : '?';
      return `get(${input.key}) -> ${value}`;
    }
    case 'cas': {
      const swapped = output?.kind === 'cas' ? String(output.swapped) : '?';
      const args = `${input.key}, ${JSON.stringify(input.expected ?? null)}, ${input.value}`;
      return `cas(${args}) -> ${swapped}`;
    }
    default:
      return assertNever(input, 'kv input');
  }
}

/**
 * KV_MODEL implements {@link Model} for {@link KvInput}/{@link KvOutput}: a get must return
 * the value of the latest put or successful cas (undefined before any), a cas swaps iff the
 * value equals `expected`. Outputs left undefined (unknown outcomes) are always accepted.
 */
export const KV_MODEL: Model<KvState, KvInput, KvOutput> = Object.freeze({
  init: (): KvState => undefined,
  step: kvStep,
  equal: (a: KvState, b: KvState): boolean => a === b,
  hash: (state: KvState): string => (state === undefined ? '\u0000' : `=${state}`),
  partitionKey: (input: KvInput): string => input.key,
  describe: describeKv,
});
