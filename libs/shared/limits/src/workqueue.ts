import { SECOND_MS } from './units';

/**
 * WORKQUEUE_LIMITS rate-limit reconcile retries: a per-key exponential backoff capped by a
 * global token bucket. Source: client-go `DefaultControllerRateLimiter` (style guide §10).
 */
export const WORKQUEUE_LIMITS = Object.freeze({
  /** Ms of the first per-key retry delay; it doubles on each failure (client-go 5 ms). */
  perKeyBaseDelayMs: 5,
  /** Ms cap of the per-key retry delay (client-go 1000 s). */
  perKeyMaxDelayMs: 1000 * SECOND_MS,
  /** Sustained retries per second across all keys (client-go token bucket 10 qps). */
  globalQps: 10,
  /** Retries the global bucket allows in a burst (client-go burst 100). */
  globalBurst: 100,
  /** Distinct keys a queue holds; adds beyond it are dropped and counted (Shoal). */
  maxDepth: 100_000,
});

/** WorkqueueLimits is the type of {@link WORKQUEUE_LIMITS}. */
export type WorkqueueLimits = typeof WORKQUEUE_LIMITS;
