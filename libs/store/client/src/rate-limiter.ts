// Requeue rate limiting: a per-key exponential backoff combined (max) with a global token
// bucket, after client-go's DefaultControllerRateLimiter.
import { assert } from '@shoal/assert';
import type { Clock } from '@shoal/clock';
import { WORKQUEUE_LIMITS, type WorkqueueLimits } from '@shoal/limits';

/** RateLimiterLimits are the parts of WORKQUEUE_LIMITS a rate limiter uses. */
export type RateLimiterLimits = Readonly<Record<
  Extract<keyof WorkqueueLimits, 'perKeyBaseDelayMs' | 'perKeyMaxDelayMs' | 'globalQps' | 'globalBurst'>,
  number
>>;

/**
 * RateLimiter decides how long a failed key waits before it is processed again. Contract:
 * `when(key)` records a failure of `key` and returns the delay in ms: the larger of the key's
 * exponential backoff (base · 2^(failures−1), capped) and the global token bucket's wait
 * (`globalQps` tokens per second, `globalBurst` at most; a reservation is taken even when it
 * must wait, so a burst of failures spreads out). `forget(key)` resets the key's failures.
 */
export class RateLimiter {
  private readonly failures = new Map<string, number>();
  private tokens: number;
  private lastMs: number;

  /** The constructor starts with a full bucket at the clock's current time. */
  constructor(
    private readonly clock: Clock,
    private readonly limits: RateLimiterLimits = WORKQUEUE_LIMITS,
  ) {
    assert(limits.perKeyBaseDelayMs > 0, 'backoff starts positive');
    assert(limits.perKeyBaseDelayMs <= limits.perKeyMaxDelayMs, 'backoff grows to its cap');
    assert(limits.globalQps > 0 && limits.globalBurst >= 1, 'the bucket refills and holds one');
    this.tokens = limits.globalBurst;
    this.lastMs = clock.now();
  }

  /** when records a failure of `key` and returns its delay in ms (see the class contract). */
  when(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const { perKeyBaseDelayMs, perKeyMaxDelayMs } = this.limits;
    const backoffMs = Math.min(perKeyMaxDelayMs, perKeyBaseDelayMs * 2 ** failures);
    return Math.max(backoffMs, this.reserve());
  }

  /** numRequeues is how many failures `key` has had since it was last forgotten. */
  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** forget resets `key`'s failures (call it after the key was processed successfully). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** reserve takes one token and returns how long to wait for it, in ms. */
  private reserve(): number {
    const nowMs = this.clock.now();
    const { globalQps, globalBurst } = this.limits;
    const elapsedMs = Math.max(0, nowMs - this.lastMs);
    this.tokens = Math.min(globalBurst, this.tokens + (elapsedMs * globalQps) / 1000);
    this.lastMs = nowMs;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / globalQps);
  }
}
