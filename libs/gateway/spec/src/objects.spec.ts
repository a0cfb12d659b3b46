// Goal: node filters, container references, health checks and cluster and node specs are
// checked as SwarmKit checks them. Method: tables over hand-built messages.
import { isShoalError } from '@shoal/errors';
import {
  ClusterSpec,
  ContainerSpec,
  Node,
  NodeRole,
  NodeSpec,
  NodeSpec_Availability,
  NodeSpec_Membership,
  ListNodesRequest_Filters,
} from '@shoal/proto';
import { validateContainerSpec } from './container';
import { nodeMatches } from './filters';
import { validateClusterSpec, validateNodeSpec } from './object-specs';

function errorOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    if (isShoalError(err)) return err.message;
    throw err;
  }
}

describe('nodeMatches', () => {
  const node = Node.fromPartial({ id: 'abc123', role: NodeRole.MANAGER,
    spec: { annotations: { name: '', labels: { zone: 'a' } }, membership: NodeSpec_Membership.ACCEPTED },
    description: { hostname: 'Host-1', engine: { labels: { os: 'linux' } } } });
  it.each([
    [{}, true],
    [{ names: ['host-1'] }, true],
    [{ namePrefixes: ['HOST'] }, true],
    [{ idPrefixes: ['abc'] }, true],
    [{ idPrefixes: ['x'] }, false],
    [{ labels: { os: '' } }, true],
    [{ labels: { zone: 'a' } }, false],
    [{ nodeLabels: { zone: 'a' } }, true],
    [{ roles: [NodeRole.WORKER] }, false],
    [{ roles: [NodeRole.MANAGER], memberships: [NodeSpec_Membership.ACCEPTED] }, true],
  ])('%j → %s', (filters, expected) => {
    expect(nodeMatches(node, ListNodesRequest_Filters.fromPartial(filters))).toBe(expected);
  });
});

describe('container references and health checks', () => {
  const file = (name: string) => ({ $case: 'file' as const, file: { name, uid: '0', gid: '0', mode: 0o444 } });
  it.each([
    [{ secrets: [{ secretName: 'a', target: file('a') }, { secretName: 'b', target: file('b') }] }, undefined],
    [{ secrets: [{ secretName: 'a', target: file('x') }, { secretName: 'b', target: file('x') }] },
      "secret references 'a' and 'b' have a conflicting target: 'x'"],
    [{ configs: [{ configName: '', configId: '', target: file('x') }] }, 'malformed config reference'],
    [{ healthcheck: { interval: { seconds: 0, nanos: 1000 } } }, 'ContainerSpec: Interval in HealthConfig cannot be less than 1ms'],
    [{ healthcheck: { retries: -1 } }, 'ContainerSpec: Retries in HealthConfig cannot be negative'],
    [{ mounts: [{ type: 1, target: '/d' }, { type: 1, target: '/d' }] }, 'ContainerSpec: duplicate mount point: /d'],
    [{ env: ['=x'] }, 'invalid environment variable: =x'],
  ])('%j → %s', (fields, expected) => {
    expect(errorOf(() => validateContainerSpec(ContainerSpec.fromPartial({ image: 'busybox', ...fields })))).toBe(expected);
  });
});

describe('cluster and node specs', () => {
  it.each([
    [{ annotations: { name: 'default' } }, undefined],
    [{ annotations: { name: 'other' } }, 'modification of cluster name is not allowed'],
    [{ caConfig: { nodeCertExpiry: { seconds: 1800 } } }, 'minimum certificate expiry time is: 1h0m0s'],
    [{ dispatcher: { heartbeatPeriod: { seconds: -1 } } }, 'heartbeat time period cannot be a negative duration'],
    [{ raft: { heartbeatTick: 3, electionTick: 2 } }, 'raft election tick must be greater than the heartbeat tick'],
  ])('cluster %j → %s', (spec, expected) => {
    expect(errorOf(() => validateClusterSpec(ClusterSpec.fromPartial(spec)))).toBe(expected);
  });

  it('refuses unknown availability and role values', () => {
    expect(errorOf(() => validateNodeSpec(NodeSpec.fromPartial({ availability: 7 as NodeSpec_Availability }))))
      .toBe('invalid availability 7: expected active, pause or drain');
    expect(errorOf(() => validateNodeSpec(NodeSpec.fromPartial({ desiredRole: 9 as NodeRole }))))
      .toBe('invalid role 9: expected worker or manager');
  });
});
