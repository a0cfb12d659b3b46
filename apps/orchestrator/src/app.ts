import type { AppSpec } from '@shoal/bootstrap';

/**
 * appSpec describes the orchestrator process to the shared bootstrap.
 * Today it is the shell only: config, logs, gRPC health, /healthz and /metrics. Its own
 * behaviour arrives with its issue; until then it serves nothing that pretends to work.
 */
export const appSpec: AppSpec = {
  app: 'orchestrator',
  summary: "the control loop that keeps each service's tasks matching its spec (process shell)",
  defaultPorts: { grpc: 4242, http: 9242 },
};
