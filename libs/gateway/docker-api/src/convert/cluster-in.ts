// The Docker API's swarm Spec -> a shoal.v1 ClusterSpec, merged onto the stored spec as dockerd
// merges it: fields Docker leaves zero keep their stored value, so `docker swarm update` (which
// sends back the spec it read, one flag changed) changes only what was asked.
import { ShoalError } from '@shoal/errors';
import { ExternalCA_Protocol, type ClusterSpec, type ExternalCA } from '@shoal/proto';
import { bool, fieldsOf, int, objList, optInt, str, strMap, sub, type Fields } from './json';
import { durationFromNanos } from './time';

function externalCa(f: Fields): ExternalCA {
  const protocol = str(f, 'Protocol');
  if (protocol !== 'cfssl') throw ShoalError.invalidArgument(`invalid ExternalCA.Protocol: "${protocol}" (expected cfssl)`);
  return { protocol: ExternalCA_Protocol.CFSSL, url: str(f, 'URL'), options: strMap(f, 'Options'), caCert: Buffer.from(str(f, 'CACert')) };
}

function caConfig(f: Fields | undefined, current: ClusterSpec['caConfig']): ClusterSpec['caConfig'] {
  const base = { externalCas: [], signingCaCert: Buffer.alloc(0), signingCaKey: Buffer.alloc(0), forceRotate: 0, ...current };
  if (f === undefined) return { ...base, externalCas: [], forceRotate: 0 };
  const expiry = int(f, 'NodeCertExpiry');
  const cert = str(f, 'SigningCACert');
  const key = str(f, 'SigningCAKey');
  return {
    ...base,
    nodeCertExpiry: expiry !== 0 ? durationFromNanos(expiry) : base.nodeCertExpiry,
    externalCas: objList(f, 'ExternalCAs').map(externalCa),
    signingCaCert: cert !== '' ? Buffer.from(cert) : base.signingCaCert,
    signingCaKey: key !== '' ? Buffer.from(key) : base.signingCaKey,
    forceRotate: int(f, 'ForceRotate', true),
  };
}

function raftConfig(f: Fields | undefined, current: ClusterSpec['raft']): ClusterSpec['raft'] {
  if (f === undefined) return current;
  const base = { snapshotInterval: 0, keepOldSnapshots: 0, logEntriesForSlowFollowers: 0, heartbeatTick: 0, electionTick: 0, ...current };
  const pick = (key: string, stored: number): number => int(f, key, true) || stored;
  return {
    snapshotInterval: pick('SnapshotInterval', base.snapshotInterval),
    keepOldSnapshots: optInt(f, 'KeepOldSnapshots', true) ?? base.keepOldSnapshots,
    logEntriesForSlowFollowers: pick('LogEntriesForSlowFollowers', base.logEntriesForSlowFollowers),
    heartbeatTick: pick('HeartbeatTick', base.heartbeatTick),
    electionTick: pick('ElectionTick', base.electionTick),
  };
}

function taskDefaults(f: Fields | undefined, current: ClusterSpec['taskDefaults']): ClusterSpec['taskDefaults'] {
  const driver = f === undefined ? undefined : sub(f, 'LogDriver');
  if (driver === undefined) return current;
  return { logDriver: { name: str(driver, 'Name'), options: strMap(driver, 'Options') } };
}

/**
 * clusterSpecFromDocker reads a Docker swarm `Spec` onto `current` (the stored spec), as
 * dockerd's merge does: Name, Labels, external CAs, ForceRotate and autolock are always taken;
 * TaskHistoryRetentionLimit and KeepOldSnapshots when present; the other numbers, the signing
 * CA pair and the log driver only when set (non-zero, non-empty).
 */
export function clusterSpecFromDocker(body: unknown, current: ClusterSpec | undefined): ClusterSpec {
  const f = fieldsOf(body, 'Spec');
  if (f === undefined) throw ShoalError.invalidArgument('the request body must be a JSON swarm Spec');
  const orchestration = sub(f, 'Orchestration');
  const dispatcher = sub(f, 'Dispatcher');
  const heartbeat = dispatcher === undefined ? 0 : int(dispatcher, 'HeartbeatPeriod');
  const limit = orchestration === undefined ? undefined : optInt(orchestration, 'TaskHistoryRetentionLimit');
  const encryption = sub(f, 'EncryptionConfig');
  return {
    ...current,
    annotations: { name: str(f, 'Name'), labels: strMap(f, 'Labels') },
    orchestration: limit === undefined ? current?.orchestration : { taskHistoryRetentionLimit: limit },
    raft: raftConfig(sub(f, 'Raft'), current?.raft),
    dispatcher: heartbeat !== 0 ? { heartbeatPeriod: durationFromNanos(heartbeat) } : current?.dispatcher,
    caConfig: caConfig(sub(f, 'CAConfig'), current?.caConfig),
    taskDefaults: taskDefaults(sub(f, 'TaskDefaults'), current?.taskDefaults),
    encryptionConfig: { autoLockManagers: encryption === undefined ? false : bool(encryption, 'AutoLockManagers') },
  };
}
