// Goal: the client retries a write only when the failure proves it was not applied, retries
// reads on every transient failure, and spreads retries with capped, jittered backoff.
// Method: table-driven cases over ShoalErrors as fromGrpcError builds them (with and without
// the server's code metadata) and over backoffDelayMs with fixed "random" values.
import { Metadata } from '@grpc/grpc-js';
import { ShoalError } from '@shoal/errors';
import { ERROR_CODE_METADATA_KEY, fromGrpcError } from '@shoal/grpc';
import { NOT_SENT_DETAIL } from './identity';
import { backoffDelayMs, isRetryableRead, provesNotApplied } from './retry';

function fromServer(code: number, details: string, shoalCode?: string): ShoalError {
  const metadata = new Metadata();
  if (shoalCode !== undefined) metadata.set(ERROR_CODE_METADATA_KEY, shoalCode);
  return fromGrpcError({ code, details, metadata });
}

describe('retry classification', () => {
  it.each([
    ['NOT_LEADER from the server', fromServer(14, 'not the leader; leader is a:1', 'NOT_LEADER'), true],
    ['UNAVAILABLE marked not-sent', new ShoalError('UNAVAILABLE', 'x', { [NOT_SENT_DETAIL]: 'true' }), true],
    ['grpc-js: no connection', fromServer(14, 'No connection established. Last error: ECONNREFUSED'), true],
    ['server UNAVAILABLE (outcome unknown)', fromServer(14, 'leadership was lost', 'UNAVAILABLE'), false],
    ['connection dropped mid-call', fromServer(14, 'Connection dropped'), false],
    ['deadline exceeded', fromServer(4, 'Deadline exceeded'), false],
    ['sequence conflict', fromServer(9, 'update out of sequence', 'SEQUENCE_CONFLICT'), false],
  ])('a write failing with %s is retried: %s', (_what, error, expected) => {
    expect(provesNotApplied(error)).toBe(expected);
  });

  it.each([
    ['UNAVAILABLE', true], ['NOT_LEADER', true], ['DEADLINE_EXCEEDED', true],
    ['NOT_FOUND', false], ['PERMISSION_DENIED', false], ['INTERNAL', false],
  ] as const)('a read failing %s is retried: %s', (code, expected) => {
    expect(isRetryableRead(new ShoalError(code, 'x'))).toBe(expected);
  });

  it('backs off exponentially with full jitter, capped', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelayMs(a, () => 0.999, 50, 1000)))
      .toEqual([49, 99, 199, 399]);
    expect(backoffDelayMs(20, () => 0.5, 50, 1000)).toBe(500);
    expect(backoffDelayMs(3, () => 0, 50, 1000)).toBe(0);
  });
});
