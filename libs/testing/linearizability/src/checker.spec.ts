// Goal: the checker accepts exactly the linearizable key-value histories, treats unknown
// outcomes as "maybe applied, at any time after the call", respects closed intervals and
// per-key partitions, explains illegal verdicts, and answers 'unknown' when out of time.
// Method: hand-made histories for each rule (stale read, lost write, concurrent writes,
// unknown outcomes, values never written), then fast-check: histories produced by a real
// sequential execution with random call/return windows around each linearization point must
// always be 'ok', and corrupting one completed read into a never-written value makes them
// 'illegal'.
import fc from 'fast-check';
import { checkOperations } from './checker';
import { KV_MODEL, type KvOperation } from './kv-model';

function put(clientId: number, key: string, value: string, call: number, ret?: number) {
  const op: KvOperation = { clientId, input: { kind: 'put', key, value }, call, return: ret };
  if (ret !== undefined) op.output = { kind: 'put' };
  return op;
}

function get(
  clientId: number,
  key: string,
  value: string | undefined,
  call: number,
  ret: number,
): KvOperation {
  return {
    clientId,
    input: { kind: 'get', key },
    call,
    output: { kind: 'get', value },
    return: ret,
  };
}

function cas(
  clientId: number,
  key: string,
  [expected, value]: [string | undefined, string],
  swapped: boolean,
  [call, ret]: [number, number],
): KvOperation {
  return {
    clientId,
    input: { kind: 'cas', key, expected, value },
    call,
    output: { kind: 'cas', swapped },
    return: ret,
  };
}

const verdict = (history: KvOperation[]) => checkOperations(KV_MODEL, history).result;

describe('checkOperations on hand-made key-value histories', () => {
  it('accepts the empty history and a plain sequential one', () => {
    expect(verdict([])).toBe('ok');
    expect(verdict([put(1, 'x', 'a', 0, 10), get(2, 'x', 'a', 20, 30)])).toBe('ok');
    expect(verdict([get(1, 'x', undefined, 0, 10)])).toBe('ok');
  });

  it('rejects a stale read after a completed write, and explains it', () => {
    const history = [
      put(1, 'x', 'a', 0, 10),
      put(1, 'x', 'b', 20, 30),
      get(2, 'x', 'a', 40, 50),
    ];
    const result = checkOperations(KV_MODEL, history);
    expect(result.result).toBe('illegal');
    if (result.result !== 'illegal') return;
    const { explanation } = result;
    expect(explanation.partition).toBe('x');
    expect(explanation.blocked.id).toBe(2);
    expect(explanation.linearized.map((ref) => ref.id)).toEqual([0, 1]);
    expect(explanation.candidates.map((ref) => ref.id)).toEqual([2]);
    expect(explanation.message).toContain('get(x) -> "a"');
  });

  it('rejects a lost acknowledged write', () => {
    expect(verdict([put(1, 'x', 'a', 0, 10), get(2, 'x', undefined, 20, 30)])).toBe('illegal');
  });

  it('accepts concurrent writes in either order, but only one order per history', () => {
    const writes = [put(1, 'x', 'a', 0, 10), put(2, 'x', 'b', 5, 15)];
    expect(verdict([...writes, get(3, 'x', 'a', 20, 25)])).toBe('ok');
    expect(verdict([...writes, get(3, 'x', 'b', 20, 25)])).toBe('ok');
    expect(verdict([...writes, get(3, 'x', 'a', 20, 25), get(3, 'x', 'b', 30, 35)])).toBe(
      'illegal',
    );
    // A read concurrent with both writes may see either value, then the other one later.
    const early = [...writes, get(3, 'x', 'b', 1, 12), get(4, 'x', 'a', 13, 20)];
    expect(verdict(early)).toBe('ok');
  });

  it('treats intervals as closed: touching operations are concurrent', () => {
    expect(verdict([put(1, 'x', 'a', 0, 10), get(2, 'x', undefined, 10, 12)])).toBe('ok');
    expect(verdict([put(1, 'x', 'a', 0, 10), get(2, 'x', undefined, 11, 12)])).toBe('illegal');
  });

  it('accepts an unknown-outcome write whether it was observed or not', () => {
    const lost = put(1, 'x', 'a', 0); // timed out: no return, no output
    expect(verdict([lost, get(2, 'x', 'a', 20, 30)])).toBe('ok');
    expect(verdict([lost, get(2, 'x', undefined, 20, 30)])).toBe('ok');
    // It may take effect late, long after its call ...
    expect(verdict([lost, get(2, 'x', undefined, 20, 30), get(2, 'x', 'a', 40, 50)])).toBe('ok');
    // ... but once observed it cannot be undone.
    expect(verdict([lost, get(2, 'x', 'a', 20, 30), get(2, 'x', undefined, 40, 50)])).toBe(
      'illegal',
    );
    // And it cannot take effect before it was called.
    expect(verdict([get(2, 'x', 'a', 0, 10), put(1, 'x', 'a', 20)])).toBe('illegal');
  });

  it('rejects a read of a value never written', () => {
    expect(verdict([put(1, 'x', 'a', 0, 10), get(2, 'x', 'zzz', 0, 30)])).toBe('illegal');
  });

  it('checks compare-and-set: two swaps from the same expected value cannot both win', () => {
    const first = cas(1, 'x', [undefined, 'a'], true, [0, 10]);
    expect(verdict([first, cas(2, 'x', [undefined, 'b'], false, [5, 20])])).toBe('ok');
    expect(verdict([first, cas(2, 'x', [undefined, 'b'], true, [20, 30])])).toBe('illegal');
    expect(verdict([first, cas(2, 'x', ['a', 'b'], true, [20, 30]), get(3, 'x', 'b', 40, 41)]))
      .toBe('ok');
  });

  it('checks keys independently and names the illegal one', () => {
    const history = [
      put(1, 'x', 'a', 0, 10),
      put(1, 'y', 'a', 0, 10),
      get(2, 'x', 'a', 20, 30),
      get(2, 'y', undefined, 20, 30),
    ];
    const result = checkOperations(KV_MODEL, history);
    expect(result.result === 'illegal' && result.explanation.partition).toBe('y');
  });

  it("answers 'unknown' when the time budget runs out, and the truth without one", () => {
    // Twelve concurrent writes and an impossible read: the search must try many orders.
    const writes = Array.from({ length: 12 }, (_, i) => put(i, 'x', `v${i}`, 0, 100));
    const history = [...writes, get(99, 'x', 'nope', 0, 100)];
    let clock = 0;
    const now = (): number => (clock += 1);
    expect(checkOperations(KV_MODEL, history, { budgetMs: 1, now }).result).toBe('unknown');
    expect(checkOperations(KV_MODEL, history).result).toBe('illegal');
  });
});

interface Planned {
  client: number;
  kind: 'put' | 'get' | 'cas';
  key: string;
  before: number;
  after: number;
  outcome: 'known' | 'unknown-applied' | 'unknown-lost';
  casHit: boolean;
}

const plannedArbitrary: fc.Arbitrary<Planned> = fc.record({
  client: fc.nat({ max: 5 }),
  kind: fc.constantFrom<Planned['kind']>('put', 'get', 'get', 'cas'),
  key: fc.constantFrom('a', 'b', 'c'),
  before: fc.nat({ max: 40 }),
  after: fc.nat({ max: 40 }),
  outcome: fc.constantFrom<Planned['outcome']>(
    'known',
    'known',
    'known',
    'known',
    'unknown-applied',
    'unknown-lost',
  ),
  casHit: fc.boolean(),
});

/**
 * execute runs the planned operations one at a time on a real map (operation i takes effect
 * at time 10·i) and records each with a call/return window around that instant.
 */
function execute(plan: readonly Planned[]): KvOperation[] {
  const store = new Map<string, string>();
  return plan.map((step, i) => {
    const at = 10 * i + 10;
    const applied = step.outcome !== 'unknown-lost';
    const value = `v${i}`;
    const current = store.get(step.key);
    const operation = (input: KvOperation['input'], output: KvOperation['output']) => {
      const known = step.outcome === 'known';
      const op: KvOperation = {
        clientId: step.client,
        input,
        call: at - step.before,
        return: known ? at + step.after : undefined,
      };
      if (known) op.output = output;
      return op;
    };
    if (step.kind === 'put') {
      if (applied) store.set(step.key, value);
      return operation({ kind: 'put', key: step.key, value }, { kind: 'put' });
    }
    if (step.kind === 'get') {
      return operation({ kind: 'get', key: step.key }, { kind: 'get', value: current });
    }
    const expected = step.casHit ? current : `other${i}`;
    const swapped = expected === current;
    if (applied && swapped) store.set(step.key, value);
    const input = { kind: 'cas' as const, key: step.key, expected, value };
    return operation(input, { kind: 'cas', swapped });
  });
}

describe('checkOperations on executed histories (property)', () => {
  it("calls every history of a sequential execution with random overlaps 'ok'", () => {
    fc.assert(
      fc.property(fc.array(plannedArbitrary, { maxLength: 60 }), (plan) => {
        expect(checkOperations(KV_MODEL, execute(plan)).result).toBe('ok');
      }),
      { numRuns: 200 },
    );
  });

  it("calls it 'illegal' once a completed read returns a value never written", () => {
    fc.assert(
      fc.property(fc.array(plannedArbitrary, { maxLength: 40 }), fc.nat(), (plan, pick) => {
        const history = execute(plan);
        const reads = history.filter((op) => op.output?.kind === 'get');
        fc.pre(reads.length > 0);
        reads[pick % reads.length].output = { kind: 'get', value: 'never written' };
        expect(checkOperations(KV_MODEL, history).result).toBe('illegal');
      }),
      { numRuns: 200 },
    );
  });
});
