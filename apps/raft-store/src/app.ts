import type { AppSpec } from '@shoal/bootstrap';

/**
 * appSpec describes the raft-store process to the shared bootstrap.
 * Today it is the shell only: config, logs, gRPC health, /healthz and /metrics. Its own
 * behaviour arrives with its issue; until then it serves nothing that pretends to work.
 */
export const appSpec: AppSpec = {
  app: 'raft-store',
  summary: "the replicated object store that holds all cluster state (process shell)",
  defaultPorts: { grpc: 4240, http: 9240 },
};
