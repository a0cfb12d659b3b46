// Goal: the generated service definitions work at runtime with raw @grpc/grpc-js: a server
// built from a definition answers unary and server-streaming calls made by clients built from
// the same definition (the generated client and makeGenericClientConstructor), and the
// messages keep their TypeScript shapes (Dates, oneofs) across the wire. Method: a real server
// on 127.0.0.1:0 with insecure credentials, torn down after the suite.
import {
  Server,
  ServerCredentials,
  credentials,
  makeGenericClientConstructor,
  status,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceError,
  type sendUnaryData,
} from '@grpc/grpc-js';
import {
  ChangeAction,
  GetRequest,
  GetResponse,
  HealthCheckRequest,
  HealthCheckResponse,
  HealthCheckResponse_ServingStatus as ServingStatus,
  Owner,
  Task,
  TaskState,
  TransactionRequest,
  TransactionResponse,
  WatchRequest,
  WatchResponse,
  wrapStoredObject,
} from '@shoal/proto';
import { HealthClient, HealthService, StoreClient, StoreService } from './index';

const STATUSES: Record<string, ServingStatus> = {
  '': ServingStatus.SERVING,
  'shoal.v1.Store': ServingStatus.SERVING,
  'shoal.v1.Raft': ServingStatus.NOT_SERVING,
};

function check(
  call: ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>,
  callback: sendUnaryData<HealthCheckResponse>,
): void {
  const known = STATUSES[call.request.service];
  if (known === undefined) {
    callback({ code: status.NOT_FOUND, details: `unknown service ${call.request.service}` });
    return;
  }
  callback(null, { status: known });
}

function watchHealth(call: ServerWritableStream<HealthCheckRequest, HealthCheckResponse>): void {
  call.write({ status: STATUSES[call.request.service] ?? ServingStatus.SERVICE_UNKNOWN });
  call.write({ status: ServingStatus.NOT_SERVING });
  call.end();
}

/** A Store whose Transaction echoes the objects back, stamped with version 42. */
function transaction(
  call: ServerUnaryCall<TransactionRequest, TransactionResponse>,
  callback: sendUnaryData<TransactionResponse>,
): void {
  const objects = call.request.changes.flatMap((c) => (c.object ? [c.object] : []));
  callback(null, { version: { index: 42 }, objects });
}

function watchStore(call: ServerWritableStream<WatchRequest, WatchResponse>): void {
  const from = call.request.resumeFromVersion?.index ?? 0;
  call.write({ event: { $case: 'progress', progress: { version: { index: from } } } });
  call.write({
    event: { $case: 'compacted', compacted: { oldestVersion: { index: from + 1 } } },
  });
  call.end();
}

const unimplemented = (_call: unknown, callback: sendUnaryData<never>): void =>
  callback({ code: status.UNIMPLEMENTED });

let server: Server;
let address: string;

beforeAll(async () => {
  server = new Server();
  server.addService(HealthService, { check, watch: watchHealth });
  server.addService(StoreService, {
    get: unimplemented,
    list: unimplemented,
    find: unimplemented,
    transaction,
    watch: watchStore,
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    );
  });
  address = `127.0.0.1:${port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
});

function unary<Req, Res>(
  call: (req: Req, cb: (err: ServiceError | null, res: Res) => void) => unknown,
  request: Req,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    call(request, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

function collect<T>(stream: NodeJS.ReadableStream): Promise<T[]> {
  const out: T[] = [];
  return new Promise((resolve, reject) => {
    stream.on('data', (m: T) => out.push(m));
    stream.on('error', reject);
    stream.on('end', () => resolve(out));
  });
}

describe('grpc.health.v1.Health over raw grpc-js', () => {
  let client: HealthClient;
  beforeAll(() => {
    client = new HealthClient(address, credentials.createInsecure());
  });
  afterAll(() => client.close());

  it('answers Check for the server and for a named service', async () => {
    const checkCall = client.check.bind(client);
    const whole = await unary<HealthCheckRequest, HealthCheckResponse>(checkCall, { service: '' });
    expect(whole).toEqual({ status: ServingStatus.SERVING });
    const raft = await unary<HealthCheckRequest, HealthCheckResponse>(checkCall, {
      service: 'shoal.v1.Raft',
    });
    expect(raft.status).toBe(ServingStatus.NOT_SERVING);
  });

  it('maps an unknown service to NOT_FOUND', async () => {
    const checkCall = client.check.bind(client);
    const res = unary<HealthCheckRequest, HealthCheckResponse>(checkCall, { service: 'nope' });
    await expect(res).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it('streams Watch updates', async () => {
    const stream = client.watch({ service: 'shoal.v1.Store' });
    const updates = await collect<HealthCheckResponse>(stream);
    const expected = [ServingStatus.SERVING, ServingStatus.NOT_SERVING];
    expect(updates.map((u) => u.status)).toEqual(expected);
  });

  it('serves a client made with makeGenericClientConstructor', async () => {
    const Generic = makeGenericClientConstructor(HealthService, 'grpc.health.v1.Health');
    const generic = new Generic(address, credentials.createInsecure());
    try {
      const check = generic['check'] as (
        req: HealthCheckRequest,
        cb: (err: ServiceError | null, res: HealthCheckResponse) => void,
      ) => unknown;
      const res = await unary(check.bind(generic), { service: 'shoal.v1.Store' });
      expect(res.status).toBe(ServingStatus.SERVING);
    } finally {
      generic.close();
    }
  });
});

describe('shoal.v1.Store over raw grpc-js', () => {
  let client: StoreClient;
  beforeAll(() => {
    client = new StoreClient(address, credentials.createInsecure());
  });
  afterAll(() => client.close());

  it('carries a Task with Dates and oneofs through Transaction unchanged', async () => {
    const createdAt = new Date('2026-11-24T21:00:00.5Z');
    const task = Task.fromPartial({
      id: 't1',
      meta: { version: { index: 7 }, createdAt },
      spec: { runtime: { $case: 'container', container: { image: 'local/busybox:1' } } },
      desiredState: TaskState.RUNNING,
      schedulerStatus: { state: TaskState.ASSIGNED, timestamp: createdAt },
    });
    const request = TransactionRequest.fromPartial({
      changes: [{ action: ChangeAction.UPDATE, object: wrapStoredObject('task', task) }],
      writer: Owner.SCHEDULER,
    });
    const call = client.transaction.bind(client);
    const res = await unary<TransactionRequest, TransactionResponse>(call, request);
    expect(res.version?.index).toBe(42);
    expect(res.objects).toEqual([wrapStoredObject('task', task)]);
    const echoed = res.objects[0]?.kind;
    expect(echoed?.$case === 'task' && echoed.task.meta?.createdAt).toEqual(createdAt);
  });

  it('streams Watch events as oneof unions', async () => {
    const request = WatchRequest.fromPartial({ resumeFromVersion: { index: 9 } });
    const events = await collect<WatchResponse>(client.watch(request));
    expect(events.map((e) => e.event?.$case)).toEqual(['progress', 'compacted']);
  });

  it('surfaces server errors as gRPC statuses', async () => {
    const get = unary<GetRequest, GetResponse>(client.get.bind(client), GetRequest.fromPartial({
      id: 'x',
    }));
    await expect(get).rejects.toMatchObject({ code: status.UNIMPLEMENTED });
  });
});
