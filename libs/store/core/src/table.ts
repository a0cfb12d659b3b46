// One table per stored kind: objects by id plus secondary indexes (SwarmKit memory.go).
import { assert } from '@shoal/assert';
import {
  observedTaskState,
  type AnyStoredKind,
  type StoredKindName,
  type StoredKindTypes,
} from '@shoal/proto';
import { labelsOf, nameOf, UNIQUE_NAME_KINDS } from './kinds';
import { matchesSelector, type StoreSelector } from './selector';

/** IndexName names a secondary index; which ones a table keeps depends on its kind. */
export type IndexName =
  | 'name'
  | 'label'
  | 'service'
  | 'node'
  | 'slot'
  | 'desired'
  | 'observed'
  | 'role'
  | 'membership';

const SEP = '\u0000';

/** labelKeys indexes each label twice: by key alone (any value) and by key and value. */
function labelKeys(labels: Readonly<Record<string, string>>): string[] {
  return Object.entries(labels).flatMap(([k, v]) => [k, `${k}${SEP}${v}`]);
}

function taskKeys(task: StoredKindTypes['task']): Array<[IndexName, string[]]> {
  return [
    ['service', task.serviceId === '' ? [] : [task.serviceId]],
    ['node', task.nodeId === '' ? [] : [task.nodeId]],
    ['slot', task.serviceId === '' ? [] : [`${task.serviceId}${SEP}${task.slot}`]],
    ['desired', [String(task.desiredState)]],
    ['observed', [String(observedTaskState(task))]],
  ];
}

function nodeKeys(node: StoredKindTypes['node']): Array<[IndexName, string[]]> {
  return [
    ['role', [String(node.role)]],
    ['membership', [String(node.spec?.membership ?? 0)]],
  ];
}

/** indexKeysOf computes every index key of an object of `kind`. */
export function indexKeysOf(kind: StoredKindName, object: AnyStoredKind): Map<IndexName, string[]> {
  const name = nameOf(kind, object);
  const keys = new Map<IndexName, string[]>([
    ['name', name === '' ? [] : [name]],
    ['label', labelKeys(labelsOf(kind, object))],
  ]);
  if (kind === 'task') for (const [n, k] of taskKeys(object as StoredKindTypes['task'])) keys.set(n, k);
  if (kind === 'node') for (const [n, k] of nodeKeys(object as StoredKindTypes['node'])) keys.set(n, k);
  return keys;
}

interface Row {
  readonly object: AnyStoredKind;
  readonly keys: Map<IndexName, string[]>;
}

/** lowerBound is the first position in sorted `xs` whose value is >= `x`. */
function lowerBound(xs: readonly string[], x: string): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((xs[mid] as string) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** withPrefix returns the values of sorted `xs` that start with `prefix`. */
function withPrefix(xs: readonly string[], prefix: string): string[] {
  const out: string[] = [];
  for (let i = lowerBound(xs, prefix); i < xs.length && (xs[i] as string).startsWith(prefix); i++) {
    out.push(xs[i] as string);
  }
  return out;
}

/**
 * Table holds the objects of one kind by id, with secondary indexes kept in step on every
 * insert and remove. Objects are stored as given (the store passes deeply frozen canonical
 * messages) and never copied here.
 *
 * Invariant: every index maps each key to exactly the ids of the rows whose keys include it;
 * for unique-name kinds, no two rows share a non-empty lower-cased name.
 */
export class Table {
  private readonly rows = new Map<string, Row>();
  private readonly indexes = new Map<IndexName, Map<string, Set<string>>>();
  /** Sorted ids and names for prefix queries; rebuilt lazily after a write. */
  private sortedIds: string[] | undefined;
  private sortedNames: string[] | undefined;

  /** The constructor makes an empty table for `kind`. */
  constructor(readonly kind: StoredKindName) {}

  /** size is the number of objects in the table. */
  get size(): number {
    return this.rows.size;
  }

  /** get returns the stored object with this id (shared; never modify it), or undefined. */
  get(id: string): AnyStoredKind | undefined {
    return this.rows.get(id)?.object;
  }

  /** idByName returns the id holding a lower-cased name in a unique-name table. */
  idByName(lowerName: string): string | undefined {
    assert(UNIQUE_NAME_KINDS.has(this.kind), 'name lookups are for unique-name kinds');
    const ids = this.indexes.get('name')?.get(lowerName);
    if (ids === undefined) return undefined;
    assert(ids.size === 1, 'unique names map to one id');
    return ids.values().next().value;
  }

  /** canInsertName reports whether an object's name is free (always, for non-unique kinds). */
  canInsertName(object: AnyStoredKind): boolean {
    if (!UNIQUE_NAME_KINDS.has(this.kind)) return true;
    const name = nameOf(this.kind, object);
    return name === '' || this.indexes.get('name')?.get(name) === undefined;
  }

  /** insert adds an object whose id is not in the table. */
  insert(object: AnyStoredKind): void {
    assert(!this.rows.has(object.id), 'insert of a new id');
    const keys = indexKeysOf(this.kind, object);
    if (UNIQUE_NAME_KINDS.has(this.kind)) {
      for (const name of keys.get('name') ?? []) {
        assert(this.indexes.get('name')?.get(name) === undefined, 'unique name is free');
      }
    }
    this.rows.set(object.id, { object, keys });
    for (const [index, values] of keys) {
      let byKey = this.indexes.get(index);
      if (byKey === undefined) this.indexes.set(index, (byKey = new Map()));
      for (const value of values) {
        let ids = byKey.get(value);
        if (ids === undefined) byKey.set(value, (ids = new Set()));
        ids.add(object.id);
      }
    }
    this.sortedIds = undefined;
    this.sortedNames = undefined;
  }

  /** remove deletes the object with this id, which must be in the table, and returns it. */
  remove(id: string): AnyStoredKind {
    const row = this.rows.get(id);
    assert(row !== undefined, 'remove of a stored id');
    this.rows.delete(id);
    for (const [index, values] of row.keys) {
      const byKey = this.indexes.get(index);
      assert(byKey !== undefined, 'index exists for stored keys');
      for (const value of values) {
        const ids = byKey.get(value);
        assert(ids !== undefined && ids.has(id), 'index holds the removed id');
        ids.delete(id);
        if (ids.size === 0) byKey.delete(value);
      }
    }
    this.sortedIds = undefined;
    this.sortedNames = undefined;
    return row.object;
  }

  /** all returns every stored object (shared), in ascending id order. */
  all(): AnyStoredKind[] {
    return this.ids().map((id) => (this.rows.get(id) as Row).object);
  }

  private ids(): string[] {
    this.sortedIds ??= [...this.rows.keys()].sort();
    return this.sortedIds;
  }

  private names(): string[] {
    this.sortedNames ??= [...(this.indexes.get('name')?.keys() ?? [])].sort();
    return this.sortedNames;
  }

  private lookup(index: IndexName, key: string): ReadonlySet<string> {
    return this.indexes.get(index)?.get(key) ?? new Set();
  }

  /** candidates narrows a selector to the smallest id set one index can give, if any. */
  private candidates(s: StoreSelector): Iterable<string> | undefined {
    const sets: Array<Iterable<string> & { size?: number; length?: number }> = [];
    if (s.id !== '') sets.push(this.rows.has(s.id) ? [s.id] : []);
    if (s.idPrefix !== '') sets.push(withPrefix(this.ids(), s.idPrefix));
    if (s.name !== '') sets.push(this.lookup('name', s.name.toLowerCase()));
    if (s.namePrefix !== '') {
      const names = withPrefix(this.names(), s.namePrefix.toLowerCase());
      sets.push(names.flatMap((n) => [...this.lookup('name', n)]));
    }
    for (const [k, v] of Object.entries(s.labels)) {
      sets.push(this.lookup('label', v === '' ? k : `${k}${SEP}${v}`));
    }
    if (s.serviceId !== '') sets.push(this.lookup('service', s.serviceId));
    if (s.nodeId !== '') sets.push(this.lookup('node', s.nodeId));
    if (s.serviceId !== '' && s.slot !== undefined) {
      sets.push(this.lookup('slot', `${s.serviceId}${SEP}${s.slot}`));
    }
    if (s.desiredState !== undefined) sets.push(this.lookup('desired', String(s.desiredState)));
    if (s.observedState !== undefined) sets.push(this.lookup('observed', String(s.observedState)));
    if (s.role !== undefined) sets.push(this.lookup('role', String(s.role)));
    if (s.membership !== undefined) sets.push(this.lookup('membership', String(s.membership)));
    let best: (typeof sets)[number] | undefined;
    for (const set of sets) {
      const size = set.size ?? set.length ?? 0;
      if (best === undefined || size < (best.size ?? best.length ?? 0)) best = set;
    }
    return best;
  }

  /**
   * find returns the stored objects (shared) matching a normalized selector, in ascending id
   * order. The smallest applicable index picks candidates; {@link matchesSelector} decides.
   */
  find(s: StoreSelector): AnyStoredKind[] {
    const candidates = this.candidates(s);
    const ids = candidates === undefined ? this.ids() : [...new Set(candidates)].sort();
    const out: AnyStoredKind[] = [];
    for (const id of ids) {
      const object = (this.rows.get(id) as Row).object;
      if (matchesSelector(this.kind, object, s)) out.push(object);
    }
    return out;
  }
}
