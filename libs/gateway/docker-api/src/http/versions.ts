// API version negotiation, as dockerd does it.
import { ShoalError } from '@shoal/errors';

/** API_VERSION is the Engine API version the gateway speaks (and advertises in `_ping`). */
export const API_VERSION = '1.41';

/** MIN_API_VERSION is the oldest version accepted in a path prefix. */
export const MIN_API_VERSION = '1.24';

function compare(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor !== bMajor ? aMajor - bMajor : aMinor - bMinor;
}

/** splitVersion separates `/v1.41/services` into `1.41` and `/services` (no prefix: undefined). */
export function splitVersion(path: string): { version: string | undefined; rest: string } {
  const m = /^\/v(\d+\.\d+)(\/.*)?$/.exec(path);
  if (m === null) return { version: undefined, rest: path };
  return { version: m[1], rest: m[2] ?? '/' };
}

/** checkVersion refuses versions outside [MIN_API_VERSION, API_VERSION] with dockerd's words. */
export function checkVersion(version: string | undefined): void {
  if (version === undefined) return;
  if (compare(version, API_VERSION) > 0) {
    throw ShoalError.invalidArgument(`client version ${version} is too new. Maximum supported API version is ${API_VERSION}`);
  }
  if (compare(version, MIN_API_VERSION) < 0) {
    throw ShoalError.invalidArgument(
      `client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`,
    );
  }
}
