// /_ping, /version, /info and /distribution/{name}/json.
import type { ControlApi } from '@shoal/gateway-control';
import { isShoalError } from '@shoal/errors';
import { ListClustersRequest, ListNodesRequest, NodeRole, type Node } from '@shoal/proto';
import { clusterJson } from '../convert/cluster-out';
import type { JsonObject } from '../convert/json';
import { checkImageReference } from '../convert/reference';
import type { EngineFacts } from '../engine-facts';
import { userMessage } from '../http/dispatch';
import { asSelfNode, selfNodeOf, type GatewaySelf } from '../self-node';
import { API_VERSION, MIN_API_VERSION } from '../http/versions';
import { json, route, type DockerReply, type Route } from '../http/route';

/** PING_HEADERS are what `_ping` adds to the common headers. */
export const PING_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  Swarm: 'active/manager', 'Cache-Control': 'no-cache, no-store, must-revalidate', Pragma: 'no-cache',
});

function ping(): Promise<DockerReply> {
  return Promise.resolve({ status: 200, text: 'OK', headers: PING_HEADERS });
}

function versionJson(facts: EngineFacts): JsonObject {
  const details = { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, Os: facts.os, Arch: facts.arch, KernelVersion: facts.kernelVersion };
  return {
    Platform: { Name: 'Shoal' },
    Components: [{ Name: 'Engine', Version: facts.version, Details: details }],
    Version: facts.version, ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, GitCommit: '',
    GoVersion: `node ${process.version}`, Os: facts.os, Arch: facts.arch, KernelVersion: facts.kernelVersion, BuildTime: '',
  };
}

function isManager(n: Node): boolean {
  return n.role === NodeRole.MANAGER || n.managerStatus !== undefined;
}

async function swarmInfo(api: ControlApi, self: GatewaySelf): Promise<JsonObject> {
  const [nodes, clusters] = await Promise.all([
    api.listNodes(ListNodesRequest.fromPartial({})), api.listClusters(ListClustersRequest.fromPartial({})),
  ]);
  const selfNode = selfNodeOf(nodes.nodes, self.hostname);
  // The self node is shown as a manager at the join address (see asSelfNode).
  const managers = nodes.nodes.map((n) => asSelfNode(n, selfNode?.id ?? '', self.joinAddr)).filter(isManager);
  return {
    NodeID: selfNode?.id ?? '', NodeAddr: selfNode?.status?.addr ?? '', LocalNodeState: 'active', ControlAvailable: true, Error: '',
    RemoteManagers: managers.map((m) => ({ NodeID: m.id, Addr: m.managerStatus?.addr ?? m.status?.addr ?? '' })),
    Nodes: nodes.nodes.length, Managers: managers.length, Cluster: clusterJson(clusters.clusters[0]),
  };
}

async function swarmOrError(api: ControlApi, self: GatewaySelf): Promise<JsonObject> {
  try {
    return await swarmInfo(api, self);
  } catch (err) {
    if (!isShoalError(err)) throw err;
    return {
      NodeID: '', NodeAddr: '', LocalNodeState: 'error', ControlAvailable: false,
      Error: userMessage(err), RemoteManagers: null, Nodes: 0, Managers: 0,
    };
  }
}

async function info(api: ControlApi, facts: EngineFacts, joinAddr: string): Promise<DockerReply> {
  const swarm = await swarmOrError(api, { hostname: facts.hostname, joinAddr });
  return json({
    ID: '', Containers: 0, ContainersRunning: 0, ContainersPaused: 0, ContainersStopped: 0, Images: 0,
    Driver: '', DriverStatus: null, Plugins: { Volume: null, Network: ['overlay'], Authorization: null, Log: null },
    MemoryLimit: false, SwapLimit: false, CpuCfsPeriod: false, CpuCfsQuota: false, CPUShares: false, CPUSet: false,
    PidsLimit: false, IPv4Forwarding: false, Debug: false, NFd: 0, OomKillDisable: false, NGoroutines: 0,
    SystemTime: new Date().toISOString(), LoggingDriver: '', CgroupDriver: '', CgroupVersion: '', NEventsListener: 0,
    KernelVersion: facts.kernelVersion, OperatingSystem: 'Shoal api-gateway', OSVersion: '', OSType: facts.os,
    Architecture: facts.machine, IndexServerAddress: '', RegistryConfig: null, NCPU: facts.ncpu, MemTotal: facts.memTotalBytes,
    GenericResources: null, DockerRootDir: '', HttpProxy: '', HttpsProxy: '', NoProxy: '', Name: facts.hostname,
    Labels: [], ExperimentalBuild: false, ServerVersion: facts.version, Runtimes: {}, DefaultRuntime: '',
    Swarm: swarm, LiveRestoreEnabled: false, Isolation: '', InitBinary: '', SecurityOptions: [], Warnings: null,
  });
}

async function distribution(name: string): Promise<DockerReply> {
  checkImageReference(name);
  // Answered here, never by a registry: no digest (the CLI then keeps the name as given, so
  // nodes use their local image) and no platforms (no placement constraint is added).
  return Promise.resolve(json({
    Descriptor: { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: '', size: 0 }, Platforms: [],
  }));
}

/**
 * systemRoutes are `_ping`, `version`, `info` and `distribution`; `joinAddr` is the address
 * the self node is shown with as a manager (see asSelfNode).
 */
export function systemRoutes(api: ControlApi, facts: EngineFacts, joinAddr: string): Route[] {
  return [
    route('GET', '/_ping', ping),
    route('HEAD', '/_ping', ping),
    route('GET', '/version', () => Promise.resolve(json(versionJson(facts)))),
    route('GET', '/info', () => info(api, facts, joinAddr)),
    route('GET', '/distribution/(.+)/json', (req) => distribution(req.params[0] ?? '')),
  ];
}
