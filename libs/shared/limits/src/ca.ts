import { DAY_MS } from './units';

/**
 * CA_LIMITS are certificate lifetimes and rotation batching. Source: SwarmKit `ca/`
 * (`../shared/reference/swarmkit.md` §7).
 */
export const CA_LIMITS = Object.freeze({
  /** Ms a root CA certificate is valid (SwarmKit `RootCAExpiration` 20 years). */
  rootCaValidityMs: 20 * 365 * DAY_MS,
  /** Ms a node certificate is valid (SwarmKit `DefaultNodeCertExpiration` 90 days). */
  nodeCertValidityMs: 90 * DAY_MS,
  /** Ms a removed node's cert stays blacklisted past its expiry (SwarmKit `expiredCertGrace`). */
  expiredCertGraceMs: 7 * DAY_MS,
  /** Nodes told to renew at once during root rotation (SwarmKit batch size 30). */
  rootRotationBatchSize: 30,
});

/** CaLimits is the type of {@link CA_LIMITS}. */
export type CaLimits = typeof CA_LIMITS;
