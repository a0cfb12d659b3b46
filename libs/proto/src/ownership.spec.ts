// Goal: every top-level field of every stored kind has exactly one valid owner, id/meta belong to
// the store, creators/deleters are set, and the table matches the generated types and the
// agreed field-ownership design. Method: walk the generated OWNERSHIP table (read from the
// protos' custom options by proto-gen) and compare it with ts-proto's create() keys and with
// the expected owners written out below.
import {
  Cluster,
  Config,
  Network,
  Node,
  Owner,
  Resource,
  Secret,
  Service,
  StoredObject,
  Task,
} from './gen';
import {
  OWNER_NAMES,
  fieldOwnership,
  fieldsOwnedBy,
  ownerName,
  type OwnerName,
} from './ownership';
import { wrapStoredObject, type StoredKindTypes } from './stored-object';
import {
  OWNERSHIP,
  STORED_KINDS,
  STORED_KIND_MESSAGES,
  type StoredKindName,
} from './ownership.gen';

const CREATE: Record<StoredKindName, () => object> = {
  node: () => Node.create(),
  service: () => Service.create(),
  task: () => Task.create(),
  network: () => Network.create(),
  cluster: () => Cluster.create(),
  secret: () => Secret.create(),
  config: () => Config.create(),
  resource: () => Resource.create(),
};

/** The agreed owners (docs/design/contracts.md); a change here is a design change. */
const EXPECTED: Record<StoredKindName, Record<string, OwnerName>> = {
  node: {
    id: 'store', meta: 'store', spec: 'user', description: 'dispatcher', status: 'dispatcher',
    managerStatus: 'store', certificate: 'ca', role: 'ca', attachments: 'allocator',
  },
  service: {
    id: 'store', meta: 'store', spec: 'user', specVersion: 'user', previousSpec: 'user',
    previousSpecVersion: 'user', endpoint: 'allocator', updateStatus: 'orchestrator',
    jobStatus: 'orchestrator', pendingDelete: 'user',
  },
  task: {
    id: 'store', meta: 'store', spec: 'orchestrator', specVersion: 'orchestrator',
    serviceId: 'orchestrator', slot: 'orchestrator', nodeId: 'scheduler',
    annotations: 'orchestrator', serviceAnnotations: 'orchestrator', status: 'dispatcher',
    allocatorStatus: 'allocator', schedulerStatus: 'scheduler', desiredState: 'orchestrator',
    networks: 'allocator', endpoint: 'allocator', logDriver: 'orchestrator',
    assignedGenericResources: 'scheduler', jobIteration: 'orchestrator',
  },
  network: {
    id: 'store', meta: 'store', spec: 'user', driverState: 'allocator', ipam: 'allocator',
    pendingDelete: 'user',
  },
  cluster: {
    id: 'store', meta: 'store', spec: 'user', rootCa: 'ca', networkBootstrapKeys: 'allocator',
    encryptionKeyLamportClock: 'allocator', blacklistedCertificates: 'ca', unlockKeys: 'user',
    fips: 'ca', defaultAddressPool: 'user', subnetSize: 'user', vxlanUdpPort: 'user',
    joinTokens: 'user',
  },
  secret: { id: 'store', meta: 'store', spec: 'user', internal: 'user' },
  config: { id: 'store', meta: 'store', spec: 'user' },
  resource: { id: 'store', meta: 'store', annotations: 'user', kind: 'user', payload: 'user' },
};

const allowed: readonly string[] = OWNER_NAMES;

describe('the ownership table', () => {
  it('covers exactly the StoredObject kinds, and only they carry the stored_kind option', () => {
    expect(STORED_KINDS).toEqual([
      'node', 'service', 'task', 'network', 'cluster', 'secret', 'config', 'resource',
    ]);
    expect(Object.keys(OWNERSHIP).sort()).toEqual([...STORED_KINDS].sort());
    for (const kind of STORED_KINDS) {
      const object = CREATE[kind]() as StoredKindTypes[typeof kind];
      const bytes = StoredObject.encode(wrapStoredObject(kind, object)).finish();
      expect(StoredObject.decode(bytes).kind?.$case).toBe(kind);
    }
    const names = STORED_KINDS.map((k) => OWNERSHIP[k].messageName).sort();
    expect([...STORED_KIND_MESSAGES]).toEqual(names);
  });

  it.each(STORED_KINDS)('%s: lists every top-level field of the generated type', (kind) => {
    const names = OWNERSHIP[kind].fields.map((f) => f.name).sort();
    expect(names).toEqual(Object.keys(CREATE[kind]()).sort());
  });

  it.each(STORED_KINDS)('%s: every field has exactly one owner from the allowed set', (kind) => {
    const missing = OWNERSHIP[kind].fields
      .filter((f) => f.owner === null || !allowed.includes(f.owner))
      .map((f) => `${kind}.${f.protoName}: ${String(f.owner)}`);
    expect(missing).toEqual([]);
  });

  it.each(STORED_KINDS)('%s: id and meta are owned by the store', (kind) => {
    expect(fieldOwnership(kind, 'id')?.owner).toBe('store');
    expect(fieldOwnership(kind, 'meta')?.owner).toBe('store');
  });

  it.each(STORED_KINDS)('%s: creators and deleters are non-empty valid owners', (kind) => {
    const { creators, deleters } = OWNERSHIP[kind];
    for (const list of [creators, deleters]) {
      expect(list).not.toBeNull();
      expect(list?.length).toBeGreaterThan(0);
      for (const owner of list ?? []) expect(allowed).toContain(owner);
    }
  });

  it.each(STORED_KINDS)('%s: owners are the agreed ones', (kind) => {
    const actual = Object.fromEntries(OWNERSHIP[kind].fields.map((f) => [f.name, f.owner]));
    expect(actual).toEqual(EXPECTED[kind]);
  });

  it('splits the task hand-off into one status per writer', () => {
    expect(fieldsOwnedBy('task', 'dispatcher')).toEqual(['status']);
    expect(fieldsOwnedBy('task', 'allocator')).toEqual(['allocatorStatus', 'networks', 'endpoint']);
    expect(fieldsOwnedBy('task', 'scheduler')).toEqual([
      'nodeId', 'schedulerStatus', 'assignedGenericResources',
    ]);
  });
});

describe('ownerName', () => {
  it('maps wire Owner values to table names and rejects the unspecified one', () => {
    expect(ownerName(Owner.STORE)).toBe('store');
    expect(ownerName(Owner.CA)).toBe('ca');
    expect(ownerName(Owner.UNSPECIFIED)).toBeUndefined();
    expect(ownerName(Owner.UNRECOGNIZED)).toBeUndefined();
  });

  it('knows every Owner value of the enum', () => {
    const values = Object.values(Owner).filter((v): v is Owner => typeof v === 'number');
    const named = values.map(ownerName).filter((n) => n !== undefined);
    expect(named).toEqual(OWNER_NAMES);
  });
});
