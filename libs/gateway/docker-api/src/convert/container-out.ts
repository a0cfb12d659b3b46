// shoal.v1 ContainerSpec -> Docker ContainerSpec JSON.
import type {
  ConfigReference, ContainerSpec, FileTarget, HealthConfig, Mount, Privileges, SecretReference,
} from '@shoal/proto';
import { APPARMOR_MODE, ISOLATION, MOUNT_TYPE, PROPAGATION, SECCOMP_MODE } from './enums';
import { nonEmpty, nonEmptyList, nonEmptyMap, type Json, type JsonObject } from './json';
import { nanosFromDuration } from './time';

function privilegesJson(p: Privileges | undefined): JsonObject | undefined {
  if (p === undefined) return undefined;
  const se = p.selinuxContext;
  return {
    SELinuxContext: se === undefined ? undefined : {
      Disable: se.disable, User: se.user, Role: se.role, Type: se.type, Level: se.level,
    },
    Seccomp: p.seccomp === undefined ? undefined : {
      Mode: SECCOMP_MODE.toDocker(p.seccomp.mode), Profile: nonEmpty(p.seccomp.profile.toString('utf8')),
    },
    AppArmor: p.apparmor === undefined ? undefined : { Mode: APPARMOR_MODE.toDocker(p.apparmor.mode) },
    NoNewPrivileges: p.noNewPrivileges || undefined,
  };
}

function tmpfsOptionPairs(options: string): Json[] | undefined {
  if (options === '') return undefined;
  return options.split(',').map((o) => {
    const at = o.indexOf('=');
    return at < 0 ? [o] : [o.slice(0, at), o.slice(at + 1)];
  });
}

function mountJson(m: Mount): JsonObject {
  const volume = m.volumeOptions;
  return {
    Type: MOUNT_TYPE.toDocker(m.type), Source: nonEmpty(m.source), Target: m.target,
    ReadOnly: m.readonly || undefined,
    BindOptions: m.bindOptions === undefined ? undefined : {
      Propagation: PROPAGATION.toDocker(m.bindOptions.propagation), NonRecursive: m.bindOptions.nonRecursive || undefined,
    },
    VolumeOptions: volume === undefined ? undefined : {
      NoCopy: volume.noCopy || undefined, Labels: nonEmptyMap(volume.labels), Subpath: nonEmpty(volume.subpath),
      DriverConfig: volume.driverConfig === undefined ? undefined
        : { Name: volume.driverConfig.name, Options: nonEmptyMap(volume.driverConfig.options) },
    },
    TmpfsOptions: m.tmpfsOptions === undefined ? undefined : {
      SizeBytes: m.tmpfsOptions.sizeBytes || undefined, Mode: m.tmpfsOptions.mode || undefined,
      Options: tmpfsOptionPairs(m.tmpfsOptions.options),
    },
  };
}

function fileJson(f: FileTarget): JsonObject {
  return { Name: f.name, UID: f.uid, GID: f.gid, Mode: f.mode };
}

function secretJson(s: SecretReference): JsonObject {
  return {
    File: s.target?.$case === 'file' ? fileJson(s.target.file) : undefined,
    SecretID: s.secretId, SecretName: s.secretName,
  };
}

function configJson(c: ConfigReference): JsonObject {
  return {
    File: c.target?.$case === 'file' ? fileJson(c.target.file) : undefined,
    Runtime: c.target?.$case === 'runtime' ? {} : undefined,
    ConfigID: c.configId, ConfigName: c.configName,
  };
}

function healthJson(h: HealthConfig | undefined): JsonObject | undefined {
  if (h === undefined) return undefined;
  return {
    Test: nonEmptyList(h.test), Interval: nanosFromDuration(h.interval), Timeout: nanosFromDuration(h.timeout),
    StartPeriod: nanosFromDuration(h.startPeriod), StartInterval: nanosFromDuration(h.startInterval),
    Retries: h.retries || undefined,
  };
}

/** containerSpecJson converts a shoal.v1 ContainerSpec to Docker's JSON, omitting empty fields. */
export function containerSpecJson(c: ContainerSpec): JsonObject {
  const dns = c.dnsConfig;
  return {
    Image: c.image, Labels: nonEmptyMap(c.labels), Command: nonEmptyList(c.command), Args: nonEmptyList(c.args),
    Hostname: nonEmpty(c.hostname), Env: nonEmptyList(c.env), Dir: nonEmpty(c.dir), User: nonEmpty(c.user),
    Groups: nonEmptyList(c.groups), Privileges: privilegesJson(c.privileges), Init: c.init,
    TTY: c.tty || undefined, OpenStdin: c.openStdin || undefined, ReadOnly: c.readOnly || undefined,
    Mounts: nonEmptyList(c.mounts.map(mountJson)), StopSignal: nonEmpty(c.stopSignal),
    StopGracePeriod: nanosFromDuration(c.stopGracePeriod), Healthcheck: healthJson(c.healthcheck),
    Hosts: nonEmptyList(c.hosts),
    DNSConfig: dns === undefined ? undefined : {
      Nameservers: nonEmptyList(dns.nameservers), Search: nonEmptyList(dns.search), Options: nonEmptyList(dns.options),
    },
    Secrets: nonEmptyList(c.secrets.map(secretJson)), Configs: nonEmptyList(c.configs.map(configJson)),
    Isolation: ISOLATION.toDocker(c.isolation), Sysctls: nonEmptyMap(c.sysctls),
    CapabilityAdd: nonEmptyList(c.capabilityAdd), CapabilityDrop: nonEmptyList(c.capabilityDrop),
    Ulimits: nonEmptyList(c.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard }))),
    OomScoreAdj: c.oomScoreAdj || undefined,
  };
}
