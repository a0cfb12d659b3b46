/**
 * Goal: the simulated network's cuts are directed and heal, and its fault rates do what
 * they say. Method: route many messages under fixed rates and count the outcomes.
 */
import { SeededRandom } from '@shoal/random';
import { SimNetwork } from './network';

describe('SimNetwork', () => {
  it('cuts directed links and heals them', () => {
    const net = new SimNetwork(new SeededRandom(1), { dropProbability: 0, duplicateProbability: 0, delayUnitsMax: 3 });
    net.cutLink(1, 2);
    expect(net.route(1, 2)).toEqual({ lost: 'cut' });
    expect(net.route(2, 1).lost).toBe(false);
    net.isolate([3], [1, 2]);
    expect(net.isCut(3, 1) && net.isCut(1, 3) && net.isCut(2, 3)).toBe(true);
    expect(net.isCut(3, 3)).toBe(false);
    net.heal();
    expect(net.partitioned).toBe(false);
    expect(net.route(1, 2).lost).toBe(false);
  });

  it('drops, duplicates and delays at the configured rates', () => {
    const net = new SimNetwork(new SeededRandom(7), { dropProbability: 0.2, duplicateProbability: 0.3, delayUnitsMax: 5 });
    let dropped = 0;
    let duplicated = 0;
    const delays = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const r = net.route(1, 2);
      if (r.lost !== false) {
        dropped++;
        continue;
      }
      if (r.delaysUnits.length === 2) duplicated++;
      for (const d of r.delaysUnits) delays.add(d);
    }
    expect(dropped / 10_000).toBeCloseTo(0.2, 1);
    expect(duplicated / (10_000 - dropped)).toBeCloseTo(0.3, 1);
    expect([...delays].sort()).toEqual([1, 2, 3, 4, 5]);
  });
});
