// Goal: a real grpc-js server built with createGrpcServer counts every call by code, maps
// ShoalErrors to their statuses (and back on the client), hides unexpected errors behind
// INTERNAL, and clients made by createClient get a default deadline. Method: start a server
// on 127.0.0.1:0 with a hand-built JSON service, call it over loopback, read the registry.
import {
  credentials,
  Metadata,
  ServerCredentials,
  status,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import { AssertionFailure } from '@shoal/assert';
import { ShoalError } from '@shoal/errors';
import { createMetrics, metricsText, type Metrics } from '@shoal/metrics';
import { createClient } from './client';
import { bindServer, createGrpcServer, shutdownServer } from './server';
import { fromGrpcError } from './status';
import { TEST_SERVICE, type TestMessage } from './testdata/test-service';
import { wrapUnary } from './unary';

type Callback = (err: ServiceError | null, res?: TestMessage) => void;
interface TestClient extends Client {
  Echo(req: TestMessage, cb: Callback): void;
  Fail(req: TestMessage, cb: Callback): void;
  Crash(req: TestMessage, cb: Callback): void;
  Hang(req: TestMessage, metadata: Metadata, options: { deadline?: number }, cb: Callback): void;
}

function call(
  fn: (req: TestMessage, cb: Callback) => void,
  text: string,
): Promise<{ err: ServiceError | null; res?: TestMessage }> {
  return new Promise((resolve) => fn({ text }, (err, res) => resolve({ err, res })));
}

describe('grpc server and client', () => {
  let metrics: Metrics;
  let server: ReturnType<typeof createGrpcServer>;
  let client: TestClient;
  const assertionFailures: Error[] = [];

  beforeAll(async () => {
    metrics = createMetrics({ app: 'grpc-test', version: '0', collectDefaults: false });
    server = createGrpcServer({ metrics });
    server.addService(TEST_SERVICE, {
      Echo: wrapUnary((req: TestMessage) => ({ text: req.text })),
      Fail: wrapUnary((req: TestMessage) => {
        if (req.text === 'conflict') throw ShoalError.sequenceConflict();
        if (req.text === 'leader') throw ShoalError.notLeader('m2:4242');
        throw ShoalError.notFound('service', req.text);
      }),
      Crash: wrapUnary(
        async (req: TestMessage) => {
          if (req.text === 'assert') throw new AssertionFailure('assertion failed: test');
          throw new Error(`secret internals at /etc/${req.text}`);
        },
        { onAssertionFailure: (err) => assertionFailures.push(err) },
      ),
      Hang: wrapUnary(() => new Promise<TestMessage>(() => undefined)),
    });
    const port = await bindServer(server, '127.0.0.1:0', ServerCredentials.createInsecure());
    const address = `127.0.0.1:${port}`;
    client = createClient<TestClient>(TEST_SERVICE, address, credentials.createInsecure(), {
      defaultDeadlineMs: 200,
    });
  });

  afterAll(async () => {
    client.close();
    await shutdownServer(server, 100);
  });

  async function handled(method: string, code: string): Promise<number> {
    const { body } = await metricsText(metrics);
    const labels = `service="shoal.test.TestService",method="${method}",code="${code}"`;
    const prefix = `shoal_grpc_server_handled_total{${labels}}`;
    const line = body.split('\n').find((l) => l.startsWith(prefix));
    return line === undefined ? 0 : Number(line.split(' ').pop());
  }

  it('answers a call and counts it as OK with a latency sample', async () => {
    const { err, res } = await call(client.Echo.bind(client), 'hi');
    expect(err).toBeNull();
    expect(res).toEqual({ text: 'hi' });
    expect(await handled('Echo', 'OK')).toBe(1);
    const { body } = await metricsText(metrics);
    expect(body).toMatch(/shoal_grpc_server_handling_seconds_count\{[^}]*method="Echo"\} 1/);
  });

  it.each([
    ['missing', status.NOT_FOUND, 'NOT_FOUND', 'service missing not found'],
    ['conflict', status.FAILED_PRECONDITION, 'SEQUENCE_CONFLICT', 'update out of sequence'],
    ['leader', status.UNAVAILABLE, 'NOT_LEADER', 'not the leader; leader is m2:4242'],
  ])('maps a ShoalError for %s to status %d and back to %s', async (text, grpcCode, code, msg) => {
    const { err } = await call(client.Fail.bind(client), text);
    expect(err?.code).toBe(grpcCode);
    expect(err?.details).toBe(msg);
    const back = fromGrpcError(err);
    expect(back.code).toBe(code);
    expect(back.message).toBe(msg);
  });

  it('carries ShoalError details to the client', async () => {
    const { err } = await call(client.Fail.bind(client), 'leader');
    expect(fromGrpcError(err).details).toEqual({ leader: 'm2:4242' });
  });

  it('counts failures under their status code', async () => {
    expect(await handled('Fail', 'NOT_FOUND')).toBe(1);
    expect(await handled('Fail', 'UNAVAILABLE')).toBe(2);
  });

  it('hides unexpected errors behind a generic INTERNAL status', async () => {
    const { err } = await call(client.Crash.bind(client), 'passwd');
    expect(err?.code).toBe(status.INTERNAL);
    expect(err?.details).toBe('internal error');
    expect(JSON.stringify(err?.metadata.getMap())).not.toContain('passwd');
    expect(await handled('Crash', 'INTERNAL')).toBe(1);
  });

  it('answers INTERNAL to an assertion failure and hands it on to crash', async () => {
    const { err } = await call(client.Crash.bind(client), 'assert');
    expect(err?.code).toBe(status.INTERNAL);
    expect(assertionFailures).toHaveLength(1);
  });

  it('gives a call without a deadline the client default (DEADLINE_EXCEEDED)', async () => {
    const started = Date.now();
    const { err } = await new Promise<{ err: ServiceError | null }>((resolve) =>
      client.Hang({ text: 'x' }, new Metadata(), {}, (e) => resolve({ err: e })),
    );
    expect(err?.code).toBe(status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(Date.now() - started).toBeLessThan(2_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(await handled('Hang', 'DEADLINE_EXCEEDED')).toBe(1);
  });

  it('keeps a deadline the caller set', async () => {
    const started = Date.now();
    const { err } = await new Promise<{ err: ServiceError | null }>((resolve) =>
      client.Hang({ text: 'x' }, new Metadata(), { deadline: Date.now() + 600 }, (e) =>
        resolve({ err: e }),
      ),
    );
    expect(err?.code).toBe(status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
  });
});

describe('bindServer / shutdownServer', () => {
  it('binds port 0 and forces shutdown when a call hangs past the grace', async () => {
    const server = createGrpcServer({ credentials: ServerCredentials.createInsecure() });
    server.addService(TEST_SERVICE, {
      Echo: wrapUnary((req: TestMessage) => req),
      Fail: wrapUnary(() => Promise.reject(new Error('x'))),
      Crash: wrapUnary(() => Promise.reject(new Error('x'))),
      Hang: wrapUnary(() => new Promise<TestMessage>(() => undefined)),
    });
    const port = await bindServer(server, '127.0.0.1:0');
    expect(port).toBeGreaterThan(0);
    const address = `127.0.0.1:${port}`;
    const client = createClient<TestClient>(TEST_SERVICE, address, credentials.createInsecure(), {
      defaultDeadlineMs: 5_000,
    });
    const pending = new Promise<ServiceError | null>((resolve) =>
      client.Hang({ text: 'x' }, new Metadata(), {}, (e) => resolve(e)),
    );
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await shutdownServer(server, 100);
    expect(Date.now() - started).toBeLessThan(1_000);
    const err = await pending;
    expect([status.CANCELLED, status.UNAVAILABLE]).toContain(err?.code);
    client.close();
  });

  it('rejects an address that cannot be bound', async () => {
    const server = createGrpcServer();
    await expect(bindServer(server, '256.0.0.1:0')).rejects.toThrow();
    server.forceShutdown();
  });
});
