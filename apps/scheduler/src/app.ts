import type { AppSpec } from '@shoal/bootstrap';

/**
 * appSpec describes the scheduler process to the shared bootstrap.
 * Today it is the shell only: config, logs, gRPC health, /healthz and /metrics. Its own
 * behaviour arrives with its issue; until then it serves nothing that pretends to work.
 */
export const appSpec: AppSpec = {
  app: 'scheduler',
  summary: "the control loop that assigns pending tasks to nodes (process shell)",
  defaultPorts: { grpc: 4243, http: 9243 },
};
