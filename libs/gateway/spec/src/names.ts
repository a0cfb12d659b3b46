// Object names: services, networks and the cluster use DNS-label names; secrets and configs
// their own, slightly wider alphabet. Texts are SwarmKit controlapi's.
import { GATEWAY_LIMITS, OBJECT_LIMITS } from '@shoal/limits';
import type { Annotations } from '@shoal/proto';
import { invalid } from './invalid';

/** One DNS label component: alphanumerics, with `-` or `_` runs only between them. */
const DNS_NAME = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;
/** Secret and config names: [a-zA-Z0-9-_.], starting and ending alphanumeric. */
const SECRET_NAME = /^[a-zA-Z0-9]+(?:[a-zA-Z0-9-_.]*[a-zA-Z0-9])?$/;

/**
 * validateAnnotations checks the name of a service, network or cluster: present, a DNS
 * name component, at most 63 characters. Throws INVALID_ARGUMENT.
 */
export function validateAnnotations(annotations: Annotations | undefined): void {
  const name = annotations?.name ?? '';
  if (name === '') throw invalid('meta: name must be provided');
  if (!DNS_NAME.test(name)) throw invalid('name must be valid as a DNS name component');
  if (name.length > OBJECT_LIMITS.nameLength) {
    throw invalid(`name must be ${OBJECT_LIMITS.nameLength} characters or fewer`);
  }
  validateLabels(annotations?.labels);
}

/** validateSecretName checks a secret's or config's name. Throws INVALID_ARGUMENT. */
export function validateSecretName(annotations: Annotations | undefined): void {
  const name = annotations?.name ?? '';
  if (name === '') throw invalid('name must be provided');
  if (name.length > GATEWAY_LIMITS.secretNameLength || !SECRET_NAME.test(name)) {
    throw invalid(`invalid name, only ${GATEWAY_LIMITS.secretNameLength} [a-zA-Z0-9-_.] ` +
      'characters allowed, and the start and end character must be [a-zA-Z0-9]');
  }
  validateLabels(annotations?.labels);
}

/** validateLabels refuses empty label keys (dockerd: "label key cannot be empty"). */
export function validateLabels(labels: Readonly<Record<string, string>> | undefined): void {
  for (const key of Object.keys(labels ?? {})) {
    if (key.trim() === '') throw invalid('invalid label: label key cannot be empty');
  }
}
