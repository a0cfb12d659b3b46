// /swarm (inspect, with the join tokens) and /swarm/update (versioned, with token rotation).
import { ShoalError } from '@shoal/errors';
import type { ControlApi } from '@shoal/gateway-control';
import { ListClustersRequest, type Cluster } from '@shoal/proto';
import { clusterSpecFromDocker } from '../convert/cluster-in';
import { clusterJson, joinTokensJson } from '../convert/cluster-out';
import { empty, json, route, type DockerRequest, type DockerReply, type Route } from '../http/route';
import { versionParam } from './services';

const TRUE_WORDS = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const FALSE_WORDS = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

/** boolParam reads a query flag as dockerd does (Go's ParseBool); absent or empty is false. */
export function boolParam(req: DockerRequest, name: string): boolean {
  const raw = req.query.get(name) ?? '';
  if (raw === '' || FALSE_WORDS.includes(raw)) return false;
  if (TRUE_WORDS.includes(raw)) return true;
  throw ShoalError.invalidArgument(`invalid value for ${name}: ${raw}`);
}

async function theCluster(api: ControlApi): Promise<Cluster> {
  const cluster = (await api.listClusters(ListClustersRequest.fromPartial({}))).clusters[0];
  if (cluster === undefined) {
    throw ShoalError.failedPrecondition('the swarm has no cluster object yet: the ca creates it on its first start');
  }
  return cluster;
}

async function inspect(api: ControlApi): Promise<DockerReply> {
  const cluster = (await api.listClusters(ListClustersRequest.fromPartial({}))).clusters[0];
  return json({ ...clusterJson(cluster), JoinTokens: joinTokensJson(cluster) });
}

async function update(api: ControlApi, req: DockerRequest): Promise<DockerReply> {
  const version = versionParam(req, 'swarm');
  const rotation = {
    workerJoinToken: boolParam(req, 'rotateWorkerToken'),
    managerJoinToken: boolParam(req, 'rotateManagerToken'),
    managerUnlockKey: boolParam(req, 'rotateManagerUnlockKey'),
  };
  if (req.body === undefined) throw ShoalError.invalidArgument('got EOF while reading request body');
  const cluster = await theCluster(api);
  const spec = clusterSpecFromDocker(req.body, cluster.spec);
  await api.updateCluster({ clusterId: cluster.id, clusterVersion: { index: version }, spec, rotation });
  return empty(200);
}

/** swarmRoutes are `GET /swarm` and `POST /swarm/update` over `api`. */
export function swarmRoutes(api: ControlApi): Route[] {
  return [
    route('GET', '/swarm', () => inspect(api)),
    route('POST', '/swarm/update', (req) => update(api, req)),
  ];
}
