import { KIB, MIB } from './units';

/**
 * OBJECT_LIMITS bound stored objects and their specs. Source: SwarmKit `api/validation`,
 * `controlapi` and `identity` (`../shared/reference/swarmkit.md` §2).
 */
export const OBJECT_LIMITS = Object.freeze({
  /** Characters in an object ID: 128 bits in base 36 (SwarmKit `identity.NewID`). */
  idLength: 25,
  /** Characters shown for a truncated ID in CLI tables (docker CLI). */
  shortIdLength: 12,
  /** Bytes of a secret's data (SwarmKit `MaxSecretSize` = 500 KiB). */
  secretDataBytes: 500 * KIB,
  /** Bytes of a config's data (SwarmKit `MaxConfigSize` = 500 KiB). */
  configDataBytes: 500 * KIB,
  /** Characters in an object name: one DNS label (RFC 1123), since names resolve in DNS. */
  nameLength: 63,
  /** Smallest CPU reservation or limit in nano-CPUs, i.e. 0.001 CPU (SwarmKit controlapi). */
  minNanoCpus: 1_000_000,
  /** Smallest memory reservation or limit in bytes, 4 MiB (SwarmKit controlapi). */
  minMemoryBytes: 4 * MIB,
});

/** ObjectLimits is the type of {@link OBJECT_LIMITS}. */
export type ObjectLimits = typeof OBJECT_LIMITS;
