// The per-node session registration rate limit (SwarmKit `nodeStore.CheckRateLimit`: at most
// 3 registrations per 8 s per node, else Unavailable). Pure: time is passed in.
import { assert } from '@shoal/assert';

/** RegistrationLimits are the count and window of the limit. */
export interface RegistrationLimits {
  readonly registrationRateLimitCount: number;
  readonly registrationRateLimitPeriodMs: number;
}

/**
 * RegistrationLimiter counts registrations per node in a sliding window. Contract: `allow`
 * returns true and records the attempt when fewer than `count` attempts of that node fall in
 * (now − period, now]; otherwise false (and records nothing). `prune(now)` forgets nodes whose
 * attempts all left the window, so memory stays proportional to recently active nodes.
 */
export class RegistrationLimiter {
  private readonly attempts = new Map<string, number[]>();

  constructor(private readonly limits: RegistrationLimits) {
    assert(limits.registrationRateLimitCount > 0, 'registration limit count is positive');
    assert(limits.registrationRateLimitPeriodMs > 0, 'registration limit period is positive');
  }

  /** allow decides one registration attempt of `nodeId` at `nowMs`. */
  allow(nodeId: string, nowMs: number): boolean {
    const since = nowMs - this.limits.registrationRateLimitPeriodMs;
    const recent = (this.attempts.get(nodeId) ?? []).filter((t) => t > since);
    if (recent.length >= this.limits.registrationRateLimitCount) {
      this.attempts.set(nodeId, recent);
      return false;
    }
    recent.push(nowMs);
    this.attempts.set(nodeId, recent);
    return true;
  }

  /** prune drops nodes with no attempt in the window ending at `nowMs`. */
  prune(nowMs: number): void {
    const since = nowMs - this.limits.registrationRateLimitPeriodMs;
    for (const [nodeId, times] of this.attempts) {
      if (times.every((t) => t <= since)) this.attempts.delete(nodeId);
    }
  }
}
