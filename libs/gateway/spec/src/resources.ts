// Resource reservations and limits: the Control API's minimums (SwarmKit controlapi).
import { OBJECT_LIMITS } from '@shoal/limits';
import type { ResourceRequirements, Resources } from '@shoal/proto';
import { invalid } from './invalid';

/** validateResources checks one Resources value (0 means unset). Throws INVALID_ARGUMENT. */
export function validateResources(resources: Resources | undefined): void {
  if (resources === undefined) return;
  const cpus = resources.nanoCpus;
  if (cpus < 0 || (cpus !== 0 && cpus < OBJECT_LIMITS.minNanoCpus)) {
    throw invalid(`invalid cpu value ${cpus / 1e9}: Must be at least ${OBJECT_LIMITS.minNanoCpus / 1e9}`);
  }
  const memory = resources.memoryBytes;
  if (memory < 0 || (memory !== 0 && memory < OBJECT_LIMITS.minMemoryBytes)) {
    throw invalid(`invalid memory value ${memory}: Must be at least 4MiB`);
  }
  for (const generic of resources.generic) {
    const resource = generic.resource;
    if (resource === undefined) throw invalid('invalid generic resource: missing value');
    const kind = resource.$case === 'namedResourceSpec'
      ? resource.namedResourceSpec.kind : resource.discreteResourceSpec.kind;
    if (kind === '') throw invalid('invalid generic resource: kind must be provided');
    if (resource.$case === 'discreteResourceSpec' && resource.discreteResourceSpec.value < 0) {
      throw invalid(`invalid generic resource ${kind}: value cannot be negative`);
    }
  }
}

/** validateResourceRequirements checks limits and reservations. Throws INVALID_ARGUMENT. */
export function validateResourceRequirements(requirements: ResourceRequirements | undefined): void {
  if (requirements === undefined) return;
  validateResources(requirements.limits);
  validateResources(requirements.reservations);
  const swappiness = requirements.memorySwappiness;
  if (swappiness !== undefined && (swappiness < 0 || swappiness > 100)) {
    throw invalid(`invalid memory swappiness ${swappiness}: must be between 0 and 100`);
  }
}
