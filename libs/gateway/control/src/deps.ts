// What createControlApi needs, and the small helpers every Control method shares.
import type { Clock } from '@shoal/clock';
import { ShoalError } from '@shoal/errors';
import type { Logger } from '@shoal/logging';
import type { StoredKindName, StoredKindTypes, Version } from '@shoal/proto';
import type { Random } from '@shoal/random';
import type { ClientChange, StoreClient } from '@shoal/store-client';

/**
 * ControlDeps are the inputs of {@link createControlApi}: a store client whose identity
 * writes as `user` (certificate role `gateway`), the clock, a CSPRNG-backed Random (object
 * IDs, join token secrets, unlock keys) and a logger.
 */
export interface ControlDeps {
  readonly store: StoreClient;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
}

/** WRITER is the Owner every Control write uses: `user` (contracts.md). */
export const WRITER = 'user' as const;

/** commit writes `changes` as the user and returns the first committed object. */
export async function commitOne<K extends StoredKindName>(
  deps: ControlDeps,
  change: ClientChange & { kind: K },
): Promise<StoredKindTypes[K]> {
  const committed = await deps.store.transaction([change], { writer: WRITER });
  const first = committed.objects[0];
  if (first === undefined) throw ShoalError.internal('the store committed no object');
  return first.object as StoredKindTypes[K];
}

/**
 * requireVersion returns the index of a request's version, or throws INVALID_ARGUMENT when
 * the client sent none (every update must say which version it read).
 */
export function requireVersion(kind: string, version: Version | undefined): number {
  if (version === undefined) throw ShoalError.invalidArgument(`${kind} version must be provided`);
  return version.index;
}

/**
 * checkVersion throws SEQUENCE_CONFLICT ("update out of sequence") when the object's stored
 * version is not the one the client read.
 */
export function checkVersion(object: { meta?: { version?: Version } }, expected: number): void {
  if ((object.meta?.version?.index ?? 0) !== expected) throw ShoalError.sequenceConflict();
}

/** requireId throws INVALID_ARGUMENT when a request names no object. */
export function requireId(kind: string, id: string): void {
  if (id === '') throw ShoalError.invalidArgument(`${kind} ID must be provided`);
}
