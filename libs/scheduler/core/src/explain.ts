import { assert, assertNever } from '@shoal/assert';
import { FILTER_ORDER, type FilterName } from './filters';

function nodes(count: number): string {
  return count === 1 ? '1 node' : `${count} nodes`;
}

/**
 * explainFilter words how `count` (≥ 1) nodes failed one filter, exactly as SwarmKit's
 * `Filter.Explain` (singular for one node; max replicas has a single fixed wording).
 */
export function explainFilter(name: FilterName, count: number): string {
  assert(count >= 1, 'a filter explains at least one failure');
  switch (name) {
    case 'ready':
      return `${nodes(count)} not available for new tasks`;
    case 'resources':
      return `insufficient resources on ${nodes(count)}`;
    case 'plugin':
      return `missing plugin on ${nodes(count)}`;
    case 'constraints':
      return `scheduling constraints not satisfied on ${nodes(count)}`;
    case 'platform':
      return `unsupported platform on ${nodes(count)}`;
    case 'host-port':
      return `host-mode port already in use on ${nodes(count)}`;
    case 'max-replicas':
      return 'max replicas per node limit exceed';
    default:
      return assertNever(name, 'filter');
  }
}

/**
 * explainFailures joins the explanations of every filter that refused a node, most failures
 * first and pipeline order among equals, with "; " (SwarmKit's `Pipeline.Explain`).
 * `failures[i]` counts the nodes refused by `FILTER_ORDER[i]`. "" when nothing failed.
 */
export function explainFailures(failures: ArrayLike<number>): string {
  assert(failures.length === FILTER_ORDER.length, 'one failure count per filter');
  const order = FILTER_ORDER.map((_, i) => i).filter((i) => (failures[i] as number) > 0);
  order.sort((a, b) => (failures[b] as number) - (failures[a] as number) || a - b);
  return order.map((i) => explainFilter(FILTER_ORDER[i] as FilterName, failures[i] as number)).join('; ');
}

/**
 * noSuitableNodeMessage is the `err` of a task no node can take: "no suitable node (…)" with
 * the explanation, or plain "no suitable node" when there is none (e.g. no nodes at all).
 */
export function noSuitableNodeMessage(explanation: string): string {
  return explanation === '' ? 'no suitable node' : `no suitable node (${explanation})`;
}
