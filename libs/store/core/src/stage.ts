// Validation of a transaction against the store's state: the whole of it is checked, in
// change order, against the tables overlaid with the earlier changes, before anything is
// written. The result is a list of staged operations that cannot fail to apply.
import { assert, assertNever } from '@shoal/assert';
import { ShoalError } from '@shoal/errors';
import { isId } from '@shoal/ids';
import { STORE_LIMITS } from '@shoal/limits';
import { OWNERSHIP, type AnyStoredKind, type StoredKindName } from '@shoal/proto';
import { deepFreeze } from './clone';
import { nameOf, UNIQUE_NAME_KINDS } from './kinds';
import { checkOwnership } from './ownership-check';
import type { Table } from './table';
import type { ApplyContext, Change, StoreAction, Transaction, TransactionFailure } from './types';

/**
 * StagedOp is one validated write. `object` is the object to store (frozen, meta stamped;
 * absent for deletes) and `old` the object it replaces or deletes.
 */
export interface StagedOp {
  readonly action: StoreAction;
  readonly kind: StoredKindName;
  readonly id: string;
  readonly object?: AnyStoredKind;
  readonly old?: AnyStoredKind;
}

/** StageResult is either every write of a valid transaction, or why it is invalid. */
export type StageResult = { readonly ok: true; readonly ops: StagedOp[] } | TransactionFailure;

/** TableSet gives the validator read access to the table of each kind. */
export type TableSet = Readonly<Record<StoredKindName, Table>>;

const SEP = '\u0000';

function fail(error: ShoalError, changeIndex?: number): TransactionFailure {
  return { ok: false, error, changeIndex };
}

/**
 * Overlay is the tables as they will be after the changes staged so far: objects by
 * kind+id (null = deleted) and unique names by kind+name (null = released).
 */
class Overlay {
  private readonly objects = new Map<string, AnyStoredKind | null>();
  private readonly names = new Map<string, string | null>();

  constructor(private readonly tables: TableSet) {}

  get(kind: StoredKindName, id: string): AnyStoredKind | undefined {
    const staged = this.objects.get(`${kind}${SEP}${id}`);
    if (staged !== undefined) return staged ?? undefined;
    return this.tables[kind].get(id);
  }

  set(kind: StoredKindName, id: string, object: AnyStoredKind | null): void {
    this.objects.set(`${kind}${SEP}${id}`, object);
  }

  /** nameHolder is the id holding a unique name, if any. */
  nameHolder(kind: StoredKindName, name: string): string | undefined {
    const staged = this.names.get(`${kind}${SEP}${name}`);
    if (staged !== undefined) return staged ?? undefined;
    return this.tables[kind].idByName(name);
  }

  setName(kind: StoredKindName, name: string, id: string | null): void {
    this.names.set(`${kind}${SEP}${name}`, id);
  }
}

/** checkShape enforces the limits and per-transaction rules that need no state. */
function checkShape(tx: Transaction, entryBytes: number): TransactionFailure | undefined {
  const count = tx.changes.length;
  if (count === 0) return fail(ShoalError.invalidArgument('a transaction needs a change'));
  const max = STORE_LIMITS.maxChangesPerTransaction;
  if (count > max) {
    const message = `transaction has ${count} changes; the limit is ${max}`;
    return fail(ShoalError.resourceExhausted(message, { limit: 'maxChangesPerTransaction' }));
  }
  const maxBytes = STORE_LIMITS.maxTransactionBytes;
  if (entryBytes > maxBytes) {
    const message = `transaction is ${entryBytes} bytes; the limit is ${maxBytes}`;
    return fail(ShoalError.resourceExhausted(message, { limit: 'maxTransactionBytes' }));
  }
  const seen = new Set<string>();
  for (const [i, change] of tx.changes.entries()) {
    const key = `${change.kind}${SEP}${change.object.id}`;
    if (seen.has(key)) {
      const message = `change ${i}: ${change.kind} ${change.object.id} is changed twice`;
      return fail(ShoalError.invalidArgument(message), i);
    }
    seen.add(key);
  }
  return undefined;
}

/** versionOf reads an object's meta.version.index, undefined when unset. */
function versionOf(object: AnyStoredKind): number | undefined {
  return object.meta?.version?.index;
}

function sequenceConflict(change: Change, stored: AnyStoredKind, i: number): TransactionFailure {
  const error = ShoalError.sequenceConflict();
  const details = {
    kind: change.kind,
    id: change.object.id,
    currentVersion: String(versionOf(stored) ?? 0),
  };
  return fail(new ShoalError(error.code, error.message, details), i);
}

/** claimName moves a unique-kind object's name in the overlay; false on a conflict. */
function claimName(
  overlay: Overlay,
  kind: StoredKindName,
  id: string,
  names: { readonly from?: string; readonly to?: string },
): boolean {
  if (!UNIQUE_NAME_KINDS.has(kind) || names.from === names.to) return true;
  if (names.to !== undefined && names.to !== '') {
    const holder = overlay.nameHolder(kind, names.to);
    if (holder !== undefined && holder !== id) return false;
  }
  if (names.from !== undefined && names.from !== '') overlay.setName(kind, names.from, null);
  if (names.to !== undefined && names.to !== '') overlay.setName(kind, names.to, id);
  return true;
}

function nameConflict(change: Change, i: number): TransactionFailure {
  return fail(ShoalError.nameConflict(change.kind, nameOf(change.kind, change.object)), i);
}

function stageCreate(overlay: Overlay, c: Change, i: number, ctx: ApplyContext): StageResult {
  const { kind, object } = c;
  if (!(OWNERSHIP[kind].creators ?? []).includes(ctx.caller)) {
    const message = `${ctx.caller} may not create ${kind} objects`;
    return fail(ShoalError.permissionDenied(message), i);
  }
  if (!isId(object.id)) {
    return fail(ShoalError.invalidArgument(`change ${i}: invalid ${kind} id "${object.id}"`), i);
  }
  if (overlay.get(kind, object.id) !== undefined) {
    return fail(ShoalError.alreadyExists(kind, object.id), i);
  }
  if (!claimName(overlay, kind, object.id, { to: nameOf(kind, object) })) {
    return nameConflict(c, i);
  }
  const now = ctx.now.getTime();
  const meta = { version: { index: ctx.version }, createdAt: new Date(now), updatedAt: new Date(now) };
  const stored = deepFreeze({ ...object, meta } as AnyStoredKind);
  overlay.set(kind, object.id, stored);
  return { ok: true, ops: [{ action: 'create', kind, id: object.id, object: stored }] };
}

function stageUpdate(overlay: Overlay, c: Change, i: number, ctx: ApplyContext): StageResult {
  const { kind, object } = c;
  const old = overlay.get(kind, object.id);
  if (old === undefined) return fail(ShoalError.notFound(kind, object.id), i);
  if (versionOf(object) !== versionOf(old)) return sequenceConflict(c, old, i);
  const owned = checkOwnership(kind, old, object, ctx.caller);
  if (!owned.ok) return fail(owned.error, i);
  if (!claimName(overlay, kind, object.id, { from: nameOf(kind, old), to: nameOf(kind, owned.merged) })) {
    return nameConflict(c, i);
  }
  const meta = {
    version: { index: ctx.version },
    createdAt: old.meta?.createdAt ?? new Date(ctx.now.getTime()),
    updatedAt: new Date(ctx.now.getTime()),
  };
  const stored = deepFreeze({ ...owned.merged, meta } as AnyStoredKind);
  overlay.set(kind, object.id, stored);
  return { ok: true, ops: [{ action: 'update', kind, id: object.id, object: stored, old }] };
}

function stageDelete(overlay: Overlay, c: Change, i: number, ctx: ApplyContext): StageResult {
  const { kind, object } = c;
  if (!(OWNERSHIP[kind].deleters ?? []).includes(ctx.caller)) {
    const message = `${ctx.caller} may not delete ${kind} objects`;
    return fail(ShoalError.permissionDenied(message), i);
  }
  const old = overlay.get(kind, object.id);
  if (old === undefined) return fail(ShoalError.notFound(kind, object.id), i);
  const version = versionOf(object);
  if (version !== undefined && version !== versionOf(old)) return sequenceConflict(c, old, i);
  claimName(overlay, kind, object.id, { from: nameOf(kind, old) });
  overlay.set(kind, object.id, null);
  return { ok: true, ops: [{ action: 'delete', kind, id: object.id, old }] };
}

/**
 * stageTransaction validates a whole transaction against `tables` without writing: the
 * limits (changes, `entryBytes`), then each change in order against the state left by the
 * changes before it. It returns the staged writes, or the first failure with its change
 * index. Deterministic: the same tables, transaction and context give the same result.
 */
export function stageTransaction(
  tables: TableSet,
  tx: Transaction,
  ctx: ApplyContext,
  entryBytes: number,
): StageResult {
  const shape = checkShape(tx, entryBytes);
  if (shape !== undefined) return shape;
  const overlay = new Overlay(tables);
  const ops: StagedOp[] = [];
  for (const [i, change] of tx.changes.entries()) {
    const staged = stageChange(overlay, change, i, ctx);
    if (!staged.ok) return staged;
    ops.push(...staged.ops);
  }
  assert(ops.length === tx.changes.length, 'one staged write per change');
  return { ok: true, ops };
}

function stageChange(overlay: Overlay, c: Change, i: number, ctx: ApplyContext): StageResult {
  switch (c.action) {
    case 'create':
      return stageCreate(overlay, c, i, ctx);
    case 'update':
      return stageUpdate(overlay, c, i, ctx);
    case 'delete':
      return stageDelete(overlay, c, i, ctx);
    default:
      return assertNever(c.action, 'store action');
  }
}
