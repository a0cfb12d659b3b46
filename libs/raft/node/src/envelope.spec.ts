// Goal: the proposal envelope round-trips request ids up to 2^53 and payloads without
// copying, refuses data that is not an envelope, and request ids never repeat.
// Method: table-driven round trips and direct checks of RequestIds.
import { AssertionFailure } from '@shoal/assert';
import { ENVELOPE_HEADER_BYTES, isEnvelope, RequestIds, unwrap, wrap } from './envelope';

describe('envelope', () => {
  it.each([
    [0, 0],
    [1, 1],
    [0xffffffff, 2 ** 32 + 5],
    [123456, Number.MAX_SAFE_INTEGER],
  ])('round-trips incarnation %d, sequence %d', (incarnation, sequence) => {
    const payload = new TextEncoder().encode('payload');
    const wrapped = wrap({ incarnation, sequence }, payload);
    expect(wrapped.byteLength).toBe(ENVELOPE_HEADER_BYTES + payload.byteLength);
    expect(isEnvelope(wrapped)).toBe(true);
    const { id, payload: out } = unwrap(wrapped);
    expect(id).toEqual({ incarnation, sequence });
    expect(out).toEqual(payload);
    expect(out.buffer).toBe(wrapped.buffer);
  });

  it('refuses data that is not an envelope', () => {
    expect(isEnvelope(new Uint8Array(3))).toBe(false);
    expect(() => unwrap(new Uint8Array(ENVELOPE_HEADER_BYTES))).toThrow(AssertionFailure);
  });

  it('hands out increasing ids and knows its own', () => {
    const ids = new RequestIds(42);
    const a = ids.nextId();
    const b = ids.nextId();
    expect(b.sequence).toBe(a.sequence + 1);
    expect(ids.owns(a)).toBe(true);
    expect(ids.owns({ incarnation: 43, sequence: a.sequence })).toBe(false);
    expect(ids.owns({ incarnation: 42, sequence: b.sequence + 1 })).toBe(false);
  });
});
