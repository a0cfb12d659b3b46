// Goal: the small helpers around generated types behave as documented: StoredObject
// wrap/unwrap round-trips every kind, and Duration <-> milliseconds conversions keep signs and
// sub-second parts. Method: direct calls on hand-built values.
import { Duration, Node, StoredObject, Task } from './gen';
import { durationFromMs, durationToMs } from './duration';
import { STORED_KINDS } from './ownership.gen';
import { unwrapStoredObject, wrapStoredObject } from './stored-object';

describe('wrapStoredObject / unwrapStoredObject', () => {
  it('wraps a kind into its oneof case and unwraps it back', () => {
    const task = Task.fromPartial({ id: 't1', slot: 1 });
    const stored = wrapStoredObject('task', task);
    expect(stored.kind).toEqual({ $case: 'task', task });
    const unwrapped = unwrapStoredObject(stored);
    expect(unwrapped?.kind).toBe('task');
    expect(unwrapped?.object).toBe(task);
  });

  it('narrows the object type by kind', () => {
    const unwrapped = unwrapStoredObject(wrapStoredObject('node', Node.fromPartial({ id: 'n1' })));
    if (unwrapped?.kind !== 'node') throw new Error('expected a node');
    expect(unwrapped.object.id).toBe('n1');
  });

  it('returns undefined for an empty StoredObject', () => {
    expect(unwrapStoredObject(StoredObject.create())).toBeUndefined();
  });

  it('names every stored kind as a case of StoredObject.kind', () => {
    for (const kind of STORED_KINDS) {
      const json = StoredObject.toJSON(StoredObject.fromJSON({ [kind]: { id: 'x' } }));
      expect(Object.keys(json as object)).toEqual([kind]);
    }
  });
});

describe('durationFromMs / durationToMs', () => {
  it.each<[number, Duration]>([
    [0, { seconds: 0, nanos: 0 }],
    [5_000, { seconds: 5, nanos: 0 }],
    [1_500, { seconds: 1, nanos: 500_000_000 }],
    [0.25, { seconds: 0, nanos: 250_000 }],
    [-1_500, { seconds: -1, nanos: -500_000_000 }],
  ])('%d ms <-> %j', (ms, duration) => {
    expect(durationFromMs(ms)).toEqual(duration);
    expect(durationToMs(duration)).toBe(ms);
  });
});
