import { NodeRole, type Node } from '@shoal/proto';

/**
 * NodeMatcher decides whether `node` satisfies every placement constraint in `constraints`
 * (strings like "node.labels.zone==east"). The orchestrator takes it as a parameter so the
 * scheduler's parser can be plugged in by the app shell without a scope dependency.
 */
export type NodeMatcher = (node: Node, constraints: readonly string[]) => boolean;

interface Constraint {
  readonly key: string;
  readonly equal: boolean;
  readonly value: string;
}

const OPERATORS: ReadonlyArray<readonly [string, boolean]> = [
  ['==', true],
  ['!=', false],
];

function parseOne(text: string): Constraint | undefined {
  for (const [op, equal] of OPERATORS) {
    const at = text.indexOf(op);
    if (at <= 0) continue;
    const key = text.slice(0, at).trim().toLowerCase();
    const value = text.slice(at + op.length).trim();
    if (key === '' || value === '') return undefined;
    return { key, equal, value };
  }
  return undefined;
}

function labelValue(labels: { [k: string]: string } | undefined, name: string): string | undefined {
  if (labels === undefined) return undefined;
  for (const [k, v] of Object.entries(labels)) if (k.toLowerCase() === name) return v;
  return undefined;
}

function nodeValue(node: Node, key: string): string | undefined {
  if (key.startsWith('node.labels.')) {
    return labelValue(node.spec?.annotations?.labels, key.slice('node.labels.'.length));
  }
  if (key.startsWith('engine.labels.')) {
    return labelValue(node.description?.engine?.labels, key.slice('engine.labels.'.length));
  }
  switch (key) {
    case 'node.id':
      return node.id;
    case 'node.hostname':
      return node.description?.hostname;
    case 'node.ip':
      return node.status?.addr;
    case 'node.role':
      return node.role === NodeRole.MANAGER ? 'manager' : 'worker';
    case 'node.platform.os':
      return node.description?.platform?.os;
    case 'node.platform.arch':
      return node.description?.platform?.architecture;
    default:
      return undefined;
  }
}

/**
 * matchConstraints is a small {@link NodeMatcher} for SwarmKit's constraint syntax: `key==value`
 * and `key!=value` over node.id, node.hostname, node.ip, node.role, node.platform.os,
 * node.platform.arch, node.labels.<k> and engine.labels.<k>, all ANDed; keys and values
 * compare case-insensitively. A missing attribute fails `==` and satisfies `!=`. As in
 * SwarmKit's orchestrators, an unparsable constraint list constrains nothing (the control API
 * rejects such lists before they are stored).
 */
export const matchConstraints: NodeMatcher = (node, constraints) => {
  const parsed: Constraint[] = [];
  for (const text of constraints) {
    const c = parseOne(text);
    if (c === undefined) return true;
    parsed.push(c);
  }
  return parsed.every((c) => {
    const actual = nodeValue(node, c.key);
    const same = actual !== undefined && actual.toLowerCase() === c.value.toLowerCase();
    return c.equal ? same : !same;
  });
};
