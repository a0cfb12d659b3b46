// The task's mounts, DNS settings and host-mode ports as the Docker Engine's create-container
// request takes them (HostConfig.Mounts, Dns*, PortBindings; ExposedPorts), as SwarmKit's
// container executor maps them.
import {
  Mount_BindOptions_Propagation as Propagation, Mount_Type, PortConfig_Protocol, PortConfig_PublishMode,
  type ContainerSpec, type Mount, type Task,
} from '@shoal/proto';

/** EngineMount is one entry of the engine's HostConfig.Mounts. */
export interface EngineMount {
  readonly Type: string;
  readonly Source?: string;
  readonly Target: string;
  readonly ReadOnly?: boolean;
  readonly BindOptions?: { readonly Propagation?: string; readonly NonRecursive?: boolean };
  readonly VolumeOptions?: {
    readonly NoCopy?: boolean;
    readonly Labels?: Readonly<Record<string, string>>;
    readonly DriverConfig?: { readonly Name: string; readonly Options?: Readonly<Record<string, string>> };
    readonly Subpath?: string;
  };
  readonly TmpfsOptions?: { readonly SizeBytes?: number; readonly Mode?: number };
}

const TYPES: Readonly<Record<number, string>> = {
  [Mount_Type.BIND]: 'bind', [Mount_Type.VOLUME]: 'volume', [Mount_Type.TMPFS]: 'tmpfs', [Mount_Type.NPIPE]: 'npipe',
};

const PROPAGATIONS: Readonly<Record<number, string>> = {
  [Propagation.RPRIVATE]: 'rprivate', [Propagation.PRIVATE]: 'private', [Propagation.RSHARED]: 'rshared',
  [Propagation.SHARED]: 'shared', [Propagation.RSLAVE]: 'rslave', [Propagation.SLAVE]: 'slave',
};

const nonEmpty = (o: Readonly<Record<string, string>>): Readonly<Record<string, string>> | undefined =>
  Object.keys(o).length > 0 ? o : undefined;

/** engineMount maps one task mount; options of another type than the mount's are left out. */
export function engineMount(m: Mount): EngineMount {
  const type = TYPES[m.type] ?? 'bind';
  const b = m.bindOptions;
  const v = m.volumeOptions;
  const t = m.tmpfsOptions;
  return {
    Type: type,
    Source: m.source === '' ? undefined : m.source,
    Target: m.target,
    ReadOnly: m.readonly || undefined,
    BindOptions: type !== 'bind' || b === undefined ? undefined
      : { Propagation: PROPAGATIONS[b.propagation], NonRecursive: b.nonRecursive || undefined },
    VolumeOptions: type !== 'volume' || v === undefined ? undefined : {
      NoCopy: v.noCopy || undefined,
      Labels: nonEmpty(v.labels),
      DriverConfig: v.driverConfig === undefined || v.driverConfig.name === '' ? undefined
        : { Name: v.driverConfig.name, Options: nonEmpty(v.driverConfig.options) },
      Subpath: v.subpath === '' ? undefined : v.subpath,
    },
    TmpfsOptions: type !== 'tmpfs' || t === undefined ? undefined : {
      SizeBytes: t.sizeBytes > 0 ? t.sizeBytes : undefined,
      Mode: t.mode > 0 ? t.mode : undefined,
    },
  };
}

/** EngineDns is the create request's DNS part. */
export interface EngineDns {
  readonly Dns?: string[];
  readonly DnsSearch?: string[];
  readonly DnsOptions?: string[];
}

/** engineDns maps the task's DNS config (unset lists are left to the engine's defaults). */
export function engineDns(spec: ContainerSpec): EngineDns {
  const d = spec.dnsConfig;
  if (d === undefined) return {};
  return {
    Dns: d.nameservers.length > 0 ? d.nameservers : undefined,
    DnsSearch: d.search.length > 0 ? d.search : undefined,
    DnsOptions: d.options.length > 0 ? d.options : undefined,
  };
}

const PROTOCOLS: Readonly<Record<number, string>> = {
  [PortConfig_Protocol.TCP]: 'tcp', [PortConfig_Protocol.UDP]: 'udp', [PortConfig_Protocol.SCTP]: 'sctp',
};

/** EnginePorts is the create request's port part: what the container exposes and publishes. */
export interface EnginePorts {
  readonly exposed?: Record<string, Record<string, never>>;
  readonly bindings?: Record<string, Array<{ HostPort: string }>>;
}

/**
 * enginePorts maps the task's host-mode ports to port bindings on this node (published port 0:
 * one the engine picks). Ingress-mode ports need the routing mesh, which the node does not
 * provide yet; they are left out here.
 */
export function enginePorts(task: Task): EnginePorts {
  const host = (task.endpoint?.ports ?? []).filter((p) => p.publishMode === PortConfig_PublishMode.HOST && p.targetPort > 0);
  if (host.length === 0) return {};
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, Array<{ HostPort: string }>> = {};
  for (const p of host) {
    const key = `${p.targetPort}/${PROTOCOLS[p.protocol] ?? 'tcp'}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostPort: p.publishedPort > 0 ? String(p.publishedPort) : '' });
  }
  return { exposed, bindings };
}
