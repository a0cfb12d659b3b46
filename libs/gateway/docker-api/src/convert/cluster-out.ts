// shoal.v1 Cluster -> the Docker API's swarm ClusterInfo (in `/info` and `/swarm`).
import { fullTokens } from '@shoal/gateway-control';
import type { Cluster } from '@shoal/proto';
import type { JsonObject } from './json';
import { metaFields, nanosFromDuration, ZERO_TIME } from './time';

// SwarmKit's defaults, shown where the cluster spec leaves a field unset.
const DEFAULT_SNAPSHOT_INTERVAL = 10_000;
const DEFAULT_LOG_ENTRIES_FOR_SLOW_FOLLOWERS = 500;
const DEFAULT_ELECTION_TICK = 10;
const DEFAULT_HEARTBEAT_TICK = 1;
const DEFAULT_HEARTBEAT_PERIOD_NS = 5_000_000_000;
const DEFAULT_NODE_CERT_EXPIRY_NS = 90 * 24 * 3600 * 1_000_000_000;
const DEFAULT_TASK_HISTORY = 5;
const DEFAULT_DATA_PATH_PORT = 4789;
const DEFAULT_SUBNET_SIZE = 24;

function specJson(c: Cluster | undefined): JsonObject {
  const s = c?.spec;
  return {
    Name: s?.annotations?.name ?? 'default', Labels: { ...(s?.annotations?.labels ?? {}) },
    Orchestration: { TaskHistoryRetentionLimit: s?.orchestration?.taskHistoryRetentionLimit ?? DEFAULT_TASK_HISTORY },
    Raft: {
      SnapshotInterval: s?.raft?.snapshotInterval || DEFAULT_SNAPSHOT_INTERVAL, KeepOldSnapshots: s?.raft?.keepOldSnapshots ?? 0,
      LogEntriesForSlowFollowers: s?.raft?.logEntriesForSlowFollowers || DEFAULT_LOG_ENTRIES_FOR_SLOW_FOLLOWERS,
      ElectionTick: s?.raft?.electionTick || DEFAULT_ELECTION_TICK, HeartbeatTick: s?.raft?.heartbeatTick || DEFAULT_HEARTBEAT_TICK,
    },
    Dispatcher: { HeartbeatPeriod: nanosFromDuration(s?.dispatcher?.heartbeatPeriod) ?? DEFAULT_HEARTBEAT_PERIOD_NS },
    CAConfig: { NodeCertExpiry: nanosFromDuration(s?.caConfig?.nodeCertExpiry) ?? DEFAULT_NODE_CERT_EXPIRY_NS },
    TaskDefaults: s?.taskDefaults?.logDriver === undefined ? {}
      : { LogDriver: { Name: s.taskDefaults.logDriver.name, Options: { ...s.taskDefaults.logDriver.options } } },
    EncryptionConfig: { AutoLockManagers: s?.encryptionConfig?.autoLockManagers ?? false },
  };
}

/** clusterJson converts the Cluster (or its absence, before the ca created it) to ClusterInfo. */
export function clusterJson(c: Cluster | undefined): JsonObject {
  const meta = c === undefined ? { Version: { Index: 0 }, CreatedAt: ZERO_TIME, UpdatedAt: ZERO_TIME } : metaFields(c.meta);
  return {
    ID: c?.id ?? '', ...meta, Spec: specJson(c),
    TLSInfo: { TrustRoot: c?.rootCa?.caCert.toString('utf8') ?? '' },
    RootRotationInProgress: c?.rootCa?.rootRotation !== undefined,
    DefaultAddrPool: c === undefined || c.defaultAddressPool.length === 0 ? ['10.0.0.0/8'] : [...c.defaultAddressPool],
    SubnetSize: c?.subnetSize || DEFAULT_SUBNET_SIZE, DataPathPort: c?.vxlanUdpPort || DEFAULT_DATA_PATH_PORT,
  };
}

/** joinTokensJson shows the join tokens (`SHLTKN-1-<root digest>-<secret>`) of the cluster. */
export function joinTokensJson(c: Cluster | undefined): JsonObject {
  const tokens = c === undefined ? undefined : fullTokens(c);
  return { Worker: tokens?.worker ?? '', Manager: tokens?.manager ?? '' };
}
