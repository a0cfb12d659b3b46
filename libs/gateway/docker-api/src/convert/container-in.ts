// Docker ContainerSpec JSON -> shoal.v1 ContainerSpec.
import {
  ContainerSpec_Isolation as Isolation,
  Mount_BindOptions_Propagation as Propagation,
  Mount_Type as MountType,
  Privileges_AppArmor_Mode as AppArmorMode,
  Privileges_Seccomp_Mode as SeccompMode,
  type ConfigReference,
  type ContainerSpec,
  type HealthConfig,
  type Mount,
  type Privileges,
  type SecretReference,
  type FileTarget,
} from '@shoal/proto';
import { APPARMOR_MODE, ISOLATION, MOUNT_TYPE, PROPAGATION, SECCOMP_MODE } from './enums';
import {
  bool, has, int, objList, optBool, str, strList, strMap, sub, type Fields,
} from './json';
import { durationField } from './time';

function privilegesFrom(f: Fields | undefined): Privileges | undefined {
  if (f === undefined) return undefined;
  const se = sub(f, 'SELinuxContext');
  const seccomp = sub(f, 'Seccomp');
  const apparmor = sub(f, 'AppArmor');
  return {
    selinuxContext: se === undefined ? undefined : {
      disable: bool(se, 'Disable'), user: str(se, 'User'), role: str(se, 'Role'),
      type: str(se, 'Type'), level: str(se, 'Level'),
    },
    seccomp: seccomp === undefined ? undefined : {
      mode: SECCOMP_MODE.fromDocker(str(seccomp, 'Mode'), 'Privileges.Seccomp.Mode', SeccompMode.DEFAULT),
      profile: Buffer.from(str(seccomp, 'Profile'), 'utf8'),
    },
    apparmor: apparmor === undefined ? undefined : {
      mode: APPARMOR_MODE.fromDocker(str(apparmor, 'Mode'), 'Privileges.AppArmor.Mode', AppArmorMode.DEFAULT),
    },
    noNewPrivileges: bool(f, 'NoNewPrivileges'),
  };
}

/** tmpfsOptionString joins Docker's [["k","v"],["flag"]] tmpfs options into "k=v,flag". */
function tmpfsOptionString(f: Fields): string {
  const pairs = f.value['Options'];
  if (!Array.isArray(pairs)) return '';
  return pairs.filter(Array.isArray).map((p: unknown[]) => p.map(String).join('=')).join(',');
}

function mountFrom(f: Fields): Mount {
  const bind = sub(f, 'BindOptions');
  const volume = sub(f, 'VolumeOptions');
  const tmpfs = sub(f, 'TmpfsOptions');
  const driver = volume === undefined ? undefined : sub(volume, 'DriverConfig');
  return {
    type: MOUNT_TYPE.fromDocker(str(f, 'Type'), 'Mount.Type', MountType.BIND),
    source: str(f, 'Source'),
    target: str(f, 'Target'),
    readonly: bool(f, 'ReadOnly'),
    bindOptions: bind === undefined ? undefined : {
      propagation: PROPAGATION.fromDocker(str(bind, 'Propagation'), 'BindOptions.Propagation', Propagation.RPRIVATE),
      nonRecursive: bool(bind, 'NonRecursive'),
    },
    volumeOptions: volume === undefined ? undefined : {
      noCopy: bool(volume, 'NoCopy'), labels: strMap(volume, 'Labels'), subpath: str(volume, 'Subpath'),
      driverConfig: driver === undefined ? undefined : { name: str(driver, 'Name'), options: strMap(driver, 'Options') },
    },
    tmpfsOptions: tmpfs === undefined ? undefined : {
      sizeBytes: int(tmpfs, 'SizeBytes'), mode: int(tmpfs, 'Mode', true), options: tmpfsOptionString(tmpfs),
    },
  };
}

function fileTargetFrom(f: Fields | undefined): FileTarget | undefined {
  if (f === undefined) return undefined;
  return { name: str(f, 'Name'), uid: str(f, 'UID'), gid: str(f, 'GID'), mode: int(f, 'Mode', true) };
}

function secretFrom(f: Fields): SecretReference {
  const file = fileTargetFrom(sub(f, 'File'));
  return {
    secretId: str(f, 'SecretID'), secretName: str(f, 'SecretName'),
    target: file === undefined ? undefined : { $case: 'file', file },
  };
}

function configFrom(f: Fields): ConfigReference {
  const file = fileTargetFrom(sub(f, 'File'));
  const target: ConfigReference['target'] = file !== undefined ? { $case: 'file', file }
    : has(f, 'Runtime') ? { $case: 'runtime', runtime: {} } : undefined;
  return { configId: str(f, 'ConfigID'), configName: str(f, 'ConfigName'), target };
}

function healthFrom(f: Fields | undefined): HealthConfig | undefined {
  if (f === undefined) return undefined;
  return {
    test: strList(f, 'Test'), interval: durationField(f, 'Interval'), timeout: durationField(f, 'Timeout'),
    retries: int(f, 'Retries'), startPeriod: durationField(f, 'StartPeriod'), startInterval: durationField(f, 'StartInterval'),
  };
}

/**
 * containerSpecFromDocker converts a Docker `ContainerSpec` (and the `Pids` limit Docker keeps
 * under `Resources.Limits`) to a shoal.v1 ContainerSpec. Throws INVALID_ARGUMENT on a field of
 * the wrong type or an unknown enum word.
 */
export function containerSpecFromDocker(f: Fields, pidsLimit: number): ContainerSpec {
  const dns = sub(f, 'DNSConfig');
  return {
    image: str(f, 'Image'), labels: strMap(f, 'Labels'), command: strList(f, 'Command'),
    args: strList(f, 'Args'), hostname: str(f, 'Hostname'), env: strList(f, 'Env'), dir: str(f, 'Dir'),
    user: str(f, 'User'), groups: strList(f, 'Groups'), privileges: privilegesFrom(sub(f, 'Privileges')),
    init: optBool(f, 'Init'), tty: bool(f, 'TTY'), openStdin: bool(f, 'OpenStdin'),
    readOnly: bool(f, 'ReadOnly'), stopSignal: str(f, 'StopSignal'), mounts: objList(f, 'Mounts').map(mountFrom),
    stopGracePeriod: durationField(f, 'StopGracePeriod'), pullOptions: undefined,
    secrets: objList(f, 'Secrets').map(secretFrom), configs: objList(f, 'Configs').map(configFrom),
    hosts: strList(f, 'Hosts'),
    dnsConfig: dns === undefined ? undefined : {
      nameservers: strList(dns, 'Nameservers'), search: strList(dns, 'Search'), options: strList(dns, 'Options'),
    },
    healthcheck: healthFrom(sub(f, 'Healthcheck')),
    isolation: ISOLATION.fromDocker(str(f, 'Isolation'), 'ContainerSpec.Isolation', Isolation.DEFAULT),
    pidsLimit, sysctls: strMap(f, 'Sysctls'), capabilityAdd: strList(f, 'CapabilityAdd'),
    capabilityDrop: strList(f, 'CapabilityDrop'),
    ulimits: objList(f, 'Ulimits').map((u) => ({ name: str(u, 'Name'), soft: int(u, 'Soft'), hard: int(u, 'Hard') })),
    oomScoreAdj: int(f, 'OomScoreAdj'),
  };
}
