// Placement constraints: `key==value` or `key!=value`, nothing else. Key and value alphabets
// and the error texts are SwarmKit's manager/constraint package's.
import { invalid } from './invalid';

/** ConstraintOperator is one of the two operators a constraint may use. */
export type ConstraintOperator = '==' | '!=';

/** Constraint is one parsed placement constraint. */
export interface Constraint {
  readonly key: string;
  readonly operator: ConstraintOperator;
  readonly value: string;
}

/** Operators in the order they are tried: `==` first, as `a!=b==c` is read with `==`. */
const OPERATORS: readonly ConstraintOperator[] = ['==', '!='];
const KEY = /^[a-z_][a-z0-9\-_.]+$/i;
// No operator characters (<, >, ~, =, !) may appear in a value.
const VALUE = /^[a-z0-9:\-_\s.*()?+[\]\\^$|/]+$/i;

/**
 * parseConstraint parses one constraint expression. Throws INVALID_ARGUMENT:
 * "constraint expected one operator from ==, !=", "key 'x' is invalid", "value 'y' is invalid".
 */
export function parseConstraint(expression: string): Constraint {
  for (const operator of OPERATORS) {
    const at = expression.indexOf(operator);
    if (at < 0) continue;
    const key = expression.slice(0, at).trim();
    const value = expression.slice(at + operator.length).trim();
    if (!KEY.test(key)) throw invalid(`key '${key}' is invalid`);
    if (!VALUE.test(value)) throw invalid(`value '${value}' is invalid`);
    return { key, operator, value };
  }
  throw invalid(`constraint expected one operator from ${OPERATORS.join(', ')}`);
}

/** parseConstraints parses every constraint of a placement (see {@link parseConstraint}). */
export function parseConstraints(expressions: readonly string[]): Constraint[] {
  return expressions.map(parseConstraint);
}
