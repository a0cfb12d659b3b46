// Goal: every validator accepts what dockerd accepts and refuses the rest with dockerd's
// (SwarmKit controlapi's) text. Method: tables of input → expected error (undefined = valid).
import { isShoalError } from '@shoal/errors';
import {
  EndpointSpec,
  Mount,
  Mount_Type,
  PortConfig_Protocol,
  PortConfig_PublishMode,
  ServiceSpec,
  UpdateConfig,
} from '@shoal/proto';
import { parseConstraint } from './constraints';
import { validateMount } from './container';
import { validateEndpointSpec } from './endpoint';
import { parseImageReference, referenceError, validateImage } from './image-reference';
import { validateAnnotations, validateSecretName } from './names';
import { validateSecretSpec } from './object-specs';
import { validateUpdateConfig } from './policies';
import { validateResources } from './resources';
import { replicasError, validateServiceSpec } from './service-spec';

function errorOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    if (isShoalError(err)) return err.message;
    throw err;
  }
}

describe('service names', () => {
  it.each([
    ['web', undefined],
    ['my_web-1', undefined],
    ['', 'meta: name must be provided'],
    ['-web', 'name must be valid as a DNS name component'],
    ['web.1', 'name must be valid as a DNS name component'],
    ['a'.repeat(64), 'name must be 63 characters or fewer'],
  ])('%j → %s', (name, expected) => {
    expect(errorOf(() => validateAnnotations({ name, labels: {} }))).toBe(expected);
  });

  it.each([
    ['db.password', undefined],
    ['.x', 'invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]'],
    ['', 'name must be provided'],
  ])('secret name %j → %s', (name, expected) => {
    expect(errorOf(() => validateSecretName({ name, labels: {} }))).toBe(expected);
  });
});

describe('image references', () => {
  it.each([
    ['busybox', undefined],
    ['busybox:1.36', undefined],
    ['library/busybox:latest', undefined],
    ['localhost:5000/team/app:v1', undefined],
    ['registry.example.com/a/b@sha256:' + 'a'.repeat(64), undefined],
    ['sha256:' + 'a'.repeat(64), undefined],
    ['BAD::image', 'invalid reference format'],
    ['Busybox', 'invalid reference format: repository name must be lowercase'],
    ['mariadb:latest@', 'invalid reference format'],
    ['a'.repeat(64), `invalid repository name (${'a'.repeat(64)}), cannot specify 64-byte hexadecimal strings`],
    ['', 'repository name must have at least one component'],
  ])('%j → %s', (image, expected) => {
    expect(referenceError(image)).toBe(expected);
  });

  it('normalizes Docker Hub names', () => {
    expect(parseImageReference('busybox:1.36')).toEqual({ domain: 'docker.io', path: 'library/busybox', tag: '1.36' });
    expect(parseImageReference('localhost:5000/app')).toEqual({ domain: 'localhost:5000', path: 'app' });
  });

  it("wraps the parser's verdict as SwarmKit does", () => {
    expect(errorOf(() => validateImage('BAD::x'))).toBe('ContainerSpec: "BAD::x" is not a valid repository/tag');
    expect(errorOf(() => validateImage(''))).toBe('ContainerSpec: image reference must be provided');
  });
});

describe('constraints', () => {
  it.each([
    ['node.role==manager', undefined],
    ['node.labels.zone != eu-1', undefined],
    ['engine.labels.os==linux*', undefined],
    ['node.role>manager', 'constraint expected one operator from ==, !='],
    ['node.role=manager', 'constraint expected one operator from ==, !='],
    ['==manager', "key '' is invalid"],
    ['node.role==a<b', "value 'a<b' is invalid"],
    ['node.role==', "value '' is invalid"],
  ])('%j → %s', (expression, expected) => {
    expect(errorOf(() => parseConstraint(expression))).toBe(expected);
  });
});

describe('resources', () => {
  it.each([
    [{ nanoCpus: 0, memoryBytes: 0 }, undefined],
    [{ nanoCpus: 1_000_000, memoryBytes: 4 * 1024 * 1024 }, undefined],
    [{ nanoCpus: 500_000, memoryBytes: 0 }, 'invalid cpu value 0.0005: Must be at least 0.001'],
    [{ nanoCpus: 0, memoryBytes: 1024 }, 'invalid memory value 1024: Must be at least 4MiB'],
  ])('%j → %s', (resources, expected) => {
    expect(errorOf(() => validateResources({ ...resources, generic: [] }))).toBe(expected);
  });
});

describe('ports', () => {
  const port = (p: Partial<{ targetPort: number; publishedPort: number; protocol: number; publishMode: number }>) =>
    ({ name: '', targetPort: 80, publishedPort: 8080, protocol: PortConfig_Protocol.TCP,
      publishMode: PortConfig_PublishMode.INGRESS, ...p });
  it.each([
    [[port({})], 0, undefined],
    [[port({ protocol: PortConfig_Protocol.SCTP, publishMode: PortConfig_PublishMode.HOST })], 0, undefined],
    [[port({}), port({ protocol: PortConfig_Protocol.UDP })], 0, undefined],
    [[port({}), port({ targetPort: 81 })], 0, 'EndpointSpec: duplicate published ports provided'],
    [[port({ targetPort: 0 })], 0, 'EndpointSpec: invalid target port 0: must be between 1 and 65535'],
    [[port({ publishedPort: 70000 })], 0, 'EndpointSpec: invalid published port 70000: must be between 1 and 65535'],
    [[port({ protocol: 9 })], 0, 'EndpointSpec: invalid protocol 9: expected tcp, udp or sctp'],
    [[port({ publishMode: 5 })], 0, 'EndpointSpec: invalid publish mode 5: expected ingress or host'],
    [[port({})], 1, "EndpointSpec: port published with ingress mode can't be used with dnsrr mode"],
  ])('%j mode %d → %s', (ports, mode, expected) => {
    expect(errorOf(() => validateEndpointSpec(EndpointSpec.fromPartial({ mode, ports })))).toBe(expected);
  });
});

describe('update config, restart, mounts, replicas', () => {
  it.each([
    [{ maxFailureRatio: 0.5 }, undefined],
    [{ maxFailureRatio: 1.5 }, 'TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1'],
    [{ delay: { seconds: -1, nanos: 0 } }, 'TaskSpec: update-delay cannot be negative'],
    [{ monitor: { seconds: -1, nanos: 0 } }, 'TaskSpec: update-monitor cannot be negative'],
  ])('update %j → %s', (config, expected) => {
    expect(errorOf(() => validateUpdateConfig(UpdateConfig.fromPartial(config)))).toBe(expected);
  });

  it.each([
    [{ type: Mount_Type.BIND, source: '/data', target: '/data' }, undefined],
    [{ type: Mount_Type.BIND, source: 'data', target: '/data' }, 'invalid bind source, must be an absolute path: data'],
    [{ type: Mount_Type.VOLUME, source: 'vol', target: 'rel' }, 'invalid mount target, must be an absolute path: rel'],
    [{ type: Mount_Type.VOLUME, source: '/abs', target: '/x' },
      'invalid volume mount source, must not be an absolute path: /abs'],
    [{ type: Mount_Type.TMPFS, source: 'x', target: '/t' }, 'invalid tmpfs source, source must be empty'],
  ])('mount %j → %s', (mount, expected) => {
    expect(errorOf(() => validateMount(Mount.fromPartial(mount)))).toBe(expected);
  });

  it('refuses an update config on a job and a negative restart delay', () => {
    const job = ServiceSpec.fromPartial({ annotations: { name: 'j' },
      task: { runtime: { $case: 'container', container: { image: 'busybox' } } },
      mode: { $case: 'replicatedJob', replicatedJob: { maxConcurrent: 1, totalCompletions: 1 } }, update: {} });
    expect(errorOf(() => validateServiceSpec(job))).toBe('Jobs may not have an update config');
    const restart = ServiceSpec.fromPartial({ annotations: { name: 'r' },
      task: { runtime: { $case: 'container', container: { image: 'busybox' } }, restart: { delay: { seconds: -5 } } } });
    expect(errorOf(() => validateServiceSpec(restart))).toBe('TaskSpec: restart-delay cannot be negative');
    expect(errorOf(() => validateServiceSpec(ServiceSpec.fromPartial({ annotations: { name: 'x' } }))))
      .toBe('TaskSpec: missing runtime');
  });

  it.each([[3, undefined], [-1, 'json: cannot unmarshal number -1 into Go struct field ' +
    'ReplicatedService.Mode.Replicated.Replicas of type uint64']])('replicas %d → %s', (n, expected) => {
    expect(replicasError(n)).toBe(expected);
  });

  it('limits secret data to less than 500 KiB', () => {
    const secret = (bytes: number) => ({ annotations: { name: 's', labels: {} }, data: new Uint8Array(bytes) as never,
      templating: undefined, driver: undefined });
    expect(errorOf(() => validateSecretSpec(secret(10)))).toBeUndefined();
    expect(errorOf(() => validateSecretSpec(secret(0))))
      .toBe('secret data must be larger than 0 and less than 512000 bytes');
  });
});
