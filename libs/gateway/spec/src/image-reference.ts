// Image references as Docker's distribution/reference grammar defines them:
//   [domain[:port]/]path-component[/path-component...][:tag][@digest]
// path components are lower-case alphanumerics joined by `.`, `_`, `__` or runs of `-`; a tag
// is up to 128 word characters, dots and dashes, not starting with either; a digest is
// `algorithm:hex` with at least 32 hex digits. The grammar is written out here from the spec.
import { GATEWAY_LIMITS } from '@shoal/limits';
import { invalid } from './invalid';

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const DOMAIN = `${HOST}(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const HEX_64 = /^[a-f0-9]{64}$/;

/** ImageReference is a parsed, normalized image reference. */
export interface ImageReference {
  /** Registry host (`docker.io` when the reference names none). */
  readonly domain: string;
  /** Repository path inside the registry (`library/busybox`). */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

/**
 * referenceError returns why `image` is not a valid image reference, in the words of
 * Docker's reference parser ("invalid reference format", "... must be lowercase"), or
 * undefined when it is valid.
 */
export function referenceError(image: string): string | undefined {
  if (image === '') return 'repository name must have at least one component';
  if (HEX_64.test(image)) {
    return `invalid repository name (${image}), cannot specify 64-byte hexadecimal strings`;
  }
  const match = REFERENCE.exec(image);
  if (match === null) {
    return REFERENCE.test(image.toLowerCase())
      ? 'invalid reference format: repository name must be lowercase'
      : 'invalid reference format';
  }
  if ((match[1] ?? '').length > GATEWAY_LIMITS.repositoryNameLength) {
    return `repository name must not be more than ${GATEWAY_LIMITS.repositoryNameLength} characters`;
  }
  return undefined;
}

/**
 * parseImageReference parses and normalizes `image` (`busybox` → docker.io/library/busybox).
 * Throws INVALID_ARGUMENT with the reference parser's message.
 */
export function parseImageReference(image: string): ImageReference {
  const error = referenceError(image);
  if (error !== undefined) throw invalid(error);
  const match = REFERENCE.exec(image) as RegExpExecArray;
  const name = match[1] as string;
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const hasDomain = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  const domain = hasDomain ? first : 'docker.io';
  let path = hasDomain ? name.slice(slash + 1) : name;
  if (domain === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  return {
    domain,
    path,
    ...(match[2] === undefined ? {} : { tag: match[2] }),
    ...(match[3] === undefined ? {} : { digest: match[3] }),
  };
}

/**
 * validateImage checks a container image as SwarmKit's controlapi does: present, and a
 * valid reference. Throws INVALID_ARGUMENT `ContainerSpec: "x" is not a valid repository/tag`.
 */
export function validateImage(image: string): void {
  if (image === '') throw invalid('ContainerSpec: image reference must be provided');
  if (referenceError(image) !== undefined) {
    throw invalid(`ContainerSpec: ${JSON.stringify(image)} is not a valid repository/tag`);
  }
}
