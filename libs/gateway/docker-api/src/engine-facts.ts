// What the gateway says about itself in `/version` and `/info`.
import { arch, cpus, hostname, release, totalmem, type } from 'node:os';

/** EngineFacts describe the gateway process as a Docker "engine". */
export interface EngineFacts {
  /** Shoal's version, shown as the server version. */
  readonly version: string;
  readonly hostname: string;
  readonly kernelVersion: string;
  /** Go's GOOS, e.g. `linux`. */
  readonly os: string;
  /** Go's GOARCH, e.g. `amd64`. */
  readonly arch: string;
  /** `uname -m`, e.g. `x86_64`. */
  readonly machine: string;
  readonly ncpu: number;
  readonly memTotalBytes: number;
}

const GO_ARCH: Readonly<Record<string, string>> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm' };
const MACHINE: Readonly<Record<string, string>> = { x64: 'x86_64', ia32: 'i386', arm64: 'aarch64', arm: 'armv7l' };

/** localEngineFacts reads the facts of this machine, with `version` as the server version. */
export function localEngineFacts(version: string): EngineFacts {
  const a = arch();
  return {
    version, hostname: hostname(), kernelVersion: release(), os: type().toLowerCase(),
    arch: GO_ARCH[a] ?? a, machine: MACHINE[a] ?? a, ncpu: cpus().length, memTotalBytes: totalmem(),
  };
}
