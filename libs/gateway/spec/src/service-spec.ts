// Service specs: what CreateService and UpdateService accept (SwarmKit controlapi's rules,
// with dockerd's texts).
import { ShoalError } from '@shoal/errors';
import type { Placement, ServiceSpec, TaskSpec } from '@shoal/proto';
import { parseConstraints } from './constraints';
import { validateContainerSpec } from './container';
import { validateEndpointSpec } from './endpoint';
import { invalid } from './invalid';
import { validateAnnotations } from './names';
import { validateRestartPolicy, validateUpdateConfig } from './policies';
import { validateResourceRequirements } from './resources';

/** ServiceModeName names the four service modes (the ServiceSpec.mode cases). */
export type ServiceModeName = 'replicated' | 'global' | 'replicatedJob' | 'globalJob';

/** serviceModeOf is the mode of a spec; a spec without one is replicated (dockerd's default). */
export function serviceModeOf(spec: ServiceSpec | undefined): ServiceModeName {
  return spec?.mode?.$case ?? 'replicated';
}

/** isJobMode reports whether a mode runs tasks to completion. */
export function isJobMode(mode: ServiceModeName): boolean {
  return mode === 'replicatedJob' || mode === 'globalJob';
}

const SPREAD = /^(node|engine)\.labels\.[^\s]+$/;

function validatePlacement(placement: Placement | undefined, mode: ServiceModeName): void {
  if (placement === undefined) return;
  parseConstraints(placement.constraints);
  for (const preference of placement.preferences) {
    const descriptor = preference.preference?.spread.spreadDescriptor ?? '';
    if (!SPREAD.test(descriptor)) {
      throw invalid(`invalid placement preference: spread descriptor ${JSON.stringify(descriptor)} ` +
        'must be node.labels.<name> or engine.labels.<name>');
    }
  }
  if (placement.maxReplicas > 0 && mode !== 'replicated') {
    throw invalid('max replicas per node can only be used with replicated mode');
  }
}

/** validateTaskSpec checks a service's task template. Throws INVALID_ARGUMENT. */
export function validateTaskSpec(task: TaskSpec | undefined, mode: ServiceModeName): void {
  const runtime = task?.runtime;
  if (task === undefined || runtime === undefined) throw invalid('TaskSpec: missing runtime');
  switch (runtime.$case) {
    case 'container':
      validateContainerSpec(runtime.container);
      break;
    case 'generic':
      if (runtime.generic.kind === '') throw invalid('Generic runtime: kind must be provided');
      break;
    case 'attachment':
      throw invalid('TaskSpec: network attachment runtime cannot be used by services');
  }
  validateResourceRequirements(task.resources);
  validateRestartPolicy(task.restart);
  validatePlacement(task.placement, mode);
  for (const network of task.networks) {
    if (network.target === '') throw invalid('NetworkAttachmentConfig: target must be provided');
  }
}

/** validateServiceSpec checks a whole service spec. Throws INVALID_ARGUMENT. */
export function validateServiceSpec(spec: ServiceSpec | undefined): asserts spec is ServiceSpec {
  if (spec === undefined) throw invalid('service spec must be provided');
  validateAnnotations(spec.annotations);
  const mode = serviceModeOf(spec);
  validateTaskSpec(spec.task, mode);
  if (isJobMode(mode) && spec.update !== undefined) throw invalid('Jobs may not have an update config');
  validateUpdateConfig(spec.update, 'update');
  validateUpdateConfig(spec.rollback, 'rollback');
  validateEndpointSpec(spec.endpoint);
  const job = spec.mode?.$case === 'replicatedJob' ? spec.mode.replicatedJob : undefined;
  if (job !== undefined && job.totalCompletions > 0 && job.maxConcurrent > job.totalCompletions) {
    throw invalid('replicated job: max concurrent tasks cannot exceed total completions');
  }
}

/**
 * validateServiceChange checks what an update may not change: the mode and the name
 * (SwarmKit answers both UNIMPLEMENTED).
 */
export function validateServiceChange(current: ServiceSpec | undefined, next: ServiceSpec): void {
  if (serviceModeOf(current) !== serviceModeOf(next)) {
    throw ShoalError.unimplemented('service mode change is not allowed');
  }
  if ((current?.annotations?.name ?? '') !== (next.annotations?.name ?? '')) {
    throw ShoalError.unimplemented('renaming services is not supported');
  }
}

/**
 * replicasError is dockerd's answer to a negative or fractional replica count in a JSON
 * body (Replicas is a uint64 there), for the Docker API front end; undefined when valid.
 */
export function replicasError(value: number): string | undefined {
  if (Number.isInteger(value) && value >= 0) return undefined;
  return `json: cannot unmarshal number ${value} into Go struct field ReplicatedService.Mode.Replicated.Replicas of type uint64`;
}
