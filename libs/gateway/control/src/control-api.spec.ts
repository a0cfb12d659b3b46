// Goal: the Control API keeps SwarmKit's contract against a real store: create fills the
// defaults, names are unique case-insensitively, updates need the current version ("update
// out of sequence" otherwise) and keep the previous spec, removal hands the service to the
// orchestrator (pending_delete), bad specs fail INVALID_ARGUMENT with dockerd's texts, node
// removal refuses READY nodes without force, token rotation changes only the asked token,
// and secrets never leave with their data. Method: an in-process store (LocalReplica behind
// gRPC); the gateway's client writes as `user`, the ca's and orchestrator's as themselves.
import { ManualClock } from '@shoal/clock';
import { isShoalError } from '@shoal/errors';
import { silentLogger } from '@shoal/logging';
import {
  Cluster,
  NodeSpec_Availability,
  NodeStatus_State,
  RestartPolicy_Condition,
  ServiceSpec,
  Task,
  TaskState,
  UpdateConfig_Order,
  UpdateServiceRequest_Rollback,
} from '@shoal/proto';
import { SeededRandom } from '@shoal/random';
// The in-process store is scope:store/type:testing, which a gateway lib may not import; only
// this spec does, to run the API against a real store.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createNodes, fixtureId, readyNode, setNodeState, startStoreFixture, type StoreFixture } from '@shoal/testing-store-fixture';
import type { ControlApi } from './control-api';
import { fullTokens } from './cluster';
import { createControlApi } from './create-control-api';

let fixture: StoreFixture;
let api: ControlApi;

beforeEach(async () => {
  fixture = await startStoreFixture();
  api = createControlApi({ store: fixture.client('gateway'), clock: new ManualClock(1_700_000_000_000),
    random: new SeededRandom(7), logger: silentLogger() });
});
afterEach(() => fixture.stop());

function spec(name: string, overrides: Partial<ServiceSpec> = {}): ServiceSpec {
  return ServiceSpec.fromPartial({
    annotations: { name },
    task: { runtime: { $case: 'container', container: { image: 'busybox:1.36' } } },
    ...overrides,
  });
}

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    if (isShoalError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('services', () => {
  it('creates with SwarmKit defaults, finds by id, name and prefix, lists', async () => {
    const { service } = await api.createService({ spec: spec('web') });
    const created = must(service);
    expect(created.spec?.mode).toEqual({ $case: 'replicated', replicated: { replicas: 1 } });
    expect(created.spec?.task?.restart?.condition).toBe(RestartPolicy_Condition.ANY);
    expect(created.spec?.task?.restart?.delay).toEqual({ seconds: 5, nanos: 0 });
    expect(created.spec?.update).toMatchObject({ parallelism: 1, monitor: { seconds: 5, nanos: 0 },
      order: UpdateConfig_Order.STOP_FIRST });
    for (const ref of [created.id, 'WEB', created.id.slice(0, 6)]) {
      expect((await api.getService({ serviceId: ref, insertDefaults: false })).service?.id).toBe(created.id);
    }
    expect((await api.listServices({ filters: undefined })).services.map((s) => s.id)).toEqual([created.id]);
    expect((await api.listServices({ filters: { names: ['nope'], idPrefixes: [], labels: {}, namePrefixes: [],
      runtimes: [] } })).services).toEqual([]);
  });

  it('refuses a second service with the same name, whatever its case', async () => {
    await api.createService({ spec: spec('web') });
    const err = await rejection(api.createService({ spec: spec('WEB') }));
    expect(err.code).toBe('NAME_CONFLICT');
    expect(err.message).toContain('already exists');
  });

  it.each([
    ['bad image', spec('a', { task: { runtime: { $case: 'container', container: { image: 'BAD::image' } } } as never }),
      'ContainerSpec: "BAD::image" is not a valid repository/tag'],
    ['bad constraint', spec('a', { task: { runtime: { $case: 'container', container: { image: 'busybox' } },
      placement: { constraints: ['node.role>manager'] } } as never }), 'constraint expected one operator from ==, !='],
    ['bad name', spec('-a'), 'name must be valid as a DNS name component'],
  ])('refuses a %s with dockerd\'s text', async (_what, bad, message) => {
    expect(await rejection(api.createService({ spec: bad }))).toEqual({ code: 'INVALID_ARGUMENT', message });
  });

  it('updates at the current version only, keeping the previous spec; rolls back', async () => {
    const created = must((await api.createService({ spec: spec('web') })).service);
    const v1 = created.meta?.version;
    const replicas3 = spec('web', { mode: { $case: 'replicated', replicated: { replicas: 3 } } });
    const updated = must((await api.updateService({ serviceId: created.id, serviceVersion: v1, spec: replicas3,
      rollback: UpdateServiceRequest_Rollback.NONE })).service);
    expect(updated.specVersion).toEqual(v1);
    expect(updated.previousSpec?.mode).toEqual({ $case: 'replicated', replicated: { replicas: 1 } });
    const stale = await rejection(api.updateService({ serviceId: created.id, serviceVersion: v1, spec: replicas3,
      rollback: UpdateServiceRequest_Rollback.NONE }));
    expect(stale).toEqual({ code: 'SEQUENCE_CONFLICT', message: 'update out of sequence' });
    const rolled = must((await api.updateService({ serviceId: created.id, serviceVersion: updated.meta?.version,
      spec: undefined, rollback: UpdateServiceRequest_Rollback.PREVIOUS })).service);
    expect(rolled.spec?.mode).toEqual({ $case: 'replicated', replicated: { replicas: 1 } });
    expect(rolled.specVersion?.index ?? 0).toBe(created.specVersion?.index ?? 0);
    expect(rolled.previousSpecVersion).toEqual(v1);
  });

  it('refuses renames and mode changes (UNIMPLEMENTED)', async () => {
    const created = must((await api.createService({ spec: spec('web') })).service);
    const request = { serviceId: created.id, serviceVersion: created.meta?.version,
      rollback: UpdateServiceRequest_Rollback.NONE };
    expect((await rejection(api.updateService({ ...request, spec: spec('web2') }))).message)
      .toBe('renaming services is not supported');
    expect((await rejection(api.updateService({ ...request,
      spec: spec('web', { mode: { $case: 'global', global: {} } }) }))).message)
      .toBe('service mode change is not allowed');
  });

  it('removal marks the service for the orchestrator, hides it and frees its name', async () => {
    const created = must((await api.createService({ spec: spec('web') })).service);
    await api.removeService({ serviceId: 'web' });
    expect((await fixture.client('orchestrator').get('service', created.id))?.pendingDelete).toBe(true);
    expect((await rejection(api.getService({ serviceId: created.id, insertDefaults: false }))).code).toBe('NOT_FOUND');
    expect((await api.listServices({ filters: undefined })).services).toEqual([]);
    const again = must((await api.createService({ spec: spec('web') })).service);
    expect(again.id).not.toBe(created.id);
    expect((await api.getService({ serviceId: 'web', insertDefaults: false })).service?.id).toBe(again.id);
  });

  it('refuses a published port another service holds', async () => {
    const ports = { endpoint: { mode: 0, ports: [{ name: '', protocol: 0, targetPort: 80, publishedPort: 8080,
      publishMode: 0 }] } };
    await api.createService({ spec: spec('a', ports) });
    expect((await rejection(api.createService({ spec: spec('b', ports) }))).message)
      .toMatch(/^port '8080' is already in use by service 'a' \(\w+\) as an ingress port$/);
  });
});

describe('tasks and statuses', () => {
  it('filters tasks and counts running ones', async () => {
    const svc = must((await api.createService({ spec: spec('web', { mode: { $case: 'replicated',
      replicated: { replicas: 2 } } }) })).service);
    const task = (n: number, state: TaskState): Task => Task.fromPartial({ id: fixtureId('t', n), serviceId: svc.id,
      slot: n, desiredState: TaskState.RUNNING, specVersion: svc.specVersion, serviceAnnotations: { name: 'web' },
      status: { state } });
    await fixture.client('orchestrator').transaction([task(1, TaskState.RUNNING), task(2, TaskState.PENDING)]
      .map((object) => ({ action: 'create' as const, kind: 'task' as const, object })), { writer: 'orchestrator' });
    const filters = { names: [], idPrefixes: [], labels: {}, serviceIds: [svc.id], nodeIds: [],
      desiredStates: [TaskState.RUNNING], namePrefixes: ['web.1'], runtimes: [], upToDate: true };
    expect((await api.listTasks({ filters })).tasks.map((t) => t.id)).toEqual([fixtureId('t', 1)]);
    expect((await api.listServiceStatuses({ services: [svc.id] })).statuses)
      .toEqual([{ serviceId: svc.id, desiredTasks: 2, runningTasks: 1, completedTasks: 0 }]);
    await api.removeTask({ taskId: fixtureId('t', 2) });
    expect((await api.listTasks({ filters: undefined })).tasks).toHaveLength(1);
  });
});

describe('nodes', () => {
  it('drains a node at its version and removes only down nodes without force', async () => {
    const id = fixtureId('n', 1);
    await createNodes(fixture, [readyNode(id)]);
    const node = must((await api.getNode({ nodeId: id })).node);
    const drained = must((await api.updateNode({ nodeId: id, nodeVersion: node.meta?.version,
      spec: { ...must(node.spec), availability: NodeSpec_Availability.DRAIN } })).node);
    expect(drained.spec?.availability).toBe(NodeSpec_Availability.DRAIN);
    expect((await rejection(api.updateNode({ nodeId: id, nodeVersion: node.meta?.version, spec: node.spec }))).code)
      .toBe('SEQUENCE_CONFLICT');
    expect(await rejection(api.removeNode({ nodeId: id, force: false })))
      .toEqual({ code: 'FAILED_PRECONDITION', message: `node ${id} is not down and can't be removed` });
    await setNodeState(fixture.client('dispatcher'), id, NodeStatus_State.DOWN);
    await api.removeNode({ nodeId: id, force: false });
    expect((await api.listNodes({ filters: undefined })).nodes).toEqual([]);
  });
});

describe('cluster', () => {
  it('rotates only the asked join token and shows whole tokens', async () => {
    const hash = 'ab'.repeat(32);
    const cluster = Cluster.fromPartial({ id: fixtureId('c', 1), spec: { annotations: { name: 'default' } },
      rootCa: { caCertHash: `sha256:${hash}`, caKey: Buffer.from('secret key') },
      joinTokens: { worker: '1'.repeat(25), manager: '2'.repeat(25) } });
    await fixture.client('ca').transaction([{ action: 'create', kind: 'cluster', object: cluster }], { writer: 'ca' });
    const before = must((await api.getCluster({ clusterId: 'default' })).cluster);
    expect(before.joinTokens?.worker).toBe('1'.repeat(25));
    expect(fullTokens(before)?.worker).toMatch(/^SHLTKN-1-[0-9a-z]{50}-1{25}$/);
    expect(before.rootCa?.caKey.length).toBe(0);
    const after = must((await api.updateCluster({ clusterId: before.id, clusterVersion: before.meta?.version,
      spec: before.spec, rotation: { workerJoinToken: true, managerJoinToken: false, managerUnlockKey: false } })).cluster);
    expect(after.joinTokens?.worker).not.toBe(before.joinTokens?.worker);
    expect(after.joinTokens?.manager).toBe(before.joinTokens?.manager);
    const tooShort = { ...must(before.spec), caConfig: { nodeCertExpiry: { seconds: 60, nanos: 0 }, externalCas: [],
      signingCaCert: Buffer.alloc(0), signingCaKey: Buffer.alloc(0), forceRotate: 0 } };
    expect((await rejection(api.updateCluster({ clusterId: before.id, clusterVersion: after.meta?.version,
      spec: tooShort, rotation: undefined }))).message).toBe('minimum certificate expiry time is: 1h0m0s');
  });
});

describe('secrets', () => {
  it('never returns data, limits size, updates labels only, refuses removal in use', async () => {
    const created = must((await api.createSecret({ spec: { annotations: { name: 'pw', labels: {} },
      data: Buffer.from('hunter2'), templating: undefined, driver: undefined } })).secret);
    expect(created.spec?.data.length).toBe(0);
    expect((await api.getSecret({ secretId: 'pw' })).secret?.spec?.data.length).toBe(0);
    const big = await rejection(api.createSecret({ spec: { annotations: { name: 'big', labels: {} },
      data: Buffer.alloc(500 * 1024), templating: undefined, driver: undefined } }));
    expect(big.message).toBe('secret data must be larger than 0 and less than 512000 bytes');
    const relabelled = must((await api.updateSecret({ secretId: created.id, secretVersion: created.meta?.version,
      spec: { ...must(created.spec), annotations: { name: 'pw', labels: { a: 'b' } } } })).secret);
    expect(relabelled.spec?.annotations?.labels).toEqual({ a: 'b' });
    const user = spec('app', { task: { runtime: { $case: 'container', container: { image: 'busybox',
      secrets: [{ secretId: '', secretName: 'pw', target: { $case: 'file', file: { name: 'pw', uid: '0', gid: '0',
        mode: 0o444 } } }] } } } as never });
    await api.createService({ spec: user });
    expect(await rejection(api.removeSecret({ secretId: 'pw' })))
      .toEqual({ code: 'INVALID_ARGUMENT', message: "secret 'pw' is in use by the following service: app" });
  });
});

describe('configs', () => {
  it('keeps data, updates labels only, removes when unused', async () => {
    const created = must((await api.createConfig({ spec: { annotations: { name: 'cfg', labels: {} },
      data: Buffer.from('a=1'), templating: undefined } })).config);
    expect(Buffer.from(must(created.spec).data).toString()).toBe('a=1');
    const changed = await rejection(api.updateConfig({ configId: 'cfg', configVersion: created.meta?.version,
      spec: { annotations: { name: 'cfg', labels: {} }, data: Buffer.from('a=2'), templating: undefined } }));
    expect(changed).toEqual({ code: 'INVALID_ARGUMENT', message: 'only updates to Labels are allowed' });
    const relabelled = must((await api.updateConfig({ configId: 'cfg', configVersion: created.meta?.version,
      spec: { annotations: { name: 'cfg', labels: { x: 'y' } }, data: Buffer.alloc(0), templating: undefined } })).config);
    expect(relabelled.spec?.annotations?.labels).toEqual({ x: 'y' });
    expect(Buffer.from(must(relabelled.spec).data).toString()).toBe('a=1');
    await api.removeConfig({ configId: created.id });
    expect((await api.listConfigs({ filters: undefined })).configs).toEqual([]);
  });
});

describe('updates racing other writers', () => {
  // The race is injected: just before the gateway's write, another writer commits.
  function racingApi(race: { next?: () => Promise<unknown> }): ControlApi {
    const gateway = fixture.client('gateway');
    const store = new Proxy(gateway, {
      get(target, prop) {
        if (prop === 'transaction') {
          return async (...args: Parameters<typeof gateway.transaction>) => {
            const before = race.next;
            race.next = undefined;
            if (before !== undefined) await before();
            return target.transaction(...args);
          };
        }
        const value = Reflect.get(target, prop) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    return createControlApi({ store, clock: new ManualClock(0), random: new SeededRandom(11), logger: silentLogger() });
  }

  it("re-applies the user's spec over another component's write, and reports a user's race", async () => {
    const race: { next?: () => Promise<unknown> } = {};
    const racing = racingApi(race);
    const created = must((await api.createService({ spec: spec('web') })).service);
    race.next = () => fixture.client('orchestrator').update('service', created.id,
      (s) => ({ ...s, updateStatus: { state: 3, message: 'done', startedAt: undefined, completedAt: undefined } }),
      { writer: 'orchestrator' });
    const scaled = spec('web', { mode: { $case: 'replicated', replicated: { replicas: 4 } } });
    const updated = must((await racing.updateService({ serviceId: created.id, serviceVersion: created.meta?.version,
      spec: scaled, rollback: UpdateServiceRequest_Rollback.NONE })).service);
    expect(updated.spec?.mode).toEqual({ $case: 'replicated', replicated: { replicas: 4 } });
    expect(updated.updateStatus?.message).toBe('done');
    race.next = () => api.updateService({ serviceId: created.id, serviceVersion: updated.meta?.version, spec: scaled,
      rollback: UpdateServiceRequest_Rollback.NONE });
    expect(await rejection(racing.updateService({ serviceId: created.id, serviceVersion: updated.meta?.version,
      spec: spec('web'), rollback: UpdateServiceRequest_Rollback.NONE })))
      .toEqual({ code: 'SEQUENCE_CONFLICT', message: 'update out of sequence' });
  });
});

describe('networks', () => {
  it('creates overlay networks, keeps one ingress, refuses removal while in use', async () => {
    const net = must((await api.createNetwork({ spec: { annotations: { name: 'back', labels: {} }, driverConfig: undefined,
      ipv6Enabled: false, internal: false, ipam: undefined, attachable: false, ingress: false, configFrom: '' } })).network);
    expect(net.spec?.driverConfig?.name).toBe('overlay');
    const ingressSpec = { annotations: { name: 'ingress', labels: {} }, driverConfig: undefined, ipv6Enabled: false,
      internal: false, ipam: undefined, attachable: false, ingress: true, configFrom: '' };
    await api.createNetwork({ spec: ingressSpec });
    expect((await rejection(api.createNetwork({ spec: { ...ingressSpec, annotations: { name: 'ingress2', labels: {} } } })))
      .code).toBe('ALREADY_EXISTS');
    await api.createService({ spec: spec('web', { task: { runtime: { $case: 'container', container: { image: 'busybox' } },
      networks: [{ target: 'back', aliases: [], addresses: [], driverAttachmentOpts: {} }] } as never,
      endpoint: { mode: 0, ports: [{ name: '', protocol: 0, targetPort: 80, publishedPort: 0, publishMode: 0 }] } }) });
    expect((await rejection(api.removeNetwork({ name: 'back', networkId: '' }))).message)
      .toMatch(/^network \w+ is in use by service \w+$/);
    expect((await rejection(api.removeNetwork({ name: 'ingress', networkId: '' }))).message)
      .toMatch(/^ingress network cannot be removed because service \w+ depends on it$/);
    expect((await rejection(api.createService({ spec: spec('bad', { task: { runtime: { $case: 'container',
      container: { image: 'busybox' } }, networks: [{ target: 'ingress', aliases: [], addresses: [],
      driverAttachmentOpts: {} }] } as never }) }))).message)
      .toBe('service cannot be explicitly attached to the ingress network "ingress"');
    const svc = must((await api.listServices({ filters: undefined })).services[0]);
    const runtime = svc.spec?.task?.networks[0];
    expect(runtime?.target).toBe(net.id);
  });
});
