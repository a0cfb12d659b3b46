// Container specs: image, mounts, health check, secret and config references.
import { Mount_Type, type ConfigReference, type ContainerSpec, type Mount, type SecretReference } from '@shoal/proto';
import { validateImage } from './image-reference';
import { invalid } from './invalid';
import { validateHealthcheck } from './policies';

function isAbsolute(path: string): boolean {
  return path.startsWith('/');
}

/** validateMount checks one mount as dockerd's swarm executor does. Throws INVALID_ARGUMENT. */
export function validateMount(mount: Mount): void {
  if (mount.target === '') throw invalid('invalid mount target, must not be empty');
  if (!isAbsolute(mount.target)) {
    throw invalid(`invalid mount target, must be an absolute path: ${mount.target}`);
  }
  switch (mount.type) {
    case Mount_Type.BIND:
      if (mount.source === '') throw invalid('invalid bind source, source cannot be empty');
      if (!isAbsolute(mount.source)) {
        throw invalid(`invalid bind source, must be an absolute path: ${mount.source}`);
      }
      return;
    case Mount_Type.VOLUME:
      if (isAbsolute(mount.source)) {
        throw invalid(`invalid volume mount source, must not be an absolute path: ${mount.source}`);
      }
      return;
    case Mount_Type.TMPFS:
      if (mount.source !== '') throw invalid('invalid tmpfs source, source must be empty');
      if ((mount.tmpfsOptions?.sizeBytes ?? 0) < 0) throw invalid('invalid tmpfs size, must not be negative');
      return;
    case Mount_Type.NPIPE:
      return;
    default:
      throw invalid(`invalid mount type: ${mount.type}`);
  }
}

function validateMounts(mounts: readonly Mount[]): void {
  const targets = new Set<string>();
  for (const mount of mounts) {
    validateMount(mount);
    if (targets.has(mount.target)) throw invalid(`ContainerSpec: duplicate mount point: ${mount.target}`);
    targets.add(mount.target);
  }
}

type Reference = SecretReference | ConfigReference;

function validateReferences(kind: 'secret' | 'config', refs: readonly Reference[]): void {
  const byTarget = new Map<string, string>();
  for (const ref of refs) {
    const name = 'secretName' in ref ? ref.secretName : ref.configName;
    const id = 'secretId' in ref ? ref.secretId : ref.configId;
    if (id === '' && name === '') throw invalid(`malformed ${kind} reference`);
    if (ref.target === undefined) throw invalid(`malformed ${kind} reference: no target`);
    if (ref.target.$case !== 'file') continue;
    const target = ref.target.file.name;
    if (target === '') throw invalid(`malformed file ${kind} reference, invalid target file name provided`);
    const previous = byTarget.get(target);
    if (previous !== undefined) {
      throw invalid(`${kind} references '${previous}' and '${name}' have a conflicting target: '${target}'`);
    }
    byTarget.set(target, name);
  }
}

/** validateContainerSpec checks a container runtime spec. Throws INVALID_ARGUMENT. */
export function validateContainerSpec(container: ContainerSpec): void {
  validateImage(container.image);
  validateMounts(container.mounts);
  validateHealthcheck(container.healthcheck);
  validateReferences('secret', container.secrets);
  validateReferences('config', container.configs);
  for (const entry of container.env) {
    if (entry === '' || entry.startsWith('=')) throw invalid(`invalid environment variable: ${entry}`);
  }
  if (container.pidsLimit < 0) throw invalid('ContainerSpec: pids-limit cannot be negative');
}
