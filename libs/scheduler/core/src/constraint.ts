import { assertNever } from '@shoal/assert';
import { NodeRole, type Node } from '@shoal/proto';
import { ipEqual, networkContains, parseCidr, parseIp, type IpAddress, type IpNetwork } from './ip';

/** NODE_LABEL_PREFIX is the constraint and spread key prefix for node (spec) labels. */
export const NODE_LABEL_PREFIX = 'node.labels.';
/** ENGINE_LABEL_PREFIX is the constraint and spread key prefix for engine labels. */
export const ENGINE_LABEL_PREFIX = 'engine.labels.';

/** ConstraintOperator is one of the two operators SwarmKit accepts. */
export type ConstraintOperator = '==' | '!=';

/** PlainConstraintKey names a key that compares one node attribute as a string. */
export type PlainConstraintKey =
  | 'node.id'
  | 'node.hostname'
  | 'node.role'
  | 'node.platform.os'
  | 'node.platform.arch';

/**
 * ConstraintKey is what a constraint's key refers to. `unknown` keys parse (SwarmKit accepts
 * any well-formed key) but never match a node.
 */
export type ConstraintKey =
  | { readonly kind: PlainConstraintKey }
  | { readonly kind: 'node.ip'; readonly ip: IpAddress | undefined; readonly network: IpNetwork | undefined }
  | { readonly kind: 'node.labels' | 'engine.labels'; readonly label: string }
  | { readonly kind: 'unknown' };

/**
 * Constraint is one parsed `key op value` placement constraint. Invariant: `value` matched the
 * value pattern; `valueLower` is `value` lower-cased for case-insensitive full-string matching.
 */
export interface Constraint {
  /** The key as written (label keys keep their case: they match case-sensitively). */
  readonly key: string;
  readonly operator: ConstraintOperator;
  readonly value: string;
  readonly valueLower: string;
  readonly target: ConstraintKey;
}

/** ParseConstraintsResult is the outcome of {@link parseConstraints}. */
export type ParseConstraintsResult =
  | { readonly ok: true; readonly constraints: readonly Constraint[] }
  | { readonly ok: false; readonly error: string };

const OPERATORS: readonly ConstraintOperator[] = ['==', '!='];
const KEY_PATTERN = /^[a-z_][a-z0-9\-_.]+$/i;
// Go's \s is [\t\n\f\r ]; spelled out so JS's wider Unicode \s does not widen the syntax.
const VALUE_PATTERN = /^[a-z0-9:\-_\t\n\f\r .*()?+[\]\\^$|/]+$/i;

function hasPrefixFold(key: string, prefix: string): boolean {
  return key.length > prefix.length && key.slice(0, prefix.length).toLowerCase() === prefix;
}

/** The keys that name one node attribute, lower-cased (keys match case-insensitively). */
const PLAIN_KEYS: ReadonlySet<string> = new Set<PlainConstraintKey>([
  'node.id',
  'node.hostname',
  'node.role',
  'node.platform.os',
  'node.platform.arch',
]);

function isPlainKey(lower: string): lower is PlainConstraintKey {
  return PLAIN_KEYS.has(lower);
}

function constraintTarget(key: string, value: string): ConstraintKey {
  const lower = key.toLowerCase();
  if (isPlainKey(lower)) return { kind: lower };
  if (lower === 'node.ip') return { kind: 'node.ip', ip: parseIp(value), network: parseCidr(value) };
  if (hasPrefixFold(key, NODE_LABEL_PREFIX)) {
    return { kind: 'node.labels', label: key.slice(NODE_LABEL_PREFIX.length) };
  }
  if (hasPrefixFold(key, ENGINE_LABEL_PREFIX)) {
    return { kind: 'engine.labels', label: key.slice(ENGINE_LABEL_PREFIX.length) };
  }
  return { kind: 'unknown' };
}

/**
 * parseConstraints parses placement constraints exactly as SwarmKit's `constraint.Parse`: each
 * expression is `key op value` with op `==` or `!=` (the first operator present, split at its
 * first occurrence), surrounding spaces trimmed. The key must match
 * `^[a-z_][a-z0-9-_.]+$` (case-insensitive) and the value alphanumerics plus
 * `:-_ .*()?+[]\^$|/` and whitespace. Errors, with SwarmKit's wording: `key 'k' is invalid`,
 * `value 'v' is invalid`, `constraint expected one operator from ==, !=`. Used by the
 * api-gateway to validate specs and by the scheduler's constraint filter.
 */
export function parseConstraints(expressions: readonly string[]): ParseConstraintsResult {
  const constraints: Constraint[] = [];
  for (const expression of expressions) {
    const operator = OPERATORS.find((op) => expression.includes(op));
    if (operator === undefined) {
      return { ok: false, error: `constraint expected one operator from ${OPERATORS.join(', ')}` };
    }
    const at = expression.indexOf(operator);
    const key = expression.slice(0, at).trim();
    const value = expression.slice(at + operator.length).trim();
    if (!KEY_PATTERN.test(key)) return { ok: false, error: `key '${key}' is invalid` };
    if (!VALUE_PATTERN.test(value)) return { ok: false, error: `value '${value}' is invalid` };
    const target = constraintTarget(key, value);
    constraints.push({ key, operator, value, valueLower: value.toLowerCase(), target });
  }
  return { ok: true, constraints };
}

function matchValue(constraint: Constraint, actual: string): boolean {
  const equal = actual.toLowerCase() === constraint.valueLower;
  return constraint.operator === '==' ? equal : !equal;
}

function matchIp(constraint: Constraint, target: Extract<ConstraintKey, { kind: 'node.ip' }>,
  nodeIp: IpAddress | undefined): boolean {
  let hit: boolean;
  if (target.ip !== undefined) {
    hit = nodeIp !== undefined && ipEqual(target.ip, nodeIp);
  } else if (target.network !== undefined) {
    hit = nodeIp !== undefined && networkContains(target.network, nodeIp);
  } else {
    return false; // A malformed address or network never matches, whatever the operator.
  }
  return constraint.operator === '==' ? hit : !hit;
}

function roleName(role: NodeRole): string {
  switch (role) {
    case NodeRole.WORKER:
      return 'worker';
    case NodeRole.MANAGER:
      return 'manager';
    case NodeRole.UNRECOGNIZED:
      return '';
    default:
      return assertNever(role, 'node role');
  }
}

/** nodeAttribute returns the string a non-IP constraint compares against; "" when missing. */
function nodeAttribute(target: ConstraintKey, node: Node): string | undefined {
  switch (target.kind) {
    case 'node.id':
      return node.id;
    case 'node.hostname':
      return node.description?.hostname ?? '';
    case 'node.role':
      return roleName(node.role);
    case 'node.platform.os':
      return node.description?.platform?.os ?? '';
    case 'node.platform.arch':
      return node.description?.platform?.architecture ?? '';
    case 'node.labels':
      return node.spec?.annotations?.labels[target.label] ?? '';
    case 'engine.labels':
      return node.description?.engine?.labels[target.label] ?? '';
    case 'node.ip':
    case 'unknown':
      return undefined;
    default:
      return assertNever(target, 'constraint key');
  }
}

/**
 * constraintsMatchNode reports whether `node` satisfies every constraint (they are ANDed), as
 * SwarmKit's `constraint.NodeMatches`: values match case-insensitively as full strings, label
 * keys case-sensitively; a missing attribute matches as ""; `node.ip` compares `status.addr`
 * with one IP or a CIDR block (a malformed one never matches); an unknown key never matches.
 * `nodeIp` is `status.addr` parsed by the caller (undefined when it is not an address).
 */
export function constraintsMatchNode(
  constraints: readonly Constraint[],
  node: Node,
  nodeIp: IpAddress | undefined,
): boolean {
  for (const constraint of constraints) {
    const target = constraint.target;
    if (target.kind === 'node.ip') {
      if (!matchIp(constraint, target, nodeIp)) return false;
      continue;
    }
    const actual = nodeAttribute(target, node);
    if (actual === undefined) return false;
    if (!matchValue(constraint, actual)) return false;
  }
  return true;
}
