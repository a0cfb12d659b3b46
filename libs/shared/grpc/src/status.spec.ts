// Goal: the error ↔ status mapping at the gRPC edge is exact and leaks nothing, and the
// deadline interceptor only fills in missing unary deadlines. Method: table-driven unit
// tests on toGrpcError / fromGrpcError, and the interceptor driven with a fake next call.
import { Metadata, status, type InterceptorOptions } from '@grpc/grpc-js';
import { ERROR_CODES, grpcStatusFor, ShoalError } from '@shoal/errors';
import { deadlineInterceptor } from './client';
import { parseMethodPath } from './server-metrics';
import { fromGrpcError, statusName, toGrpcError } from './status';

describe('toGrpcError / fromGrpcError', () => {
  it.each(ERROR_CODES)('round-trips a ShoalError with code %s', (code) => {
    const original = new ShoalError(code, `failure ${code}`, { kind: 'task' });
    const wire = toGrpcError(original);
    expect(wire.code).toBe(grpcStatusFor(code));
    expect(wire.details).toBe(`failure ${code}`);
    const back = fromGrpcError({ ...wire, metadata: wire.metadata });
    expect(back.code).toBe(code);
    expect(back.message).toBe(`failure ${code}`);
    expect(back.details).toEqual({ kind: 'task' });
  });

  it('maps anything else to INTERNAL with a generic message and logs it', () => {
    const logged: unknown[] = [];
    const logger = { error: (obj: unknown) => logged.push(obj) };
    const wire = toGrpcError(new Error('db password is hunter2'), logger as never);
    expect(wire).toMatchObject({ code: status.INTERNAL, details: 'internal error' });
    expect(logged).toHaveLength(1);
  });

  it.each([
    [{ code: status.NOT_FOUND, details: 'x', metadata: new Metadata() }, 'NOT_FOUND'],
    [{ code: status.UNAVAILABLE, details: 'not the leader' }, 'NOT_LEADER'],
    [{ code: status.UNKNOWN, details: 'x' }, 'INTERNAL'],
    [new Error('plain'), 'INTERNAL'],
    ['string', 'INTERNAL'],
    [null, 'INTERNAL'],
  ])('fromGrpcError(%o) → %s', (err, code) => {
    expect(fromGrpcError(err).code).toBe(code);
  });

  it('ignores malformed details metadata', () => {
    const metadata = new Metadata();
    metadata.set('shoal-error-code', 'NOT_FOUND');
    metadata.set('shoal-error-details', '{not json');
    const err = fromGrpcError({ code: status.NOT_FOUND, details: 'x', metadata });
    expect(err.code).toBe('NOT_FOUND');
    expect(err.details).toBeUndefined();
  });

  it.each([
    [0, 'OK'],
    [5, 'NOT_FOUND'],
    [14, 'UNAVAILABLE'],
    [99, 'UNKNOWN_99'],
  ])('statusName(%d) is %s', (code, name) => {
    expect(statusName(code)).toBe(name);
  });
});

describe('parseMethodPath', () => {
  it.each([
    ['/shoal.v1.Store/Get', 'shoal.v1.Store', 'Get'],
    ['/grpc.health.v1.Health/Check', 'grpc.health.v1.Health', 'Check'],
    ['Odd', 'unknown', 'Odd'],
  ])('%s → %s %s', (path, service, method) => {
    expect(parseMethodPath(path)).toEqual({ service, method });
  });
});

describe('deadlineInterceptor', () => {
  function deadlineSeen(
    options: Partial<InterceptorOptions>,
    streams: { requestStream: boolean; responseStream: boolean },
    interceptorOpts = {},
  ): unknown {
    let seen: unknown = 'not called';
    const full = { ...options, method_definition: { path: '/x/Y', ...streams } } as never;
    deadlineInterceptor(1_000, interceptorOpts)(full, (opts) => {
      seen = opts.deadline;
      return { start: () => undefined } as never;
    });
    return seen;
  }
  const unary = { requestStream: false, responseStream: false };
  const serverStream = { requestStream: false, responseStream: true };

  it('adds a deadline to a unary call lacking one', () => {
    const before = Date.now();
    const deadline = deadlineSeen({}, unary) as number;
    expect(deadline).toBeGreaterThanOrEqual(before + 1_000);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 1_000);
  });

  it('keeps a deadline the caller set', () => {
    expect(deadlineSeen({ deadline: 42 }, unary)).toBe(42);
  });

  it('leaves streams alone unless asked', () => {
    expect(deadlineSeen({}, serverStream)).toBeUndefined();
    expect(typeof deadlineSeen({}, serverStream, { streams: true })).toBe('number');
  });
});
