/**
 * Goal: a run is a pure function of its seed and options, so any failure replays from its
 * seed (and the git commit). Method: run seeds twice and compare the trace fingerprints and
 * results; different seeds must differ.
 */
import { runSeed } from './run-seed';

describe('runSeed determinism', () => {
  it('gives the same trace hash and result for the same seed', () => {
    for (const seed of [7, 1234, 99_001]) {
      const first = runSeed(seed);
      const second = runSeed(seed);
      expect(second.traceHash).toBe(first.traceHash);
      expect(second).toEqual(first);
      expect(first.stats.events).toBeGreaterThan(1000);
    }
  });

  it('gives different traces for different seeds', () => {
    const hashes = new Set([1, 2, 3, 4, 5].map((seed) => runSeed(seed, { steps: 60 }).traceHash));
    expect(hashes.size).toBe(5);
  });
});
