// The few SwarmKit validation rules the fake Control API applies, with SwarmKit's words.
import { ShoalError } from '@shoal/errors';
import type { ServiceSpec } from '@shoal/proto';
import { checkImageReference } from '../convert/reference';

const OPERATORS = ['==', '!='];
const KEY = /^[a-z_][a-z0-9\-_.]+$/i;
const VALUE = /^[a-z0-9:\-_\s.*()?+[\]\\^$|/]+$/i;

function checkConstraint(c: string): void {
  const op = OPERATORS.find((o) => c.includes(o));
  if (op === undefined) throw ShoalError.invalidArgument(`constraint expected one operator from ${OPERATORS.join(', ')}`);
  const [key = '', value = ''] = c.split(op, 2).map((s) => s.trim());
  if (!KEY.test(key)) throw ShoalError.invalidArgument(`key '${key}' is invalid`);
  if (!VALUE.test(value)) throw ShoalError.invalidArgument(`value '${value}' is invalid`);
}

/** validateServiceSpec applies the image and constraint rules of SwarmKit's controlapi. */
export function validateServiceSpec(spec: ServiceSpec | undefined): void {
  const runtime = spec?.task?.runtime;
  if (runtime?.$case !== 'container') throw ShoalError.invalidArgument('TaskSpec: missing runtime');
  const image = runtime.container.image;
  if (image === '') throw ShoalError.invalidArgument('ContainerSpec: image reference must be provided');
  try {
    checkImageReference(image);
  } catch {
    throw ShoalError.invalidArgument(`ContainerSpec: ${JSON.stringify(image)} is not a valid repository/tag`);
  }
  for (const c of spec?.task?.placement?.constraints ?? []) checkConstraint(c);
}
