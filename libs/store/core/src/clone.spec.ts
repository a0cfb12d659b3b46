// Goal: the message helpers behind copies and ownership checks are exact: cloneObject shares
// nothing (Buffers stay Buffers), deepFreeze freezes every container, and messageEqual treats
// unset messages like empty ones while comparing maps, arrays, bytes and dates exactly.
// Method: table-driven pairs of values.
import { Endpoint, Service, Task } from '@shoal/proto';
import { cloneObject, deepFreeze, isDefaultValue, messageEqual } from './clone';
import { must } from './testdata/fixtures';

describe('messageEqual', () => {
  it.each<[string, unknown, unknown, boolean]>([
    ['unset vs empty message', undefined, Endpoint.fromPartial({}), true],
    ['unset vs non-empty message', undefined, Endpoint.fromPartial({ ports: [{}] as never }), false],
    ['unset timestamp vs epoch', undefined, new Date(0), true],
    ['different instants', new Date(1), new Date(2), false],
    ['same instant', new Date(5), new Date(5), true],
    ['bytes equal', Buffer.from('ab'), new Uint8Array([97, 98]), true],
    ['bytes differ', Buffer.from('ab'), Buffer.from('ac'), false],
    ['map key absent vs empty value', { a: '' }, {}, false],
    ['map equal in other order', { a: '1', b: '2' }, { b: '2', a: '1' }, true],
    ['array order matters', ['a', 'b'], ['b', 'a'], false],
    ['array vs object', [], {}, false],
    ['whole messages', Task.fromPartial({ id: 'x' }), Task.fromPartial({ id: 'x' }), true],
    ['nested difference', Service.fromPartial({ spec: { annotations: { name: 'a' } } }), Service.fromPartial({ spec: { annotations: { name: 'b' } } }), false],
    ['nested unset vs empty', Service.fromPartial({ spec: {} }), Service.fromPartial({}), true],
  ])('%s → %s', (_name, a, b, expected) => {
    expect(messageEqual(a, b)).toBe(expected);
    expect(messageEqual(b, a)).toBe(expected);
  });

  it.each([[undefined], [0], [''], [false], [[]], [new Uint8Array(0)], [new Date(0)], [{ a: { b: [] } }]])(
    'isDefaultValue(%p)',
    (v) => expect(isDefaultValue(v)).toBe(true),
  );
});

describe('cloneObject and deepFreeze', () => {
  it('copies deeply, keeping Buffers and Dates as such', () => {
    const original = { a: [{ b: Buffer.from('x') }], d: new Date(3), m: { k: 'v' } };
    const copy = cloneObject(deepFreeze(original));
    expect(copy).toEqual(original);
    expect(Object.isFrozen(copy)).toBe(false);
    expect(Buffer.isBuffer(copy.a[0]?.b)).toBe(true);
    must(copy.a[0]).b[0] = 0x79;
    copy.d.setTime(9);
    copy.m.k = 'w';
    expect(original.a[0]?.b.toString()).toBe('x');
    expect(original.d.getTime()).toBe(3);
    expect(original.m.k).toBe('v');
  });

  it('freezes every nested object and array', () => {
    const v = deepFreeze({ a: [{ b: { c: 1 } }] });
    expect(Object.isFrozen(v.a)).toBe(true);
    expect(Object.isFrozen(v.a[0]?.b)).toBe(true);
    expect(() => {
      (must(v.a[0]).b as { c: number }).c = 2;
    }).toThrow(TypeError);
  });
});
