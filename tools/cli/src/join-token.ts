// `shoal join-token worker|manager [--rotate] [--quiet]`: show (or replace, then show) a join
// token and the command that joins a node with it.
import { isShoalError } from '@shoal/errors';
import { fullTokens } from '@shoal/gateway-control';
import type { Cluster } from '@shoal/proto';
import { CliError, EXIT_REFUSED } from './cli-error';
import type { ClusterLink } from './link';
import type { JoinTokenOptions } from './link-options';
import { getDefaultCluster, withLink, type LinkIo } from './with-link';

/** JoinRole is the role a join token grants. */
export type JoinRole = 'worker' | 'manager';

const ROTATE_ATTEMPTS = 3;

async function rotate(link: ClusterLink, role: JoinRole): Promise<Cluster> {
  for (let attempt = 1; ; attempt++) {
    const cluster = await getDefaultCluster(link);
    try {
      const updated = await link.control.updateCluster({ clusterId: cluster.id, clusterVersion: cluster.meta?.version,
        spec: cluster.spec, rotation: { workerJoinToken: role === 'worker', managerJoinToken: role === 'manager',
          managerUnlockKey: false } });
      if (updated.cluster === undefined) throw new CliError('the gateway returned no cluster', EXIT_REFUSED);
      return updated.cluster;
    } catch (err) {
      // Another writer changed the cluster between our read and write: read again.
      if (!isShoalError(err, 'SEQUENCE_CONFLICT') || attempt >= ROTATE_ATTEMPTS) throw err;
    }
  }
}

/** runJoinToken implements `shoal join-token <role>`; resolves the token shown. */
export async function runJoinToken(role: JoinRole, options: JoinTokenOptions, io: LinkIo): Promise<string> {
  return withLink(io, options, async (link) => {
    const cluster = options.rotate ? await rotate(link, role) : await getDefaultCluster(link);
    const token = fullTokens(cluster)?.[role] ?? '';
    if (token === '') {
      throw new CliError(`the cluster has no ${role} join token yet (has the ca app created the cluster?)`,
        EXIT_REFUSED);
    }
    if (options.quiet) {
      io.print(token);
      return token;
    }
    if (options.rotate) io.print(`Successfully rotated ${role} join token.\n`);
    io.print(`To add a ${role} to this cluster, run the following command:\n`);
    io.print(`    shoal node join --join-token ${token} \\`);
    io.print(`      --ca-endpoints ${options.caEndpoints.join(',')} ` +
      `--dispatcher-endpoints ${options.dispatcherEndpoints.join(',')} --state-dir <node state dir>`);
    return token;
  });
}
