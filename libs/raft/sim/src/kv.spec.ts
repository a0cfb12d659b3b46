/**
 * Goal: the replicated KV state machine is deterministic, applies each operation once, and
 * survives a snapshot round trip. Method: apply commands, re-apply one, encode and restore.
 */
import { decodeCommand, decodeReadContext, encodeCommand, encodeReadContext, KvStateMachine } from './kv';

describe('KvStateMachine', () => {
  it('applies put, get and cas, and each operation id only once', () => {
    const kv = new KvStateMachine();
    expect(kv.apply({ opId: 1, input: { kind: 'put', key: 'a', value: 'x' } })).toEqual({ kind: 'put' });
    expect(kv.apply({ opId: 2, input: { kind: 'cas', key: 'a', expected: 'x', value: 'y' } })).toEqual({ kind: 'cas', swapped: true });
    expect(kv.apply({ opId: 3, input: { kind: 'cas', key: 'a', expected: 'x', value: 'z' } })).toEqual({ kind: 'cas', swapped: false });
    expect(kv.apply({ opId: 1, input: { kind: 'put', key: 'a', value: 'x' } })).toEqual({ kind: 'put' });
    expect(kv.read('a')).toBe('y');
    expect(kv.apply({ opId: 4, input: { kind: 'get', key: 'b' } })).toEqual({ kind: 'get', value: undefined });
  });

  it('restores from its snapshot image', () => {
    const kv = new KvStateMachine();
    kv.apply({ opId: 1, input: { kind: 'put', key: 'a', value: 'x' } });
    const copy = new KvStateMachine();
    copy.restore(kv.encode());
    expect(copy.read('a')).toBe('x');
    expect(copy.answer(1)).toEqual({ kind: 'put' });
    copy.restore(new Uint8Array(0));
    expect(copy.read('a')).toBeUndefined();
  });

  it('encodes commands and read contexts reversibly', () => {
    const command = { opId: 9, input: { kind: 'cas' as const, key: 'k', expected: undefined, value: 'v' } };
    expect(decodeCommand(encodeCommand(command))).toEqual({ opId: 9, input: { kind: 'cas', key: 'k', value: 'v' } });
    expect(decodeCommand(new Uint8Array(0))).toBeUndefined();
    expect(decodeReadContext(encodeReadContext(42))).toBe(42);
  });
});
