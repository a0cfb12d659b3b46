// Test fixtures: deterministic ids, small objects of every kind, and a helper that applies
// transactions at consecutive versions with a fixed clock.
import {
  Cluster,
  Config,
  Network,
  Node,
  NodeRole,
  NodeSpec_Membership,
  Resource,
  Secret,
  Service,
  Task,
  TaskState,
  type StoredKindName,
  type StoredKindTypes,
} from '@shoal/proto';
import type { MemoryStore } from '../memory-store';
import type { Caller, Change, StoreAction, TransactionResult } from '../types';

/** id returns the n-th deterministic 25-char base-36 id, with an optional 1-char tag. */
export function id(n: number, tag = '0'): string {
  return tag + n.toString(36).padStart(24, '0');
}

export const T0 = new Date('2024-01-01T00:00:00.000Z');

/** at returns T0 plus `seconds`. */
export function at(seconds: number): Date {
  return new Date(T0.getTime() + seconds * 1000);
}

export function service(sid: string, name: string, labels: Record<string, string> = {}): Service {
  return Service.fromPartial({ id: sid, spec: { annotations: { name, labels } } });
}

export function task(
  tid: string,
  opts: Partial<Pick<Task, 'serviceId' | 'slot' | 'nodeId' | 'desiredState'>> & {
    labels?: Record<string, string>;
    name?: string;
  } = {},
): Task {
  return Task.fromPartial({
    id: tid,
    serviceId: opts.serviceId ?? '',
    slot: opts.slot ?? 0,
    nodeId: opts.nodeId ?? '',
    desiredState: opts.desiredState ?? TaskState.RUNNING,
    annotations: { name: opts.name ?? '', labels: opts.labels ?? {} },
    serviceAnnotations: { name: 'svc', labels: {} },
  });
}

export function node(
  nid: string,
  hostname: string,
  role = NodeRole.WORKER,
  membership = NodeSpec_Membership.ACCEPTED,
): Node {
  return Node.fromPartial({
    id: nid,
    role,
    spec: { membership, annotations: { name: '', labels: { zone: 'a' } } },
    description: { hostname },
  });
}

export function network(nid: string, name: string): Network {
  return Network.fromPartial({ id: nid, spec: { annotations: { name, labels: {} } } });
}

export function cluster(cid: string, name = 'default'): Cluster {
  return Cluster.fromPartial({ id: cid, spec: { annotations: { name, labels: {} } } });
}

export function secret(sid: string, name: string, data = 'shh'): Secret {
  return Secret.fromPartial({
    id: sid,
    spec: { annotations: { name, labels: {} }, data: Buffer.from(data) },
  });
}

export function config(cid: string, name: string): Config {
  return Config.fromPartial({
    id: cid,
    spec: { annotations: { name, labels: {} }, data: Buffer.from('cfg') },
  });
}

export function resource(rid: string, name: string): Resource {
  return Resource.fromPartial({ id: rid, annotations: { name, labels: {} }, kind: 'x.quota' });
}

/** CREATORS names, per kind, a caller allowed to create and one allowed to delete. */
export const RIGHTS: Record<StoredKindName, { creator: Caller; deleter: Caller }> = {
  node: { creator: 'ca', deleter: 'user' },
  service: { creator: 'user', deleter: 'user' },
  task: { creator: 'orchestrator', deleter: 'orchestrator' },
  network: { creator: 'user', deleter: 'allocator' },
  cluster: { creator: 'ca', deleter: 'ca' },
  secret: { creator: 'user', deleter: 'user' },
  config: { creator: 'user', deleter: 'user' },
  resource: { creator: 'user', deleter: 'user' },
};

/** change builds a typed change. */
export function change<K extends StoredKindName>(
  action: StoreAction,
  kind: K,
  object: StoredKindTypes[K],
): Change {
  return { action, kind, object } as Change;
}

/** apply applies one transaction at the store's next version, at T0 + version seconds. */
export function apply(store: MemoryStore, caller: Caller, changes: Change[]): TransactionResult {
  const version = store.version() + 1;
  return store.applyTransaction({ changes }, { caller, version, now: at(version) });
}

/** mustApply is {@link apply} that throws on failure, for setting up state. */
export function mustApply(store: MemoryStore, caller: Caller, changes: Change[]): number {
  const result = apply(store, caller, changes);
  if (!result.ok) throw result.error;
  return result.committed.version;
}

/** must returns `value`, failing the test if it is undefined or null. */
export function must<T>(value: T | undefined | null): T {
  if (value === undefined || value === null) throw new Error('expected a value');
  return value;
}
