/**
 * Goal: the inflight window is a FIFO bounded by count and bytes: `add` fills it, `freeLE`
 * frees exactly the messages acknowledged, `full` reports both limits, across wrap-around.
 * Method: fast-check runs random add/free sequences against a plain array model.
 */
import fc from 'fast-check';
import { Inflights } from './inflights';

type Op = { kind: 'add'; bytes: number } | { kind: 'free'; back: number } | { kind: 'reset' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), bytes: fc.integer({ min: 0, max: 50 }) }),
  fc.record({ kind: fc.constant('free' as const), back: fc.integer({ min: -2, max: 6 }) }),
  fc.record({ kind: fc.constant('reset' as const) }),
);

describe('inflights', () => {
  test('behaves like a bounded FIFO model under random operations', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(0, 40, 120),
        fc.array(op, { maxLength: 200 }),
        (capacity, maxBytes, ops) => {
          const w = new Inflights(capacity, maxBytes);
          let model: Array<{ index: number; bytes: number }> = [];
          let next = 1;
          const modelBytes = (): number => model.reduce((s, m) => s + m.bytes, 0);
          const modelFull = (): boolean =>
            model.length === capacity || (maxBytes !== 0 && modelBytes() >= maxBytes);
          for (const o of ops) {
            if (o.kind === 'add') {
              if (modelFull()) continue;
              w.add(next, o.bytes);
              model.push({ index: next++, bytes: o.bytes });
            } else if (o.kind === 'free') {
              const to = (model[0]?.index ?? next) + o.back;
              w.freeLE(to);
              model = model.filter((m) => m.index > to);
            } else {
              w.reset();
              model = [];
            }
            expect([w.count(), w.bytes(), w.full()]).toEqual(
              [model.length, modelBytes(), modelFull()],
            );
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('adding to a full window is a programmer error', () => {
    const w = new Inflights(2, 0);
    w.add(1, 1);
    w.add(2, 1);
    expect(() => w.add(3, 1)).toThrow('full');
  });

  test('clone copies the window independently', () => {
    const w = new Inflights(3, 0);
    w.add(1, 10);
    w.add(2, 10);
    const c = w.clone();
    w.freeLE(1);
    expect([w.count(), c.count(), c.bytes()]).toEqual([1, 2, 20]);
  });
});
