/**
 * Goal: the scheduler pops events in (time, insertion) order, which is what makes a run
 * deterministic. Method: push shuffled times and compare with a stable sort.
 */
import { SeededRandom } from '@shoal/random';
import { EventQueue } from './event-queue';

describe('EventQueue', () => {
  it('orders by time, then by insertion', () => {
    const random = new SeededRandom(3);
    const q = new EventQueue<number>();
    const pushed: { time: number; id: number }[] = [];
    for (let id = 0; id < 500; id++) {
      const time = random.int(0, 50);
      pushed.push({ time, id });
      q.push(time, id);
    }
    const expected = [...pushed].sort((a, b) => a.time - b.time || a.id - b.id).map((p) => p.id);
    const popped: number[] = [];
    while (q.size > 0) popped.push(q.pop().event);
    expect(popped).toEqual(expected);
    expect(q.peekTime()).toBeUndefined();
  });
});
