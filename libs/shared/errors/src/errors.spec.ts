// Goal: every ErrorCode maps to the agreed gRPC status, the inverse recovers the precise code
// from status + hint/message, and the ShoalError constructors produce uniform messages.
// Method: table-driven cases over ERROR_CODES and the constructors.
import {
  ERROR_CODES,
  errorCodeForGrpcStatus,
  grpcStatusFor,
  isErrorCode,
  isTransientCode,
  type ErrorCode,
} from './error-code';
import { isShoalError, ShoalError } from './shoal-error';

const EXPECTED_STATUS: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  NAME_CONFLICT: 6,
  SEQUENCE_CONFLICT: 9,
  FAILED_PRECONDITION: 9,
  COMPACTED: 9,
  PERMISSION_DENIED: 7,
  UNAUTHENTICATED: 16,
  RESOURCE_EXHAUSTED: 8,
  UNAVAILABLE: 14,
  NOT_LEADER: 14,
  DEADLINE_EXCEEDED: 4,
  CANCELLED: 1,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
};

describe('grpcStatusFor', () => {
  it.each(ERROR_CODES.map((c) => [c, EXPECTED_STATUS[c]]))('%s → %d', (code, status) => {
    expect(grpcStatusFor(code as ErrorCode)).toBe(status);
  });
});

describe('errorCodeForGrpcStatus', () => {
  it.each(ERROR_CODES)('round-trips %s when the code travels as a hint', (code) => {
    expect(errorCodeForGrpcStatus(grpcStatusFor(code), 'x', code)).toBe(code);
  });

  it.each([
    [3, undefined, undefined, 'INVALID_ARGUMENT'],
    [5, undefined, undefined, 'NOT_FOUND'],
    [6, undefined, undefined, 'ALREADY_EXISTS'],
    [9, 'update out of sequence', undefined, 'SEQUENCE_CONFLICT'],
    [9, 'something else', undefined, 'FAILED_PRECONDITION'],
    [14, 'not the leader; leader is m2:4242', undefined, 'NOT_LEADER'],
    [14, 'connection refused', undefined, 'UNAVAILABLE'],
    [4, undefined, undefined, 'DEADLINE_EXCEEDED'],
    [1, undefined, undefined, 'CANCELLED'],
    [12, undefined, undefined, 'UNIMPLEMENTED'],
    [2, undefined, undefined, 'INTERNAL'],
    [13, undefined, undefined, 'INTERNAL'],
    [0, undefined, undefined, 'INTERNAL'],
    [99, undefined, undefined, 'INTERNAL'],
    [9, undefined, 'COMPACTED', 'COMPACTED'],
    [5, undefined, 'COMPACTED', 'NOT_FOUND'],
    [5, undefined, 'BOGUS', 'NOT_FOUND'],
  ] as const)('status %d, message %j, hint %j → %s', (status, message, hint, expected) => {
    expect(errorCodeForGrpcStatus(status, message, hint)).toBe(expected);
  });
});

describe('ShoalError constructors', () => {
  it.each([
    [ShoalError.notFound('service', 'abc'), 'NOT_FOUND', 'service abc not found'],
    [ShoalError.alreadyExists('node', 'n1'), 'ALREADY_EXISTS', 'node n1 already exists'],
    [
      ShoalError.nameConflict('service', 'web'),
      'NAME_CONFLICT',
      'name conflicts with an existing object: service web already exists',
    ],
    [ShoalError.sequenceConflict(), 'SEQUENCE_CONFLICT', 'update out of sequence'],
    [ShoalError.invalidArgument('bad spec'), 'INVALID_ARGUMENT', 'bad spec'],
    [ShoalError.failedPrecondition('not ready'), 'FAILED_PRECONDITION', 'not ready'],
    [ShoalError.compacted(5, 10), 'COMPACTED', 'version 5 has been compacted'],
    [ShoalError.permissionDenied('not yours'), 'PERMISSION_DENIED', 'not yours'],
    [ShoalError.unauthenticated('no cert'), 'UNAUTHENTICATED', 'no cert'],
    [ShoalError.resourceExhausted('too big'), 'RESOURCE_EXHAUSTED', 'too big'],
    [ShoalError.unavailable('down'), 'UNAVAILABLE', 'down'],
    [ShoalError.notLeader(), 'NOT_LEADER', 'not the leader'],
    [ShoalError.notLeader('m2:4242'), 'NOT_LEADER', 'not the leader; leader is m2:4242'],
    [ShoalError.deadlineExceeded('slow'), 'DEADLINE_EXCEEDED', 'slow'],
    [ShoalError.cancelled(), 'CANCELLED', 'operation cancelled'],
    [ShoalError.unimplemented('nope'), 'UNIMPLEMENTED', 'nope'],
    [ShoalError.internal(), 'INTERNAL', 'internal error'],
  ] as const)('%#: %s has code %s', (err, code, message) => {
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe(code);
    expect(err.message).toBe(message);
    expect(err.grpcStatus).toBe(EXPECTED_STATUS[code]);
    expect(errorCodeForGrpcStatus(err.grpcStatus, err.message, err.code)).toBe(code);
  });

  it('carries details for lookups and leader hints', () => {
    expect(ShoalError.notFound('task', 't1').details).toEqual({ kind: 'task', id: 't1' });
    expect(ShoalError.notLeader('m2').details).toEqual({ leader: 'm2' });
    expect(ShoalError.compacted(5n).details).toEqual({ requestedVersion: '5' });
  });

  it('keeps a cause without putting it in the message', () => {
    const cause = new Error('ECONNREFUSED');
    const err = ShoalError.unavailable('store unreachable', { cause });
    expect(err.cause).toBe(cause);
    expect(err.message).toBe('store unreachable');
  });
});

describe('isShoalError / isErrorCode / isTransientCode', () => {
  it('recognises ShoalErrors, optionally by code', () => {
    const err = ShoalError.sequenceConflict();
    expect(isShoalError(err)).toBe(true);
    expect(isShoalError(err, 'SEQUENCE_CONFLICT')).toBe(true);
    expect(isShoalError(err, 'NOT_FOUND')).toBe(false);
    expect(isShoalError(new Error('x'))).toBe(false);
    expect(isShoalError('NOT_FOUND')).toBe(false);
  });

  it('validates codes', () => {
    expect(isErrorCode('NOT_LEADER')).toBe(true);
    expect(isErrorCode('not_leader')).toBe(false);
    expect(isErrorCode(3)).toBe(false);
  });

  it.each(ERROR_CODES)('%s transient classification', (code) => {
    const transient = ['UNAVAILABLE', 'NOT_LEADER', 'DEADLINE_EXCEEDED'].includes(code);
    expect(isTransientCode(code)).toBe(transient);
  });
});
