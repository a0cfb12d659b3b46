// Image references as the docker CLI and dockerd parse them (distribution/reference grammar).
import { ShoalError } from '@shoal/errors';

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^((?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);
/** Repositories longer than this are refused (distribution/reference NameTotalLengthMax). */
const NAME_LENGTH_MAX = 255;

/**
 * checkImageReference throws INVALID_ARGUMENT with dockerd's words ("invalid reference format",
 * "... repository name must be lowercase") unless `image` is a valid image reference.
 */
export function checkImageReference(image: string): void {
  const m = REFERENCE.exec(image);
  if (m !== null && (m[1] ?? '').length <= NAME_LENGTH_MAX) return;
  if (m === null && REFERENCE.test(image.toLowerCase())) {
    throw ShoalError.invalidArgument('invalid reference format: repository name must be lowercase');
  }
  throw ShoalError.invalidArgument('invalid reference format');
}
