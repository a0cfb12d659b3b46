// `shoal cluster update` (heartbeat period, task history, certificate expiry, snapshot
// interval, autolock) and `shoal cluster inspect`.
import { durationFromMs, durationToMs, type Cluster, type ClusterSpec } from '@shoal/proto';
import { formatMs } from '@shoal/gateway-spec';
import { GATEWAY_LIMITS, NODE_CERT_VALIDITY_MS } from '@shoal/limits';
import { CliError, EXIT_USAGE } from './cli-error';
import { parseDurationText } from './duration-text';
import type { ClusterUpdateOptions, LinkOptions } from './link-options';
import { getDefaultCluster, withLink, type LinkIo } from './with-link';

function ms(text: string): number {
  return parseDurationText(text) as number;
}

/** changedSpec applies the flags that were given to `spec`; undefined when none was. */
export function changedSpec(spec: ClusterSpec | undefined, o: ClusterUpdateOptions): ClusterSpec | undefined {
  const base: ClusterSpec = spec ?? { annotations: { name: 'default', labels: {} } } as ClusterSpec;
  let next = base;
  if (o.heartbeatPeriod !== undefined) next = { ...next, dispatcher: { heartbeatPeriod: durationFromMs(ms(o.heartbeatPeriod)) } };
  if (o.taskHistoryLimit !== undefined) next = { ...next, orchestration: { taskHistoryRetentionLimit: o.taskHistoryLimit } };
  if (o.certExpiry !== undefined) {
    next = { ...next, caConfig: { externalCas: [], signingCaCert: Buffer.alloc(0), signingCaKey: Buffer.alloc(0),
      forceRotate: 0, ...next.caConfig, nodeCertExpiry: durationFromMs(ms(o.certExpiry)) } };
  }
  if (o.snapshotInterval !== undefined) {
    next = { ...next, raft: { keepOldSnapshots: 0, logEntriesForSlowFollowers: 0, heartbeatTick: 0, electionTick: 0,
      ...next.raft, snapshotInterval: o.snapshotInterval } };
  }
  if (o.autolock !== undefined) next = { ...next, encryptionConfig: { autoLockManagers: o.autolock } };
  return next === base ? undefined : next;
}

/** settingsLines describes a cluster's settings, defaults marked. */
export function settingsLines(cluster: Cluster): string[] {
  const spec = cluster.spec;
  const heartbeat = spec?.dispatcher?.heartbeatPeriod;
  const expiry = spec?.caConfig?.nodeCertExpiry;
  const history = spec?.orchestration?.taskHistoryRetentionLimit;
  return [
    `cluster ${cluster.id} (version ${cluster.meta?.version?.index ?? 0})`,
    `  heartbeat period:      ${heartbeat === undefined ? `${formatMs(GATEWAY_LIMITS.defaultHeartbeatPeriodMs)} (default)` : formatMs(durationToMs(heartbeat))}`,
    `  task history limit:    ${history === undefined ? `${GATEWAY_LIMITS.defaultTaskHistoryRetention} (default)` : history}`,
    `  node cert expiry:      ${expiry === undefined ? `${formatMs(NODE_CERT_VALIDITY_MS)} (default)` : formatMs(durationToMs(expiry))}`,
    `  raft snapshot every:   ${spec?.raft?.snapshotInterval || 10_000} entries`,
    `  autolock managers:     ${spec?.encryptionConfig?.autoLockManagers === true ? 'yes' : 'no'}`,
  ];
}

/** runClusterUpdate implements `shoal cluster update`. */
export async function runClusterUpdate(options: ClusterUpdateOptions, io: LinkIo): Promise<Cluster> {
  return withLink(io, options, async (link) => {
    const cluster = await getDefaultCluster(link);
    const spec = changedSpec(cluster.spec, options);
    if (spec === undefined) {
      throw new CliError('nothing to change: pass --heartbeat-period, --task-history-limit, --cert-expiry, ' +
        '--snapshot-interval or --autolock', EXIT_USAGE);
    }
    const updated = (await link.control.updateCluster({ clusterId: cluster.id, clusterVersion: cluster.meta?.version,
      spec, rotation: undefined })).cluster ?? cluster;
    io.print('cluster updated');
    for (const line of settingsLines(updated)) io.print(line);
    return updated;
  });
}

/** runClusterInspect implements `shoal cluster inspect`. */
export async function runClusterInspect(options: LinkOptions, io: LinkIo): Promise<Cluster> {
  return withLink(io, options, async (link) => {
    const cluster = await getDefaultCluster(link);
    for (const line of settingsLines(cluster)) io.print(line);
    return cluster;
  });
}
