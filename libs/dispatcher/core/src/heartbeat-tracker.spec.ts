// Goal: the heartbeat tracker expires a node exactly when period × grace passes without a
// beat, jitters periods within ±ε, gives nodes marked unknown the longer grace, and refuses
// beats from nodes it no longer tracks.
// Method: a ManualClock drives time; a SeededRandom (and a fixed stub) draws the jitter; the
// deadlines are checked one millisecond before and at expiry.
import { describe, expect, it } from '@jest/globals';
import { ManualClock } from '@shoal/clock';
import { DISPATCHER_LIMITS } from '@shoal/limits';
import { SeededRandom, type Random } from '@shoal/random';
import { HeartbeatTracker } from './heartbeat-tracker';
import { RegistrationLimiter } from './registration-limiter';

/** fixedRandom returns `value` from float() (the middle of the range: exactly the period). */
function fixedRandom(value: number): Random {
  const r = new SeededRandom(1);
  r.float = () => value;
  return r;
}

describe('HeartbeatTracker', () => {
  it('draws periods within period × [1 − ε, 1 + ε)', () => {
    const tracker = new HeartbeatTracker(DISPATCHER_LIMITS, new SeededRandom('jitter'));
    const periods = Array.from({ length: 2_000 }, () => tracker.nextPeriodMs());
    expect(Math.min(...periods)).toBeGreaterThanOrEqual(4_500);
    expect(Math.max(...periods)).toBeLessThan(5_500);
    expect(Math.max(...periods) - Math.min(...periods)).toBeGreaterThan(900);
  });

  it('marks a node expired after period × 3 without a beat, not before', () => {
    const clock = new ManualClock(1_000_000);
    const tracker = new HeartbeatTracker(DISPATCHER_LIMITS, fixedRandom(0.5));
    expect(tracker.register('n1', clock.now())).toBe(5_000);
    clock.advance(14_999);
    expect(tracker.expire(clock.now())).toEqual([]);
    clock.advance(1);
    expect(tracker.expire(clock.now()).map((n) => n.nodeId)).toEqual(['n1']);
    expect(tracker.size).toBe(0);
    expect(tracker.beat('n1', clock.now())).toBeUndefined();
  });

  it('each beat pushes the deadline to now + period × 3', () => {
    const clock = new ManualClock(0);
    const tracker = new HeartbeatTracker(DISPATCHER_LIMITS, fixedRandom(0.5));
    tracker.register('n1', clock.now());
    for (let i = 0; i < 10; i++) {
      clock.advance(5_000);
      expect(tracker.beat('n1', clock.now())).toBe(5_000);
      expect(tracker.expire(clock.now())).toEqual([]);
    }
    expect(tracker.get('n1')?.deadlineMs).toBe(clock.now() + 15_000);
  });

  it('gives nodes marked unknown period × 6, and a registration ends that', () => {
    const clock = new ManualClock(0);
    const tracker = new HeartbeatTracker(DISPATCHER_LIMITS, fixedRandom(0.5));
    tracker.markUnknown('quiet', clock.now());
    tracker.markUnknown('back', clock.now());
    expect(tracker.beat('back', clock.now())).toBeUndefined(); // must register first
    clock.advance(20_000);
    tracker.register('back', clock.now());
    tracker.markUnknown('back', clock.now()); // registered here: left alone
    clock.advance(9_999);
    expect(tracker.expire(clock.now())).toEqual([]);
    clock.advance(1);
    expect(tracker.expire(clock.now()).map((n) => n.nodeId)).toEqual(['quiet']);
    clock.advance(5_000);
    expect(tracker.expire(clock.now()).map((n) => n.nodeId)).toEqual(['back']);
  });

  it('returns several expired nodes earliest first', () => {
    const tracker = new HeartbeatTracker(DISPATCHER_LIMITS, fixedRandom(0.5));
    tracker.register('b', 10);
    tracker.register('a', 0);
    tracker.register('c', 1_000_000);
    expect(tracker.expire(100_000).map((n) => n.nodeId)).toEqual(['a', 'b']);
  });
});

describe('RegistrationLimiter', () => {
  it('allows 3 registrations per node per 8 s window', () => {
    const clock = new ManualClock(0);
    const limiter = new RegistrationLimiter(DISPATCHER_LIMITS);
    expect([0, 1, 2, 3].map(() => limiter.allow('n1', clock.now()))).toEqual([true, true, true, false]);
    expect(limiter.allow('n2', clock.now())).toBe(true);
    clock.advance(7_999);
    expect(limiter.allow('n1', clock.now())).toBe(false);
    clock.advance(1);
    expect(limiter.allow('n1', clock.now())).toBe(true);
    clock.advance(8_000);
    limiter.prune(clock.now());
    expect(limiter.allow('n1', clock.now())).toBe(true);
  });

  it('postpone moves every deadline later, so a stall of the dispatcher expires nobody', () => {
    const t = new HeartbeatTracker({ heartbeatPeriodMs: 1000, heartbeatEpsilon: 0, gracePeriodMultiplier: 3,
      unknownGracePeriodMultiplier: 6 }, new SeededRandom('postpone'));
    t.register('a', 0);
    t.markUnknown('b', 0);
    t.postpone(10_000);
    expect(t.expire(12_999)).toEqual([]);
    expect(t.expire(13_000).map((n) => n.nodeId)).toEqual(['a']);
    expect(t.expire(16_000).map((n) => n.nodeId)).toEqual(['b']);
  });
});
