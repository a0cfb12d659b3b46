import type { AppSpec } from '@shoal/bootstrap';

/**
 * appSpec describes the api-gateway process to the shared bootstrap.
 * Today it is the shell only: config, logs, gRPC health, /healthz and /metrics. Its own
 * behaviour arrives with its issue; until then it serves nothing that pretends to work.
 */
export const appSpec: AppSpec = {
  app: 'api-gateway',
  summary: "the user-facing edge: the Control API and the Docker Engine API subset (process shell)",
  defaultPorts: { grpc: 4241, http: 9241 },
};
