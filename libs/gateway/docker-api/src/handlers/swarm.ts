// /swarm (inspect, with the join tokens), /swarm/update (versioned, with token rotation) and
// /swarm/unlockkey.
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

/** UNLOCK_KEY_PREFIX starts an unlock key as dockerd prints it (then the key in unpadded base64). */
export const UNLOCK_KEY_PREFIX = 'SWMKEY-1-';

/** UnlockKeySource reads the cluster's current manager unlock key (empty: autolock is off). */
export type UnlockKeySource = () => Promise<Uint8Array>;

/** unlockKey answers the cluster's current unlock key as dockerd prints it ('' when autolock is off). */
async function unlockKey(source: UnlockKeySource | undefined): Promise<DockerReply> {
  if (source === undefined) throw ShoalError.unimplemented('this gateway cannot read the unlock key');
  const key = await source();
  const text = key.length === 0 ? '' : UNLOCK_KEY_PREFIX + Buffer.from(key).toString('base64').replace(/=+$/, '');
  return json({ UnlockKey: text });
}

/** swarmRoutes are `GET /swarm`, `POST /swarm/update` over `api` and `GET /swarm/unlockkey` over `keys`. */
export function swarmRoutes(api: ControlApi, keys?: UnlockKeySource): Route[] {
  return [
    route('GET', '/swarm', () => inspect(api)),
    route('POST', '/swarm/update', (req) => update(api, req)),
    route('GET', '/swarm/unlockkey', () => unlockKey(keys)),
  ];
}
