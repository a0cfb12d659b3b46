/**
 * SimNetwork: the seeded transport between simulated nodes. It decides, per message, whether
 * the message is lost, how long it travels (different delays reorder messages) and whether
 * a duplicate travels too; partitions cut directed links, so a cut can be symmetric or
 * one-way. A link is checked when a message is sent and again when it arrives: a partition
 * that starts while a message is in flight loses it. Nothing here touches a node: the
 * simulator schedules what `route` returns.
 */
import { assert } from '@shoal/assert';
import type { Random } from '@shoal/random';

/** NetworkFaults are the per-message fault rates in force (set per seed and per phase). */
export interface NetworkFaults {
  /** Probability that a message is lost. */
  dropProbability: number;
  /** Probability that a message is delivered twice (each copy with its own delay). */
  duplicateProbability: number;
  /** Delays are uniform in [1, delayUnitsMax] virtual time units. */
  delayUnitsMax: number;
}

/** Route is what happens to one sent message: lost (and why), or the delays of its copies. */
export type Route = { lost: 'drop' | 'cut' } | { lost: false; delaysUnits: number[] };

/** NETWORK_HEALED are the fault rates of a healed network (the liveness phase). */
export const NETWORK_HEALED: NetworkFaults = Object.freeze({
  dropProbability: 0,
  duplicateProbability: 0,
  delayUnitsMax: 3,
});

/** SimNetwork: see the file comment. Node ids are positive integers. */
export class SimNetwork {
  private readonly cut = new Set<number>();
  private cutCount = 0;

  /** The constructor takes the network's own random stream and its starting fault rates. */
  constructor(
    private readonly random: Random,
    public faults: NetworkFaults,
  ) {
    checkFaults(faults);
  }

  /** setFaults replaces the fault rates. */
  setFaults(faults: NetworkFaults): void {
    checkFaults(faults);
    this.faults = faults;
  }

  /** route decides the fate of a message from `from` to `to` sent now. */
  route(from: number, to: number): Route {
    if (this.isCut(from, to)) return { lost: 'cut' };
    const f = this.faults;
    if (f.dropProbability > 0 && this.random.float() < f.dropProbability) return { lost: 'drop' };
    const delaysUnits = [this.random.int(1, f.delayUnitsMax + 1)];
    if (f.duplicateProbability > 0 && this.random.float() < f.duplicateProbability) {
      delaysUnits.push(this.random.int(1, f.delayUnitsMax + 1));
    }
    return { lost: false, delaysUnits };
  }

  /** isCut reports whether the directed link from → to is partitioned. */
  isCut(from: number, to: number): boolean {
    return this.cutCount > 0 && from !== to && this.cut.has(linkKey(from, to));
  }

  /** cutLink partitions the directed link from → to. */
  cutLink(from: number, to: number): void {
    assert(from !== to, 'a node always reaches itself');
    const key = linkKey(from, to);
    if (!this.cut.has(key)) {
      this.cut.add(key);
      this.cutCount += 1;
    }
  }

  /** isolate cuts both directions between the two groups. */
  isolate(groupA: readonly number[], groupB: readonly number[]): void {
    for (const a of groupA) {
      for (const b of groupB) {
        this.cutLink(a, b);
        this.cutLink(b, a);
      }
    }
  }

  /** heal restores every link. */
  heal(): void {
    this.cut.clear();
    this.cutCount = 0;
  }

  /** partitioned reports whether any link is cut. */
  get partitioned(): boolean {
    return this.cutCount > 0;
  }
}

function linkKey(from: number, to: number): number {
  return from * 1024 + to;
}

function checkFaults(f: NetworkFaults): void {
  assert(f.dropProbability >= 0 && f.dropProbability < 1, 'drop probability in [0, 1)');
  assert(f.duplicateProbability >= 0 && f.duplicateProbability < 1, 'duplicate prob in [0, 1)');
  assert(Number.isSafeInteger(f.delayUnitsMax) && f.delayUnitsMax >= 1, 'delay is at least 1');
}
