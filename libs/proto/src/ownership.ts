import { Owner, ownerToJSON } from './gen/shoal/v1/options';
import {
  OWNERSHIP,
  type FieldOwnership,
  type OwnerOption,
  type StoredKindName,
} from './ownership.gen';

/** OwnerName is a valid field owner: an OwnerOption other than 'unspecified'. */
export type OwnerName = Exclude<OwnerOption, 'unspecified'>;

/** OWNER_NAMES lists the valid owners, in the Owner enum's order. */
export const OWNER_NAMES: readonly OwnerName[] = Object.freeze([
  'store',
  'user',
  'orchestrator',
  'allocator',
  'scheduler',
  'dispatcher',
  'ca',
]);

/**
 * ownerName maps a wire Owner (e.g. TransactionRequest.writer) to its name in the ownership
 * table; undefined for OWNER_UNSPECIFIED and for values this build does not know.
 */
export function ownerName(owner: Owner): OwnerName | undefined {
  const name = ownerToJSON(owner).replace(/^OWNER_/, '').toLowerCase();
  return (OWNER_NAMES as readonly string[]).includes(name) ? (name as OwnerName) : undefined;
}

/**
 * fieldOwnership returns the ownership entry of one top-level field (by its TypeScript name,
 * e.g. 'nodeId') of a stored kind, or undefined if the kind has no such field.
 */
export function fieldOwnership(kind: StoredKindName, name: string): FieldOwnership | undefined {
  return OWNERSHIP[kind].fields.find((f) => f.name === name);
}

/**
 * fieldsOwnedBy returns the TypeScript names of the top-level fields of a stored kind that
 * `owner` may update, in declaration order.
 */
export function fieldsOwnedBy(kind: StoredKindName, owner: OwnerName): string[] {
  return OWNERSHIP[kind].fields.filter((f) => f.owner === owner).map((f) => f.name);
}
