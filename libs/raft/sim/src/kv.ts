/**
 * The replicated key-value store of the simulation: the commands clients propose (put, get,
 * compare-and-set, each tagged with a unique operation id), their encoding into raft entry
 * data, and the state machine every node applies them to. The state machine remembers each
 * operation's answer by id, so an entry proposed twice (a duplicated forward) takes effect
 * once, and a node that learned an operation's entry through a snapshot can still answer.
 */
import { assert, assertNever } from '@shoal/assert';
import type { KvInput, KvOutput } from '@shoal/testing-linearizability';

/** KvCommand is one client operation as it travels in a raft entry. */
export interface KvCommand {
  opId: number;
  input: KvInput;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** encodeCommand turns a command into entry data. */
export function encodeCommand(command: KvCommand): Uint8Array {
  assert(Number.isSafeInteger(command.opId) && command.opId > 0, 'operation id is positive');
  return encoder.encode(JSON.stringify(command));
}

/** decodeCommand reads entry data back; empty data (a leader's no-op entry) is undefined. */
export function decodeCommand(data: Uint8Array): KvCommand | undefined {
  if (data.byteLength === 0) return undefined;
  const parsed = JSON.parse(decoder.decode(data)) as KvCommand;
  assert(typeof parsed.opId === 'number', 'a command carries an operation id');
  return parsed;
}

/** encodeReadContext makes the unique ReadIndex request context of an operation. */
export function encodeReadContext(opId: number): Uint8Array {
  return encoder.encode(`read:${opId}`);
}

/** decodeReadContext is the inverse of {@link encodeReadContext}. */
export function decodeReadContext(context: Uint8Array): number {
  const text = decoder.decode(context);
  assert(text.startsWith('read:'), 'a read context names its operation');
  return Number(text.slice('read:'.length));
}

interface KvImage {
  data: [string, string][];
  results: [number, KvOutput][];
}

/**
 * KvStateMachine is one node's copy of the store. Contract: `apply` is deterministic, so
 * nodes that apply the same commands in the same order hold equal state; a command whose
 * operation id was already applied changes nothing and returns the first answer.
 */
export class KvStateMachine {
  private data = new Map<string, string>();
  private results = new Map<number, KvOutput>();

  /** apply executes `command` and returns its answer. */
  apply(command: KvCommand): KvOutput {
    const earlier = this.results.get(command.opId);
    if (earlier !== undefined) return earlier;
    const output = this.execute(command.input);
    this.results.set(command.opId, output);
    return output;
  }

  /** read returns a key's value now (ReadIndex reads, once applied up to their index). */
  read(key: string): string | undefined {
    return this.data.get(key);
  }

  /** answer returns the recorded answer of an applied operation, if any. */
  answer(opId: number): KvOutput | undefined {
    return this.results.get(opId);
  }

  /** encode serialises the whole state (a snapshot's data). */
  encode(): Uint8Array {
    const image: KvImage = { data: [...this.data], results: [...this.results] };
    return encoder.encode(JSON.stringify(image));
  }

  /** restore replaces the state with a snapshot's (empty data: the initial state). */
  restore(bytes: Uint8Array): void {
    if (bytes.byteLength === 0) {
      this.data = new Map();
      this.results = new Map();
      return;
    }
    const image = JSON.parse(decoder.decode(bytes)) as KvImage;
    this.data = new Map(image.data);
    this.results = new Map(image.results);
  }

  private execute(input: KvInput): KvOutput {
    switch (input.kind) {
      case 'put':
        this.data.set(input.key, input.value);
        return { kind: 'put' };
      case 'get':
        return { kind: 'get', value: this.data.get(input.key) };
      case 'cas': {
        const swapped = this.data.get(input.key) === input.expected;
        if (swapped) this.data.set(input.key, input.value);
        return { kind: 'cas', swapped };
      }
      default:
        return assertNever(input, 'kv input');
    }
  }
}

/** digestEntry fingerprints an entry's term, type and data (FNV-1a, 32 bits). */
export function digestEntry(term: number, type: number, data: Uint8Array): number {
  let h = Math.imul(0x811c9dc5 ^ term, 0x01000193);
  h = Math.imul(h ^ type, 0x01000193);
  for (let i = 0; i < data.byteLength; i++) h = Math.imul(h ^ (data[i] as number), 0x01000193);
  return h >>> 0;
}
