// FakeControlApi: an in-memory ControlApi that behaves plausibly (versions, name conflicts,
// "update out of sequence", tasks per slot that run at once), for tests of the Docker API.
import { ShoalError } from '@shoal/errors';
import type { ControlApi } from '@shoal/gateway-control';
import {
  NodeRole, NodeSpec_Availability as Availability, NodeSpec_Membership as Membership, NodeStatus_State as NodeState,
  type Cluster, type Config, type Meta, type Network, type Node, type Secret, type Service,
} from '@shoal/proto';
import { FakeIds } from './fake-ids';
import { fakeControlMethods } from './fake-methods';
import { reconcileService, type TaskWorld } from './fake-tasks';
import { validateServiceSpec } from './fake-validate';

type Named = { id: string; meta?: Meta | undefined };

/** FakeNodeOptions describe a node added with {@link FakeControlApi.addNode}. */
export interface FakeNodeOptions {
  readonly hostname: string;
  readonly role?: NodeRole;
  readonly state?: NodeState;
}

/**
 * FakeControlApi implements every ControlApi method in memory. Writes bump one version
 * counter; updates with a stale version fail "update out of sequence"; names are unique per
 * kind (case-insensitive); services get one RUNNING task per slot (or per READY ACTIVE node)
 * at once. Set `failure` to make every call throw it (e.g. UNAVAILABLE, no store).
 */
export class FakeControlApi {
  /** The ControlApi over this fake's tables. */
  readonly api: ControlApi;
  readonly ids = new FakeIds(7);
  readonly services = new Map<string, Service>();
  readonly nodes = new Map<string, Node>();
  readonly networks = new Map<string, Network>();
  readonly secrets = new Map<string, Secret>();
  readonly configs = new Map<string, Config>();
  readonly clusters = new Map<string, Cluster>();
  readonly world: TaskWorld;
  /** When set, every call rejects with it. */
  failure: ShoalError | undefined;
  /** The names of the methods called, in order. */
  readonly calls: string[] = [];
  private version = 0;

  /** Creates an empty fake; `runTasks` false leaves new tasks PENDING. */
  constructor(options: { runTasks?: boolean; now?: () => Date } = {}) {
    const now = options.now ?? (() => new Date());
    this.world = {
      tasks: new Map(), nodes: this.nodes, ids: this.ids, now, runTasks: options.runTasks ?? true,
      nextVersion: () => ++this.version,
    };
    this.api = fakeControlMethods(this);
  }

  /** addNode adds a READY, ACTIVE node (a worker unless `role` says otherwise). */
  addNode(o: FakeNodeOptions): Node {
    const node: Node = {
      id: this.ids.id(), meta: this.meta(),
      spec: { annotations: { name: '', labels: {} }, desiredRole: o.role ?? NodeRole.WORKER, membership: Membership.ACCEPTED, availability: Availability.ACTIVE },
      description: {
        hostname: o.hostname, platform: { architecture: 'x86_64', os: 'linux' },
        resources: { nanoCpus: 2e9, memoryBytes: 4 * 1024 ** 3, generic: [] },
        engine: { engineVersion: '20.10.24', labels: {}, plugins: [] }, fips: false,
      },
      status: { state: o.state ?? NodeState.READY, message: '', addr: '127.0.0.1' },
      role: o.role ?? NodeRole.WORKER, attachments: [],
    };
    this.nodes.set(node.id, node);
    return node;
  }

  /** addCluster adds the `default` cluster. */
  addCluster(): Cluster {
    const cluster: Cluster = {
      id: this.ids.id(), meta: this.meta(), spec: { annotations: { name: 'default', labels: {} } },
      networkBootstrapKeys: [], encryptionKeyLamportClock: 0, blacklistedCertificates: {}, unlockKeys: [], fips: false,
      defaultAddressPool: ['10.0.0.0/8'], subnetSize: 24, vxlanUdpPort: 4789, joinTokens: { worker: 'w'.repeat(25), manager: 'm'.repeat(25) },
      rootCa: { caKey: Buffer.alloc(0), caCert: Buffer.from('-----BEGIN CERTIFICATE-----\n'), caCertHash: `sha256:${'ab'.repeat(32)}`, lastForcedRotation: 0 },
    };
    this.clusters.set(cluster.id, cluster);
    return cluster;
  }

  /** tasksOf are the tasks of one service (every desired state). */
  tasksOf(serviceId: string) {
    return [...this.world.tasks.values()].filter((t) => t.serviceId === serviceId);
  }

  /** meta stamps a new write. */
  meta(created?: Date): Meta {
    const now = this.world.now();
    return { version: { index: ++this.version }, createdAt: created ?? now, updatedAt: now };
  }

  /** enter records a call and throws the configured failure. */
  enter(method: string): void {
    this.calls.push(method);
    if (this.failure !== undefined) throw this.failure;
  }

  /** checkVersion throws "update out of sequence" unless `index` is `obj`'s version. */
  checkVersion(obj: Named, index: number | undefined): void {
    if (obj.meta?.version?.index !== index) throw ShoalError.sequenceConflict();
  }

  /** checkName throws a name conflict when another object of `table` uses `name`. */
  checkName<T extends Named>(table: Map<string, T>, kind: string, name: string, nameOf: (t: T) => string, self?: string): void {
    if (name === '') throw ShoalError.invalidArgument('meta: name must be provided');
    for (const t of table.values()) {
      if (t.id !== self && nameOf(t).toLowerCase() === name.toLowerCase()) throw ShoalError.nameConflict(kind, name);
    }
  }

  /** find returns `table[id]` or throws NOT_FOUND. */
  find<T>(table: Map<string, T>, kind: string, id: string): T {
    const t = table.get(id);
    if (t === undefined) throw ShoalError.notFound(kind, id);
    return t;
  }

  /** validate applies the fake's subset of SwarmKit's spec validation. */
  validate(spec: Service['spec']): void {
    validateServiceSpec(spec);
  }

  /** reconcileAll reconciles every service (after a node change). */
  reconcileAll(): void {
    for (const s of this.services.values()) reconcileService(this.world, s);
  }
}
