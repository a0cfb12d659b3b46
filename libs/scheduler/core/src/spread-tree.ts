import { assert } from '@shoal/assert';
import { ENGINE_LABEL_PREFIX, NODE_LABEL_PREFIX } from './constraint';
import { SCHEDULER_CORE_LIMITS } from '@shoal/limits';
import type { NodeInfo } from './node-info';
import { rankedPlacement, type Candidates } from './ranked-placement';

/**
 * SpreadBranch is one node of the placement-preference tree: the nodes sharing a label value
 * at every level above. Invariant: a branch has `children` (inner) or `subset` (leaf) only.
 */
interface SpreadBranch {
  readonly key: string;
  /** Active tasks of the service on every node under this branch (eligible or not). */
  tasks: number;
  /** How many of the group's tasks the candidates under this branch can take. */
  room: number;
  readonly children: Map<string, SpreadBranch> | undefined;
  readonly subset: number[];
}

function branch(key: string, leaf: boolean): SpreadBranch {
  return { key, tasks: 0, room: 0, children: leaf ? undefined : new Map(), subset: [] };
}

function hasPrefixFold(descriptor: string, prefix: string): boolean {
  return descriptor.length > prefix.length &&
    descriptor.slice(0, prefix.length).toLowerCase() === prefix;
}

/**
 * spreadValue returns a node's value for one spread descriptor ("" when the label is missing,
 * so such nodes form a group of their own), or undefined when the descriptor is neither
 * `node.labels.<k>` nor `engine.labels.<k>` (SwarmKit skips that level).
 */
export function spreadValue(descriptor: string, info: NodeInfo): string | undefined {
  if (hasPrefixFold(descriptor, NODE_LABEL_PREFIX)) {
    return info.node.spec?.annotations?.labels[descriptor.slice(NODE_LABEL_PREFIX.length)] ?? '';
  }
  if (hasPrefixFold(descriptor, ENGINE_LABEL_PREFIX)) {
    return info.node.description?.engine?.labels[descriptor.slice(ENGINE_LABEL_PREFIX.length)] ?? '';
  }
  return undefined;
}

/** Builds the tree over all nodes; candidates go into the leaves. Returns branches top-down. */
function buildTree(descriptors: readonly string[], nodes: readonly NodeInfo[],
  candidateOf: ReadonlyMap<NodeInfo, number>, candidates: Candidates, serviceId: string):
  SpreadBranch[] {
  const levels = descriptors.filter(
    (d) => hasPrefixFold(d, NODE_LABEL_PREFIX) || hasPrefixFold(d, ENGINE_LABEL_PREFIX));
  const root = branch('', levels.length === 0);
  const all: SpreadBranch[] = [root];
  for (const info of nodes) {
    const tasks = info.activeTasksOf(serviceId);
    let at = root;
    for (let level = 0; level < levels.length; level++) {
      at.tasks += tasks;
      const value = spreadValue(levels[level] as string, info) as string;
      const children = at.children as Map<string, SpreadBranch>;
      let next = children.get(value);
      if (next === undefined) {
        next = branch(value, level === levels.length - 1);
        children.set(value, next);
        all.push(next);
      }
      at = next;
    }
    at.tasks += tasks;
    const i = candidateOf.get(info);
    if (i !== undefined) {
      at.subset.push(i);
      at.room += candidates.units[i] as number;
    }
  }
  return all;
}

/**
 * waterFill splits `n` tasks over branches so that their task counts (existing + new) become
 * as even as possible, never giving a branch more than its room: it raises the lowest branches
 * to a common level, then hands the remainder out one each in branch order. The result equals
 * giving the tasks one at a time to the lowest branch with room (ties to the first), in
 * O(b · log(max existing + n)) for b branches; loops, not `Math.min(...xs)`, so a level may
 * have any number of branches (one per node for a per-node label). Exported for tests.
 */
export function waterFill(existing: readonly number[], room: readonly number[], n: number): number[] {
  assert(existing.length === room.length, 'one room per branch');
  const given = (level: number, i: number): number =>
    Math.min(room[i] as number, Math.max(0, level - (existing[i] as number)));
  let totalRoom = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < existing.length; i++) {
    totalRoom += room[i] as number;
    lo = Math.min(lo, existing[i] as number);
    hi = Math.max(hi, (existing[i] as number) + n);
  }
  if (totalRoom <= n) return room.slice();
  const filled = (level: number): number => {
    let sum = 0;
    for (let i = 0; i < existing.length; i++) sum += given(level, i);
    return sum;
  };
  while (lo < hi) {
    const mid = lo + Math.ceil((hi - lo) / 2);
    if (filled(mid) <= n) lo = mid;
    else hi = mid - 1;
  }
  const out = existing.map((_, i) => given(lo, i));
  let left = n - filled(lo);
  for (let i = 0; i < out.length && left > 0; i++) {
    if ((existing[i] as number) <= lo && (out[i] as number) < (room[i] as number)) {
      out[i] = (out[i] as number) + 1;
      left--;
    }
  }
  assert(left === 0, 'water filling places every task that has room');
  return out;
}

/**
 * spreadPlacement places up to `count` tasks honouring placement preferences (SwarmKit's
 * decision tree): at each level the tasks are split over the label values to even out the
 * service's task counts (fill the emptiest branches, then round-robin the remainder; a branch
 * without room takes none), and within a leaf the ranked placement picks nodes. Iterative
 * (no recursion). Appends chosen candidate indices to `out`; returns how many it placed.
 */
export function spreadPlacement(descriptors: readonly string[], nodes: readonly NodeInfo[],
  candidates: Candidates, serviceId: string, count: number, active: boolean, out: number[]): number {
  if (nodes.length === 0 || candidates.infos.length === 0) return 0;
  const limited = descriptors.slice(0, SCHEDULER_CORE_LIMITS.placementPreferencesMax);
  const candidateOf = new Map<NodeInfo, number>();
  candidates.infos.forEach((info, i) => candidateOf.set(info, i));
  const all = buildTree(limited, nodes, candidateOf, candidates, serviceId);
  for (let i = all.length - 1; i >= 0; i--) {
    const b = all[i] as SpreadBranch;
    if (b.children !== undefined) for (const c of b.children.values()) b.room += c.room;
  }
  const work: Array<readonly [SpreadBranch, number]> = [[all[0] as SpreadBranch, count]];
  let placed = 0;
  while (work.length > 0) {
    const [b, n] = work.pop() as readonly [SpreadBranch, number];
    if (n === 0) continue;
    if (b.children === undefined) {
      placed += rankedPlacement(candidates, b.subset, serviceId, n, active, out);
      continue;
    }
    const kids = [...b.children.values()].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
    const split = waterFill(kids.map((k) => k.tasks), kids.map((k) => k.room), n);
    for (let i = kids.length - 1; i >= 0; i--) work.push([kids[i] as SpreadBranch, split[i] as number]);
  }
  return placed;
}
