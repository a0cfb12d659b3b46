import type { AppSpec } from '@shoal/bootstrap';

/**
 * appSpec describes the dispatcher process to the shared bootstrap.
 * Today it is the shell only: config, logs, gRPC health, /healthz and /metrics. Its own
 * behaviour arrives with its issue; until then it serves nothing that pretends to work.
 */
export const appSpec: AppSpec = {
  app: 'dispatcher',
  summary: "the worker-facing API: agent sessions, heartbeats, assignments, status (process shell)",
  defaultPorts: { grpc: 4245, http: 9245 },
};
