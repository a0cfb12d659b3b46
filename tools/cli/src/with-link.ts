// Running a command against the cluster: open the link, run, always close; turn the
// cluster's errors into one operator-facing line (no stack), with a hint when it is down.
import { isShoalError } from '@shoal/errors';
import type { Cluster } from '@shoal/proto';
import { CliError, EXIT_REFUSED } from './cli-error';
import { openLink, type ClusterLink, type LinkFactory } from './link';
import type { LinkOptions } from './link-options';

/** EXIT_UNAVAILABLE is the exit code when the cluster cannot be reached (sysexits EX_UNAVAILABLE). */
export const EXIT_UNAVAILABLE = 69;

/** LinkIo is the part of the CLI's io a cluster command needs. */
export interface LinkIo {
  readonly print: (line: string) => void;
  /** Opens connections; defaults to the state directory's certificates. */
  readonly link?: LinkFactory;
}

/** asCliError describes a failed cluster call for an operator. */
export function asCliError(err: unknown, target: string): unknown {
  if (!isShoalError(err)) return err;
  if (err.code === 'UNAVAILABLE' || err.code === 'DEADLINE_EXCEEDED' || err.code === 'NOT_LEADER') {
    return new CliError(`cannot reach ${target}: ${err.message}`, EXIT_UNAVAILABLE);
  }
  if (err.code === 'UNAUTHENTICATED' || err.code === 'PERMISSION_DENIED') {
    return new CliError(`${target} refused the certificate: ${err.message}`, EXIT_REFUSED);
  }
  return new CliError(err.message, EXIT_REFUSED);
}

/** withLink opens a link, runs `body` and closes it; errors become CliErrors. */
export async function withLink<T>(io: LinkIo, options: LinkOptions, body: (link: ClusterLink) => Promise<T>):
  Promise<T> {
  const link = await (io.link ?? openLink)(options);
  try {
    return await body(link);
  } catch (err) {
    throw asCliError(err, `the api-gateway at ${options.gateway}`);
  } finally {
    link.close();
  }
}

/** getDefaultCluster reads the cluster object, or explains that there is none yet. */
export async function getDefaultCluster(link: ClusterLink): Promise<Cluster> {
  const cluster = (await link.control.getCluster({ clusterId: 'default' })).cluster;
  if (cluster === undefined) throw new CliError('the cluster object is missing', EXIT_REFUSED);
  return cluster;
}
