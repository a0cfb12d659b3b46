// Goal: the gRPC binding serves every Control method and carries errors across the wire with
// their precise code and message (NOT_FOUND, NAME_CONFLICT, SEQUENCE_CONFLICT); the client
// (connectControl) gets the same ShoalErrors the in-process API throws. Method: the binding on
// a real grpc-js server on 127.0.0.1:0, over an in-process store.
import { credentials, Server, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { ManualClock } from '@shoal/clock';
import { isShoalError } from '@shoal/errors';
import { bindServer, createGrpcServer, shutdownServer } from '@shoal/grpc';
import { silentLogger } from '@shoal/logging';
import { createMetrics } from '@shoal/metrics';
import { ServiceSpec, UpdateServiceRequest_Rollback } from '@shoal/proto';
import { SeededRandom } from '@shoal/random';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startStoreFixture, type StoreFixture } from '@shoal/testing-store-fixture';
import { createControlApi } from './create-control-api';
import { controlGrpcBinding } from './grpc-binding';
import { connectControl, type RemoteControl } from './remote';

let fixture: StoreFixture;
let server: Server;
let remote: RemoteControl;

beforeAll(async () => {
  fixture = await startStoreFixture();
  const api = createControlApi({ store: fixture.client('gateway'), clock: new ManualClock(0),
    random: new SeededRandom(3), logger: silentLogger() });
  const binding = controlGrpcBinding(api);
  server = createGrpcServer({ metrics: createMetrics({ app: 'gw-test', version: '0', collectDefaults: false }) });
  server.addService(binding.definition, binding.implementation as UntypedServiceImplementation);
  const port = await bindServer(server, '127.0.0.1:0');
  remote = connectControl({ address: `127.0.0.1:${port}`, credentials: credentials.createInsecure(), deadlineMs: 5_000 });
});
afterAll(async () => {
  remote.close();
  await shutdownServer(server, 200);
  await fixture.stop();
});

async function codeOf(promise: Promise<unknown>): Promise<[string, string]> {
  try {
    await promise;
  } catch (err) {
    if (isShoalError(err)) return [err.code, err.message];
    throw err;
  }
  throw new Error('expected a rejection');
}

it('creates, conflicts and updates over gRPC with precise error codes', async () => {
  const spec = ServiceSpec.fromPartial({ annotations: { name: 'web' },
    task: { runtime: { $case: 'container', container: { image: 'busybox' } } } });
  const created = (await remote.createService({ spec })).service;
  expect(created?.spec?.mode).toEqual({ $case: 'replicated', replicated: { replicas: 1 } });
  expect((await codeOf(remote.createService({ spec })))[0]).toBe('NAME_CONFLICT');
  expect(await codeOf(remote.getService({ serviceId: 'nope', insertDefaults: false })))
    .toEqual(['NOT_FOUND', 'service nope not found']);
  const update = { serviceId: 'web', serviceVersion: { index: 0 }, spec, rollback: UpdateServiceRequest_Rollback.NONE };
  expect(await codeOf(remote.updateService(update))).toEqual(['SEQUENCE_CONFLICT', 'update out of sequence']);
  const bad = ServiceSpec.fromPartial({ ...spec, annotations: { name: 'x' },
    task: { runtime: { $case: 'container', container: { image: 'BAD::x' } } } });
  expect(await codeOf(remote.createService({ spec: bad })))
    .toEqual(['INVALID_ARGUMENT', 'ContainerSpec: "BAD::x" is not a valid repository/tag']);
});
