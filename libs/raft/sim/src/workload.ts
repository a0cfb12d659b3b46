/**
 * Workload: the clients of the replicated KV store and the history they observe. Each
 * client has at most one operation outstanding; an operation is timed on the history clock
 * (one counter for the whole run, so real-time order between operations is exact). An
 * operation ends in one of three ways: an answer (recorded), an unknown outcome (the node
 * crashed or the client timed out: recorded with no return, it may or may not have taken
 * effect), or a refusal before anything was proposed (ProposalDropped: not recorded).
 */
import { assert } from '@shoal/assert';
import type { Random } from '@shoal/random';
import type { KvInput, KvOperation, KvOutput } from '@shoal/testing-linearizability';

/** WorkloadOptions shape the operations clients issue. */
export interface WorkloadOptions {
  clients: number;
  keys: number;
  /** Probability that an idle client issues an operation at one of its turns. */
  issueProbability: number;
  /** Probability that a get is served by ReadIndex (otherwise it goes through the log). */
  readIndexProbability: number;
}

/** ClientOperation is an operation in flight. */
export interface ClientOperation {
  opId: number;
  clientId: number;
  input: KvInput;
  call: number;
  target: number;
  incarnation: number;
  deadline: number;
  viaReadIndex: boolean;
  afterHeal: boolean;
}

interface ClientState {
  id: number;
  leaderHint: number;
  current: ClientOperation | undefined;
  completedAfterHeal: number;
  seen: Map<string, string | undefined>;
}

/** WorkloadCounts summarise the outcomes so far. */
export interface WorkloadCounts {
  completed: number;
  unknown: number;
  refused: number;
}

/** Workload: see the file comment. */
export class Workload {
  readonly history: KvOperation[] = [];
  readonly counts: WorkloadCounts = { completed: 0, unknown: 0, refused: 0 };
  private readonly clients: ClientState[] = [];
  private readonly inFlight = new Map<number, ClientOperation>();
  private readonly written: string[] = [];
  private clockValue = 0;
  private nextOpId = 1;

  /** The constructor creates `options.clients` idle clients. */
  constructor(
    private readonly random: Random,
    private readonly options: WorkloadOptions,
  ) {
    assert(options.clients > 0, 'at least one client');
    assert(options.keys > 0, 'at least one key');
    for (let id = 1; id <= options.clients; id++) {
      this.clients.push({ id, leaderHint: 0, current: undefined, completedAfterHeal: 0, seen: new Map() });
    }
  }

  /** clientIds lists the clients. */
  get clientIds(): number[] {
    return this.clients.map((c) => c.id);
  }

  /** clock returns the next history timestamp (strictly increasing). */
  clock(): number {
    this.clockValue += 1;
    return this.clockValue;
  }

  /** leaderHint is the node a client believes leads (0: none). */
  leaderHint(clientId: number): number {
    return this.client(clientId).leaderHint;
  }

  /** setLeaderHint records where a client will send its next operation. */
  setLeaderHint(clientId: number, nodeId: number): void {
    this.client(clientId).leaderHint = nodeId;
  }

  /** busy reports whether a client has an operation in flight. */
  busy(clientId: number): boolean {
    return this.client(clientId).current !== undefined;
  }

  /** completedAfterHeal counts a client's answered operations issued after the heal. */
  completedAfterHeal(clientId: number): number {
    return this.client(clientId).completedAfterHeal;
  }

  /** pickNode chooses uniformly among candidate targets (non-empty). */
  pickNode<T>(candidates: readonly T[]): T {
    return this.random.pick(candidates);
  }

  /** wantsToIssue decides (randomly) whether an idle client issues now. */
  wantsToIssue(clientId: number): boolean {
    if (this.busy(clientId)) return false;
    return this.random.float() < this.options.issueProbability;
  }

  /** makeInput draws an operation: put, get or cas on a random key. */
  makeInput(clientId: number): { input: KvInput; viaReadIndex: boolean } {
    const key = `k${this.random.int(0, this.options.keys)}`;
    const roll = this.random.float();
    if (roll < 0.4) return { input: { kind: 'put', key, value: `v${this.nextOpId}` }, viaReadIndex: false };
    if (roll < 0.75) {
      const viaReadIndex = this.random.float() < this.options.readIndexProbability;
      return { input: { kind: 'get', key }, viaReadIndex };
    }
    const expected = this.pickExpected(clientId, key);
    return { input: { kind: 'cas', key, expected, value: `v${this.nextOpId}` }, viaReadIndex: false };
  }

  /** begin starts an operation (the caller submits it to `target`). */
  begin(op: Omit<ClientOperation, 'opId' | 'call'>): ClientOperation {
    const client = this.client(op.clientId);
    assert(client.current === undefined, 'one operation per client at a time');
    const started: ClientOperation = { ...op, opId: this.nextOpId++, call: this.clock() };
    if (started.input.kind !== 'get') this.written.push(started.input.value);
    client.current = started;
    this.inFlight.set(started.opId, started);
    return started;
  }

  /** operation returns the in-flight operation `opId`, if any. */
  operation(opId: number): ClientOperation | undefined {
    return this.inFlight.get(opId);
  }

  /** inFlightOperations lists every operation in flight. */
  inFlightOperations(): ClientOperation[] {
    return [...this.inFlight.values()];
  }

  /** complete records an answer. */
  complete(opId: number, output: KvOutput): void {
    const op = this.finish(opId);
    const client = this.client(op.clientId);
    if (output.kind === 'get') client.seen.set(op.input.key, output.value);
    if (op.input.kind !== 'get' && output.kind !== 'get') client.seen.set(op.input.key, op.input.value);
    if (op.afterHeal) client.completedAfterHeal += 1;
    this.history.push({ clientId: op.clientId, input: op.input, call: op.call, output, return: this.clock() });
    this.counts.completed += 1;
  }

  /** giveUp records an unknown outcome (node crashed, or the client timed out). */
  giveUp(opId: number): void {
    const op = this.finish(opId);
    this.history.push({ clientId: op.clientId, input: op.input, call: op.call, return: undefined });
    this.counts.unknown += 1;
  }

  /** refused forgets an operation that was never proposed (not part of the history). */
  refused(opId: number): void {
    this.finish(opId);
    this.counts.refused += 1;
  }

  private finish(opId: number): ClientOperation {
    const op = this.inFlight.get(opId);
    assert(op !== undefined, `operation ${opId} is in flight`);
    this.inFlight.delete(opId);
    const client = this.client(op.clientId);
    assert(client.current?.opId === opId, 'the client was waiting for this operation');
    client.current = undefined;
    return op;
  }

  private pickExpected(clientId: number, key: string): string | undefined {
    const roll = this.random.float();
    const seen = this.client(clientId).seen;
    if (roll < 0.5 && seen.has(key)) return seen.get(key);
    if (roll < 0.8 && this.written.length > 0) return this.random.pick(this.written);
    return undefined;
  }

  private client(clientId: number): ClientState {
    const c = this.clients[clientId - 1];
    assert(c !== undefined, `client ${clientId} exists`);
    return c;
  }
}
