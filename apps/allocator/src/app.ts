import type { AppSpec } from '@shoal/bootstrap';

/**
 * appSpec describes the allocator process to the shared bootstrap.
 * Today it is the shell only: config, logs, gRPC health, /healthz and /metrics. Its own
 * behaviour arrives with its issue; until then it serves nothing that pretends to work.
 */
export const appSpec: AppSpec = {
  app: 'allocator',
  summary: "the control loop that allocates published ports and moves tasks to PENDING (process shell)",
  defaultPorts: { grpc: 4244, http: 9244 },
};
