// Goal: a Docker swarm Spec is merged onto the stored ClusterSpec as dockerd merges it, so an
// update that sends back what it read (one flag changed) changes nothing else.
// Method: clusterSpecFromDocker on hand-written specs.
import { ExternalCA_Protocol, type ClusterSpec } from '@shoal/proto';
import { clusterSpecFromDocker } from './cluster-in';

const STORED: ClusterSpec = {
  annotations: { name: 'default', labels: { a: '1' } },
  orchestration: { taskHistoryRetentionLimit: 7 },
  raft: { snapshotInterval: 2000, keepOldSnapshots: 1, logEntriesForSlowFollowers: 300, heartbeatTick: 2, electionTick: 20 },
  dispatcher: { heartbeatPeriod: { seconds: 9, nanos: 0 } },
  caConfig: { nodeCertExpiry: { seconds: 7200, nanos: 0 }, externalCas: [], signingCaCert: Buffer.from('cert'),
    signingCaKey: Buffer.from('key'), forceRotate: 0 },
  taskDefaults: { logDriver: { name: 'json-file', options: {} } },
  encryptionConfig: { autoLockManagers: false },
};

describe('clusterSpecFromDocker', () => {
  it('keeps stored values where Docker sends zero, takes what it sets', () => {
    const spec = clusterSpecFromDocker({ Name: 'default', Labels: { b: '2' }, Orchestration: { TaskHistoryRetentionLimit: 3 },
      Raft: { SnapshotInterval: 0, ElectionTick: 30 }, Dispatcher: { HeartbeatPeriod: 0 }, CAConfig: { NodeCertExpiry: 0, ForceRotate: 2 },
      EncryptionConfig: { AutoLockManagers: true } }, STORED);
    expect(spec).toEqual({
      ...STORED, annotations: { name: 'default', labels: { b: '2' } }, orchestration: { taskHistoryRetentionLimit: 3 },
      raft: { ...STORED.raft, electionTick: 30 }, caConfig: { ...STORED.caConfig, forceRotate: 2 },
      encryptionConfig: { autoLockManagers: true },
    });
  });

  it('maps durations in nanoseconds and external CAs; refuses bad input with the field path', () => {
    const spec = clusterSpecFromDocker({ Name: 'default', Dispatcher: { HeartbeatPeriod: 1_500_000_000 },
      CAConfig: { ExternalCAs: [{ Protocol: 'cfssl', URL: 'https://ca', Options: { x: 'y' }, CACert: 'pem' }] } }, undefined);
    expect(spec.dispatcher?.heartbeatPeriod).toEqual({ seconds: 1, nanos: 500_000_000 });
    expect(spec.caConfig?.externalCas).toEqual([
      { protocol: ExternalCA_Protocol.CFSSL, url: 'https://ca', options: { x: 'y' }, caCert: Buffer.from('pem') },
    ]);
    expect(() => clusterSpecFromDocker({ Raft: { SnapshotInterval: -1 } }, STORED))
      .toThrow('json: cannot unmarshal number -1 into field Spec.Raft.SnapshotInterval of type uint64');
    expect(() => clusterSpecFromDocker({ CAConfig: { ExternalCAs: [{ Protocol: 'acme' }] } }, STORED))
      .toThrow('invalid ExternalCA.Protocol: "acme" (expected cfssl)');
    expect(() => clusterSpecFromDocker('x', STORED)).toThrow('json: cannot unmarshal string into field Spec of type object');
  });
});
