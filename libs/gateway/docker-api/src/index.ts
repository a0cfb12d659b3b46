// Public surface of @shoal/docker-api: the Docker Engine API subset the docker CLI uses, served
// over a ControlApi on a unix socket and/or TLS TCP, and the conversions it is made of.
export { localEngineFacts, type EngineFacts } from './engine-facts';
export {
  removeStaleSocket, requireAdmin, startDockerApi, type DockerApiOptions, type DockerApiServer, type DockerApiTls,
} from './server';
export { dockerRoutes } from './routes';
export { asSelfNode, DEFAULT_JOIN_ADDR, selfNodeOf, type GatewaySelf } from './self-node';
export { clusterSpecFromDocker } from './convert/cluster-in';
export { createDispatcher, type DispatchOptions } from './http/dispatch';
export { httpStatusFor } from './http/status';
export { API_VERSION, MIN_API_VERSION } from './http/versions';
export { serviceSpecFromDocker, taskSpecFromDocker } from './convert/service-spec-in';
export { serviceSpecJson, taskSpecJson } from './convert/service-spec-out';
export { configJson, nodeJson, secretJson, serviceJson, taskJson } from './convert/objects-out';
export { networkJson, networkSpecFromDocker } from './convert/network-out';
export { parseFilters, type FilterArgs } from './filters';
export { FakeControlApi, type FakeNodeOptions } from './testing/fake-control-api';
export { dockerCli, type CliResult } from './testing/docker-cli';
