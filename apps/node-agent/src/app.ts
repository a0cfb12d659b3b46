import type { AppSpec } from '@shoal/bootstrap';

/**
 * appSpec describes the node-agent process to the shared bootstrap.
 * Today it is the shell only: config, logs, gRPC health, /healthz and /metrics. Its own
 * behaviour arrives with its issue; until then it serves nothing that pretends to work.
 */
export const appSpec: AppSpec = {
  app: 'node-agent',
  summary: "the per-node agent that runs assigned tasks (process shell)",
  defaultPorts: { grpc: 4247, http: 9247 },
};
