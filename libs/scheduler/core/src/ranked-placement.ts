import { assert } from '@shoal/assert';
import type { NodeInfo } from './node-info';
import { RankHeap } from './rank-heap';

/**
 * Candidates are the nodes that passed every filter for a group, with what the ranking needs.
 * Invariant: the three arrays have one entry per candidate; `units[i]` ≥ 1 is how many of the
 * group's tasks candidate i can still take (Infinity when unbounded).
 */
export interface Candidates {
  readonly infos: readonly NodeInfo[];
  readonly units: number[];
  /** Failure tier (0 unless the node is faulty for the group's service version). */
  readonly tiers: readonly number[];
}

/**
 * rankedPlacement places up to `count` tasks on the candidates listed in `subset`, one at a
 * time on the best-ranked candidate (SwarmKit's `nodeLess`: failure tier, tasks of the
 * service, total tasks; then node id), counting each placed task on it when `active`.
 * It appends the chosen candidate index of each placed task to `out`, decrements `units`, and
 * returns how many it placed (fewer than `count` only when the subset ran out of room).
 * O((|subset| + count) · log |subset|): a heap, not a sort per task.
 */
export function rankedPlacement(
  candidates: Candidates,
  subset: readonly number[],
  serviceId: string,
  count: number,
  active: boolean,
  out: number[],
): number {
  if (count === 0 || subset.length === 0) return 0;
  const heap = new RankHeap(subset.length);
  let minUnits = Infinity;
  for (let j = 0; j < subset.length; j++) {
    const i = subset[j] as number;
    const info = candidates.infos[i] as NodeInfo;
    minUnits = Math.min(minUnits, candidates.units[i] as number);
    heap.set(j, candidates.tiers[i] as number, info.activeTasksOf(serviceId),
      info.activeTasksCount, info.ordinal);
  }
  assert(minUnits >= 1, 'every candidate can take a task');
  heap.build(subset.length);
  const delta = active ? 1 : 0;
  let placed = 0;
  while (placed < count && heap.size > 0) {
    const j = heap.top();
    const i = subset[j] as number;
    out.push(i);
    placed++;
    const left = (candidates.units[i] as number) - 1;
    candidates.units[i] = left;
    if (left === 0) heap.popTop();
    else heap.bumpTop(delta, delta);
  }
  return placed;
}
